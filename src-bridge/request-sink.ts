import type { ServerResponse } from 'node:http';
import type { EventStream } from './event-stream';

export interface Accepts {
  json: boolean;
  sse: boolean;
}

/** Opens the SSE stream a POST's related messages go on; the session owns it so GET can resume it. */
export type StreamOpener = () => EventStream;

/**
 * Where the answer to one POSTed request goes. It stays a plain JSON response unless something must
 * travel before the answer (progress, a server request), and only then becomes an SSE stream: JSON is
 * cheaper for both ends, and most calls need nothing more. Headers the caller set on the response
 * beforehand (the session id, CORS) go out either way.
 */
export class RequestSink {
  private stream: EventStream | undefined;
  done = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly accepts: Accepts,
    private readonly openStream: StreamOpener,
  ) {}

  /** A message that belongs to this request but is not its answer. */
  related(message: object): void {
    if (this.done) return;
    this.sse().push(JSON.stringify(message));
  }

  /** The answer; ends the response. */
  final(message: object): void {
    if (this.done) return;
    this.done = true;
    const body = JSON.stringify(message);
    if (!this.stream && this.accepts.json) {
      if (this.res.writableEnded || this.res.destroyed) return;
      this.res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      this.res.end(body);
      return;
    }
    const stream = this.sse();
    stream.push(body);
    stream.end();
  }

  /** Ends the response without an answer: the client cancelled the request and expects none. */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    if (this.stream) this.stream.end();
    else if (!this.res.headersSent && !this.res.destroyed) {
      // An empty event stream: valid for a request, and carries no id so the client will not resume it.
      this.res.writeHead(200, { 'content-type': 'text/event-stream' });
      this.res.end();
    }
  }

  private sse(): EventStream {
    if (!this.stream) {
      this.stream = this.openStream();
      if (!this.res.writableEnded && !this.res.destroyed) this.stream.attach(this.res);
    }
    return this.stream;
  }
}
