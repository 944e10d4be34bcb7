import http from 'node:http';
import { inspect } from 'node:util';
import type { ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';

export type OpenStream = () => Promise<Duplex>;

/** Gives an ssh2 channel the few net.Socket methods Node's HTTP client and agent call on their socket. */
function socketLike(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  const chain = () => s;
  for (const name of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof s[name] !== 'function') s[name] = chain;
  }
  // The engine never half-closes an HTTP connection: an ended one is finished, and must leave the idle pool.
  s.once('end', () => s.destroy());
  return s;
}

/**
 * An HTTP agent whose connections are streams opened by `open` (here: /var/run/docker.sock forwarded
 * over the host's held SSH session), so every Docker API request costs one channel open, not a login.
 * Idle channels are kept for the next request, as a keep-alive socket would be.
 */
export class StreamAgent extends http.Agent {
  constructor(
    private readonly open: OpenStream,
    options: { keepAlive: boolean },
  ) {
    // maxFreeSockets bounds the idle channels held per host; the session's channel limit is far above it.
    super({ keepAlive: options.keepAlive, maxFreeSockets: 4 });
  }

  // docker-modem formats every request's options with util.inspect, debug logging on or not; without
  // this, that walks the whole SSH session and its channels on each call (seconds at a 200-container scale).
  [inspect.custom](): string {
    return 'StreamAgent';
  }

  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.open().then(
      // A request given an already-closed socket never hears of it and would wait forever.
      (stream) =>
        stream.destroyed
          ? callback?.(
              new Error('the forwarded channel closed before its request was sent'),
              undefined as never,
            )
          : callback?.(null, socketLike(stream)),
      (err: unknown) => callback?.(err instanceof Error ? err : new Error(String(err)), undefined as never),
    );
    return undefined;
  }
}
