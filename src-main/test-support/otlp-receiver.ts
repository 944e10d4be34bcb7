/**
 * An OTLP/HTTP logs receiver on loopback (node:http) that checks every request's JSON strictly
 * (OTLP's JSON mapping of ExportLogsServiceRequest, as MCP Fleet's forwarder writes it) before it
 * accepts it, and records what it accepted: for the forwarder's tests and the e2e of its page.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpReceiver {
  url: string;
  /** Requests answered, with their status. */
  requests: { status: number; headers: IncomingHttpHeaders }[];
  /** Log records accepted (2xx), by correlation id: how many times each arrived. */
  byCid: Map<string, number>;
  /** Records accepted, in order. */
  records: Record<string, unknown>[];
  /** Shape problems found; a request with any is answered 400. */
  problems: string[];
  /** Statuses to answer next, in order (a 429 comes with Retry-After: 0). */
  script: number[];
  close(): Promise<void>;
}

export interface OtlpReceiverOptions {
  /** The `host.name` every request's resource must name (MCP Fleet's machine). */
  fleetHost: string;
  /** Statuses to answer first, in order; then 200. */
  script?: number[];
  /** 0 (the default): any free port. */
  port?: number;
}

/**
 * Listens on 127.0.0.1; `url` is its `/v1/logs`. A request that is not a well-formed OTLP logs POST
 * is answered 400 and its problems recorded; otherwise it gets the next status of `script`, then 200.
 */
export async function startOtlpReceiver({
  fleetHost,
  script = [],
  port = 0,
}: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const queue = [...script];
  const r: Omit<OtlpReceiver, 'url' | 'close'> = {
    requests: [],
    byCid: new Map(),
    records: [],
    problems: [],
    script: queue,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const found: string[] = [];
      if (req.method !== 'POST') found.push(`method ${req.method ?? ''}`);
      if (req.url !== '/v1/logs') found.push(`path ${req.url ?? ''}`);
      if (req.headers['content-type'] !== 'application/json') found.push('content-type');
      let records: Record<string, unknown>[] = [];
      try {
        records = checkLogsRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')), fleetHost, found);
      } catch {
        found.push('not JSON');
      }
      const status = found.length > 0 ? 400 : (queue.shift() ?? 200);
      r.problems.push(...found);
      r.requests.push({ status, headers: req.headers });
      if (status >= 200 && status < 300) {
        for (const rec of records) {
          r.records.push(rec);
          const cid = otlpAttribute(rec, 'mcp_fleet.correlation_id');
          if (typeof cid === 'string') r.byCid.set(cid, (r.byCid.get(cid) ?? 0) + 1);
        }
      }
      res
        .writeHead(status, {
          'content-type': 'application/json',
          ...(status === 429 ? { 'retry-after': '0' } : {}),
        })
        .end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    ...r,
    url: `http://127.0.0.1:${bound}/v1/logs`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const DECIMAL = /^(0|[1-9]\d*)$/;

/** Checks an ExportLogsServiceRequest in OTLP's JSON mapping; returns its log records. */
function checkLogsRequest(body: unknown, fleetHost: string, found: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const need = (ok: boolean, what: string): boolean => (ok ? true : (found.push(what), false));
  if (!need(isObj(body) && Array.isArray(body.resourceLogs) && body.resourceLogs.length > 0, 'resourceLogs'))
    return out;
  for (const rl of (body as { resourceLogs: unknown[] }).resourceLogs) {
    if (!need(isObj(rl) && isObj(rl.resource), 'resource')) continue;
    const res = (rl as { resource: Record<string, unknown> }).resource;
    checkAttributes(res.attributes, 'resource', found);
    const resAttrs = new Map(
      (Array.isArray(res.attributes) ? res.attributes : []).map((kv: { key: string; value: unknown }) => [
        kv.key,
        kv.value,
      ]),
    );
    need(JSON.stringify(resAttrs.get('service.name')) === '{"stringValue":"mcp-fleet"}', 'service.name');
    need(
      JSON.stringify(resAttrs.get('host.name')) === JSON.stringify({ stringValue: fleetHost }),
      'host.name',
    );
    const scopeLogs = (rl as { scopeLogs?: unknown }).scopeLogs;
    if (!need(Array.isArray(scopeLogs) && scopeLogs.length > 0, 'scopeLogs')) continue;
    for (const sl of scopeLogs as unknown[]) {
      if (
        !need(
          isObj(sl) && isObj(sl.scope) && typeof sl.scope.name === 'string' && sl.scope.name !== '',
          'scope.name',
        )
      )
        continue;
      const recs = (sl as { logRecords?: unknown }).logRecords;
      if (!need(Array.isArray(recs) && recs.length > 0, 'logRecords')) continue;
      for (const rec of recs as unknown[]) {
        if (!isObj(rec)) {
          found.push('logRecord');
          continue;
        }
        const known = [
          'timeUnixNano',
          'observedTimeUnixNano',
          'severityNumber',
          'severityText',
          'body',
          'attributes',
        ];
        for (const k of Object.keys(rec)) need(known.includes(k), `unexpected field ${k}`);
        need(typeof rec.timeUnixNano === 'string' && DECIMAL.test(rec.timeUnixNano), 'timeUnixNano');
        need(
          typeof rec.observedTimeUnixNano === 'string' && DECIMAL.test(rec.observedTimeUnixNano),
          'observedTimeUnixNano',
        );
        need(
          (rec.severityNumber === 9 && rec.severityText === 'INFO') ||
            (rec.severityNumber === 13 && rec.severityText === 'WARN'),
          'severity',
        );
        need(isObj(rec.body) && checkAnyValue(rec.body), 'body');
        checkAttributes(rec.attributes, 'logRecord', found);
        out.push(rec);
      }
    }
  }
  return out;
}

function checkAttributes(list: unknown, where: string, found: string[]): void {
  if (!Array.isArray(list)) return void found.push(`${where}.attributes`);
  const keys = new Set<string>();
  for (const kv of list) {
    if (
      !isObj(kv) ||
      typeof kv.key !== 'string' ||
      kv.key === '' ||
      keys.has(kv.key) ||
      !checkAnyValue(kv.value)
    )
      found.push(`${where} attribute ${isObj(kv) ? String(kv.key) : '?'}`);
    else keys.add(kv.key);
  }
}

/** Exactly one of the AnyValue shapes this forwarder may use, each of its right JSON type. */
function checkAnyValue(v: unknown): boolean {
  if (!isObj(v) || Object.keys(v).length !== 1) return false;
  if ('stringValue' in v) return typeof v.stringValue === 'string';
  if ('intValue' in v) return typeof v.intValue === 'string' && /^-?\d+$/.test(v.intValue);
  if ('doubleValue' in v) return typeof v.doubleValue === 'number';
  return false;
}

/** A log record's attribute value (its one AnyValue field), or undefined when it has none by that key. */
export function otlpAttribute(rec: Record<string, unknown>, key: string): unknown {
  const list = rec.attributes as { key: string; value: Record<string, unknown> }[];
  const value = list.find((kv) => kv.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}
