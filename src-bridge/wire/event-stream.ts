import type { ServerResponse } from 'node:http';

interface BufferedEvent {
  stream: number;
  n: number;
  data: string;
}

/** The last events of one session, kept so a client can resume a broken stream with Last-Event-ID. */
export class ReplayBuffer {
  private events: BufferedEvent[] = [];
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  push(event: BufferedEvent): void {
    this.events.push(event);
    this.bytes += event.data.length;
    while (this.events.length > this.maxEvents || (this.bytes > this.maxBytes && this.events.length > 1)) {
      const dropped = this.events.shift();
      this.bytes -= dropped?.data.length ?? 0;
    }
  }

  after(stream: number, n: number): BufferedEvent[] {
    return this.events.filter((e) => e.stream === stream && e.n > n);
  }
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Tells nginx-style proxies not to hold events back.
  'x-accel-buffering': 'no',
} as const;

/** Parses an event id this bridge issued (`stream.n`); undefined for anything else. */
export function parseEventId(text: string | undefined): { stream: number; n: number } | undefined {
  const match = text === undefined ? null : /^(\d{1,9})\.(\d{1,12})$/.exec(text);
  if (!match) return undefined;
  return { stream: Number(match[1]), n: Number(match[2]) };
}

/**
 * One logical SSE stream of a session: the standalone GET stream (number 0) or the stream of one POST.
 * Events get ids `stream.n`, go into the session's replay buffer, and are written to whichever HTTP
 * response is attached at the moment; a resumed GET attaches a new one. Without a buffer (a stateless
 * 2026-07-28 exchange, which nothing can resume) events carry no ids and no priming event is sent.
 */
export class EventStream {
  private nextN = 1;
  private writtenUpTo = 0;
  private res: ServerResponse | undefined;
  ended = false;

  constructor(
    readonly no: number,
    private readonly buffer: ReplayBuffer | undefined,
  ) {}

  get attached(): boolean {
    return this.res !== undefined;
  }

  /**
   * Attaches an HTTP response and writes what it missed: events after `afterN` when resuming, else
   * those not yet written anywhere. A priming event (an id, no data) lets the client resume later.
   */
  attach(res: ServerResponse, afterN?: number): void {
    if (this.res && this.res !== res && !this.res.writableEnded) this.res.end();
    if (res.writableEnded || res.destroyed) return;
    this.res = res;
    res.once('close', () => {
      if (this.res === res) this.res = undefined;
    });
    if (!res.headersSent) res.writeHead(200, SSE_HEADERS);
    if (!this.buffer) {
      if (this.ended) res.end();
      return;
    }
    const from = afterN ?? this.writtenUpTo;
    let chunk = '';
    for (const event of this.buffer.after(this.no, from))
      chunk += `id: ${this.no}.${event.n}\ndata: ${event.data}\n\n`;
    if (chunk === '') chunk = `id: ${this.no}.${this.nextN++}\nretry: 1000\ndata: \n\n`;
    this.writtenUpTo = Math.max(this.writtenUpTo, this.nextN - 1);
    res.write(chunk);
    if (this.ended) res.end();
  }

  push(data: string): void {
    const res = this.res;
    if (!this.buffer) {
      if (res && !res.writableEnded && !res.destroyed) res.write(`data: ${data}\n\n`);
      return;
    }
    const n = this.nextN++;
    this.buffer.push({ stream: this.no, n, data });
    if (res && !res.writableEnded && !res.destroyed) {
      res.write(`id: ${this.no}.${n}\ndata: ${data}\n\n`);
      this.writtenUpTo = n;
    }
  }

  /** A comment line that keeps proxies and NAT tables from dropping an idle stream. */
  keepAlive(): void {
    if (this.res && !this.res.writableEnded && !this.res.destroyed) this.res.write(': keep-alive\n\n');
  }

  end(): void {
    this.ended = true;
    if (this.res && !this.res.writableEnded) this.res.end();
    this.res = undefined;
  }
}
