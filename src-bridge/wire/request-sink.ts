import type { ServerResponse } from 'node:http';
import type { EventStream } from './event-stream';

export interface Accepts {
  json: boolean;
  sse: boolean;
}

/** Opens the SSE stream a POST's related messages go on; the session owns it so GET can resume it. */
export type StreamOpener = () => EventStream;

/** Where everything about one client request goes: messages on the way, then the answer. */
export interface CallSink {
  readonly done: boolean;
  related(message: object): void;
  /** The answer; `status` applies only while nothing has been streamed yet. */
  final(message: object, status?: number): void;
  abandon(): void;
}

/**
 * Where the answer to one POSTed request goes. It stays a plain JSON response unless something must
 * travel before the answer (progress, a server request), and only then becomes an SSE stream: JSON is
 * cheaper for both ends, and most calls need nothing more. Headers the caller set on the response
 * beforehand (the session id, CORS) go out either way.
 */
export class RequestSink implements CallSink {
  private stream: EventStream | undefined;
  done = false;
  /** Called once, when the answer is sent or the request abandoned. */
  onDone: (() => void) | undefined;

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
  final(message: object, status = 200): void {
    if (this.done) return;
    this.done = true;
    this.onDone?.();
    const body = JSON.stringify(message);
    // An error status cannot travel inside an event stream, so a refusal is sent as JSON even to a
    // client that prefers streams; a success to an SSE-only client goes on a stream.
    if (!this.stream && (this.accepts.json || status !== 200)) {
      if (this.res.writableEnded || this.res.destroyed) return;
      this.res.writeHead(status, {
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
    this.onDone?.();
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
