/**
 * Audit calls as an OTLP/HTTP JSON logs request (opentelemetry-proto ExportLogsServiceRequest in its
 * JSON mapping: 64-bit integers as decimal strings, attribute values as AnyValue). A call carries
 * names, outcome and timing only: audit rows hold no argument values or secrets, and nothing else is
 * added here.
 */
import type { StoredAuditCall } from '../store/audit-calls-repository';

export type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number };
export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: 'INFO' | 'WARN';
  body: { stringValue: string };
  attributes: KeyValue[];
}

export interface OtlpLogsRequest {
  resourceLogs: {
    resource: { attributes: KeyValue[] };
    scopeLogs: { scope: { name: string; version: string }; logRecords: OtlpLogRecord[] }[];
  }[];
}

export interface OtlpResource {
  /** The name of the machine the fleet is run from (host.name). */
  fleetHost: string;
  /** MCP Fleet's version (service.version and the scope's version). */
  version: string;
}

export const SCOPE_NAME = 'mcp-fleet.audit';

// SeverityNumber of the OTLP data model.
const SEVERITY_INFO = 9;
const SEVERITY_WARN = 13;

/** Outcomes that are not a failure of the call: it answered, or it waits for the client's input. */
const FINE_OUTCOMES = new Set(['ok', 'input_required']);

/** One request carrying `calls`, oldest first. */
export function otlpLogsRequest(calls: readonly StoredAuditCall[], resource: OtlpResource): OtlpLogsRequest {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            str('service.name', 'mcp-fleet'),
            str('service.version', resource.version),
            str('host.name', resource.fleetHost),
          ],
        },
        scopeLogs: [
          {
            scope: { name: SCOPE_NAME, version: resource.version },
            logRecords: calls.map(logRecord),
          },
        ],
      },
    ],
  };
}

export function logRecord(c: StoredAuditCall): OtlpLogRecord {
  const warn = !FINE_OUTCOMES.has(c.outcome);
  const observed = unixNano(c.collectedAt) ?? '0';
  const attributes: KeyValue[] = [str('mcp_fleet.server', c.server), str('mcp_fleet.instance', c.instance)];
  const optional = (key: string, value: string | null): void => {
    if (value !== null) attributes.push(str(key, value));
  };
  optional('mcp_fleet.member', c.member);
  attributes.push(str('mcp_fleet.method', c.method));
  optional('mcp_fleet.target', c.target);
  attributes.push(str('mcp_fleet.outcome', c.outcome));
  if (c.ms !== null) attributes.push(num('mcp_fleet.duration_ms', c.ms));
  optional('mcp_fleet.correlation_id', c.correlationId);
  optional('mcp_fleet.session_id', c.session);
  return {
    timeUnixNano: unixNano(c.at) ?? observed,
    observedTimeUnixNano: observed,
    severityNumber: warn ? SEVERITY_WARN : SEVERITY_INFO,
    severityText: warn ? 'WARN' : 'INFO',
    body: { stringValue: [c.method, c.target, c.outcome].filter((p) => p !== null).join(' ') },
    attributes,
  };
}

/** An ISO time as nanoseconds since the epoch, a decimal string; null when it is not a time. */
export function unixNano(iso: string): string | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms >= 0 ? (BigInt(ms) * 1_000_000n).toString() : null;
}

function str(key: string, value: string): KeyValue {
  return { key, value: { stringValue: value } };
}

function num(key: string, value: number): KeyValue {
  return { key, value: Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
}
