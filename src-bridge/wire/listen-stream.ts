import type { ServerResponse } from 'node:http';
import { SSE_HEADERS } from './event-stream';
import { isObject, type JsonObject, type JsonRpcId } from './jsonrpc';
import type { Member } from '../access/members';
import { SUBSCRIPTION_ID_KEY } from './stateless-envelope';
import { Session, type SessionLimits } from '../core/session';

/** What a 2026-07-28 client opted in to on one subscriptions/listen stream (SubscriptionFilter). */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

const LIST_CHANGED: Readonly<Record<string, keyof ListenFilter>> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** Reads a client's filter, keeping only well-formed fields; undefined when it is not an object. */
export function parseFilter(value: unknown): ListenFilter | undefined {
  if (!isObject(value)) return undefined;
  const filter: ListenFilter = {};
  for (const key of ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const)
    if (value[key] === true) filter[key] = true;
  if (Array.isArray(value.resourceSubscriptions)) {
    const uris = value.resourceSubscriptions.filter((u): u is string => typeof u === 'string');
    if (uris.length > 0) filter.resourceSubscriptions = [...new Set(uris)].slice(0, 256);
  }
  return filter;
}

/** The part of a filter the server can honour, given the capabilities the child declared. */
export function honouredFilter(wanted: ListenFilter, capabilities: JsonObject): ListenFilter {
  const out: ListenFilter = {};
  if (wanted.toolsListChanged && isObject(capabilities.tools)) out.toolsListChanged = true;
  if (wanted.promptsListChanged && isObject(capabilities.prompts)) out.promptsListChanged = true;
  const resources = isObject(capabilities.resources) ? capabilities.resources : undefined;
  if (wanted.resourcesListChanged && resources) out.resourcesListChanged = true;
  if (wanted.resourceSubscriptions && resources?.subscribe === true)
    out.resourceSubscriptions = wanted.resourceSubscriptions;
  return out;
}

/**
 * One open subscriptions/listen stream. It is a session to the rest of the bridge (so the
 * reference-counted resource subscriptions and the list_changed broadcast reach it unchanged) whose
 * deliver() writes only what its filter asked for, tagged with the subscription id.
 */
export class ListenSession extends Session {
  private res: ServerResponse | undefined;

  constructor(
    member: Member,
    clientCapabilities: JsonObject,
    clientName: string,
    limits: SessionLimits,
    readonly subscriptionId: JsonRpcId,
    public filter: ListenFilter,
  ) {
    super(member, '2026-07-28', clientCapabilities, clientName, limits);
  }

  /** Opens the stream with the acknowledgement, which must come first. */
  open(res: ServerResponse): void {
    this.res = res;
    res.writeHead(200, SSE_HEADERS);
    this.write({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: this.filter, _meta: { [SUBSCRIPTION_ID_KEY]: this.subscriptionId } },
    });
  }

  override deliver(message: object): void {
    if (this.closed) return;
    const note = message as { method?: unknown; params?: unknown };
    const method = typeof note.method === 'string' ? note.method : '';
    const flag = LIST_CHANGED[method];
    if (flag !== undefined ? this.filter[flag] !== true : method !== 'notifications/resources/updated')
      return;
    const params = isObject(note.params) ? note.params : {};
    const meta = isObject(params._meta) ? params._meta : {};
    this.write({
      ...note,
      params: { ...params, _meta: { ...meta, [SUBSCRIPTION_ID_KEY]: this.subscriptionId } },
    });
  }

  override get hasOpenStream(): boolean {
    return this.res !== undefined && !this.closed;
  }

  override keepAlive(): void {
    const res = this.res;
    if (res && !res.writableEnded && !res.destroyed) res.write(': keep-alive\n\n');
  }

  /** Ends the stream; at shutdown with the result that tells the client the server closed it. */
  override close(graceful = false): void {
    if (this.closed) return;
    super.close();
    const res = this.res;
    this.res = undefined;
    if (!res || res.writableEnded || res.destroyed) return;
    if (graceful) {
      this.write(
        {
          jsonrpc: '2.0',
          id: this.subscriptionId,
          result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID_KEY]: this.subscriptionId } },
        },
        res,
      );
    }
    res.end();
  }

  private write(message: object, res = this.res): void {
    if (res && !res.writableEnded && !res.destroyed) res.write(`data: ${JSON.stringify(message)}\n\n`);
  }
}
