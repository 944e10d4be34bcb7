import { describeError } from '../errors';
import type { Forwarder } from './forwarder';
import { ErrorCodes, type JsonRpcResponse } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import type { Session } from './session';
import { UpstreamError, type Upstream } from '../child/upstream';

interface Entry {
  sessions: Set<Session>;
  /** The upstream subscribe in progress or done; every session subscribing to the uri waits on it. */
  upstream: Promise<unknown>;
}

/**
 * resources/subscribe, reference-counted: the child sees one subscription per uri, held by the bridge,
 * whatever the number of sessions; resources/updated then goes only to the sessions that subscribed.
 */
export class Subscriptions {
  private readonly byUri = new Map<string, Entry>();

  constructor(
    private readonly upstream: Upstream,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Serves a client's resources/subscribe or resources/unsubscribe: the answer and its audit outcome. */
  async answer(
    session: Session,
    method: 'resources/subscribe' | 'resources/unsubscribe',
    uri: unknown,
    forwarder: Forwarder,
  ): Promise<[Omit<JsonRpcResponse, 'id'>, string]> {
    const error = (code: number, message: string): Omit<JsonRpcResponse, 'id'> => ({
      jsonrpc: '2.0',
      error: { code, message },
    });
    if (typeof uri !== 'string') return [error(ErrorCodes.invalidParams, 'uri must be a string'), 'error'];
    if (!(await forwarder.ready()))
      return [error(ErrorCodes.serverUnavailable, forwarder.unavailableMessage()), 'unavailable'];
    try {
      if (method === 'resources/subscribe') await this.subscribe(session, uri);
      else await this.unsubscribe(session, uri);
      return [{ jsonrpc: '2.0', result: {} }, 'ok'];
    } catch (err) {
      if (err instanceof UpstreamError) return [{ jsonrpc: '2.0', error: err.rpcError }, 'error'];
      return [
        error(ErrorCodes.serverUnavailable, `The subscription failed: ${describeError(err)}.`),
        'unavailable',
      ];
    }
  }

  /** Throws what the child answered when it refuses the subscription. */
  async subscribe(session: Session, uri: string): Promise<void> {
    let entry = this.byUri.get(uri);
    if (!entry) {
      entry = {
        sessions: new Set(),
        upstream: this.upstream.request('resources/subscribe', { uri }, this.timeoutMs),
      };
      this.byUri.set(uri, entry);
    }
    try {
      await entry.upstream;
    } catch (err) {
      if (this.byUri.get(uri) === entry && entry.sessions.size === 0) this.byUri.delete(uri);
      throw err;
    }
    if (session.closed) return;
    entry.sessions.add(session);
    session.subscriptions.add(uri);
  }

  async unsubscribe(session: Session, uri: string): Promise<void> {
    session.subscriptions.delete(uri);
    const entry = this.byUri.get(uri);
    if (!entry?.sessions.delete(session) || entry.sessions.size > 0) return;
    this.byUri.delete(uri);
    await this.upstream.request('resources/unsubscribe', { uri }, this.timeoutMs);
  }

  subscribers(uri: string): Iterable<Session> {
    return this.byUri.get(uri)?.sessions ?? [];
  }

  dropSession(session: Session): void {
    for (const uri of [...session.subscriptions]) {
      this.unsubscribe(session, uri).catch((err: unknown) => {
        this.log.debug('unsubscribe_failed', { error: describeError(err) });
      });
    }
  }

  /** After a restart the new child knows no subscriptions: subscribe again to every uri still wanted. */
  renew(): void {
    for (const [uri, entry] of this.byUri) {
      entry.upstream = this.upstream.request('resources/subscribe', { uri }, this.timeoutMs);
      entry.upstream.catch((err: unknown) => {
        this.log.warn('resubscribe_failed', { error: describeError(err) });
      });
    }
  }
}
