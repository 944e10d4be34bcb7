/**
 * A minimal MCP client over a stdio server's pipes (newline-delimited JSON-RPC), enough for
 * initialize + every page of tools/list. Requests the server sends are answered (ping) or refused, as a
 * client without capabilities would; anything that is not JSON is ignored, as the bridge does.
 */
import type { Readable, Writable } from 'node:stream';

const PROTOCOL_VERSION = '2025-11-25';
const MAX_PAGES = 1000;
/** A line longer than this is not a message this client can use (a tools/list page is far smaller). */
const MAX_LINE = 16 * 1024 * 1024;

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
}

export class StdioRpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private closedWith: Error | null = null;

  constructor(
    output: Readable,
    private readonly input: Writable,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.take(chunk));
    output.on('end', () => this.close(new Error('the server closed its output')));
    output.on('error', (err) => this.close(err));
  }

  /** initialize, notifications/initialized, then tools/list until there is no nextCursor. Throws Error. */
  async listTools(clientVersion: string): Promise<Record<string, unknown>[]> {
    await this.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mcp-fleet-tool-probe', version: clientVersion },
    });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const tools: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = (await this.request('tools/list', cursor === undefined ? {} : { cursor })) as {
        tools?: unknown;
        nextCursor?: unknown;
      };
      if (!Array.isArray(result.tools)) throw new Error('its answer to tools/list has no tools');
      for (const tool of result.tools as unknown[]) {
        if (
          tool === null ||
          typeof tool !== 'object' ||
          typeof (tool as { name?: unknown }).name !== 'string'
        ) {
          throw new Error('its answer to tools/list holds a tool without a name');
        }
        tools.push(tool as Record<string, unknown>);
      }
      if (typeof result.nextCursor !== 'string' || result.nextCursor === '') return tools;
      cursor = result.nextCursor;
    }
    throw new Error(`tools/list went on for more than ${MAX_PAGES} pages`);
  }

  /** Fails every open request (the server exited, the deadline passed). */
  close(err: Error): void {
    if (this.closedWith !== null) return;
    this.closedWith = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private request(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  private send(message: Record<string, unknown>): void {
    this.input.write(`${JSON.stringify(message)}\n`);
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE && !this.buffer.includes('\n')) {
      this.close(new Error('it wrote a line longer than 16 MiB'));
      this.buffer = '';
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line !== '') this.handle(line);
    }
  }

  private handle(line: string): void {
    let message: { id?: unknown; method?: unknown; result?: unknown; error?: { message?: unknown } | null };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if (typeof message.method === 'string') {
      // A request from the server: this client offers nothing but ping.
      if (message.id !== undefined) {
        this.send(
          message.method === 'ping'
            ? { jsonrpc: '2.0', id: message.id, result: {} }
            : { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'not supported' } },
        );
      }
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error !== undefined) {
      const text = message.error?.message;
      pending.reject(new Error(`it answered with an error: ${String(text).slice(0, 300)}`));
    } else {
      pending.resolve(message.result ?? {});
    }
  }
}
