import type { BridgeMode } from '../ops/cli-args';
import type { DefinitionPins } from '../access/definition-pins';
import { filterList, mayReceive } from '../access/member-access';
import {
  classify,
  isObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../wire/jsonrpc';
import type { InputRounds } from './input-rounds';
import type { Logger } from '../ops/log';
import { routeLogLine } from './log-routing';
import type { ToolHeaderIndex } from '../wire/param-headers';
import type { Metrics } from '../ops/metrics';
import type { PendingCalls } from './pending';
import type { Session } from './session';
import { ServerRequestRouter } from './server-request-router';
import type { SessionRegistry } from './sessions';
import type { Root } from './shared-roots';
import type { StatelessRegistry } from './stateless-registry';
import type { Subscriptions } from './subscriptions';
import type { TaskOwners } from './tasks';
import type { Upstream } from '../child/upstream';

export interface RouterDeps {
  upstream: Upstream;
  sessions: SessionRegistry;
  pending: PendingCalls;
  subscriptions: Subscriptions;
  tasks: TaskOwners;
  metrics: Metrics;
  log: Logger;
  mode: BridgeMode;
  stateless: StatelessRegistry;
  inputs: InputRounds;
  toolHeaders: ToolHeaderIndex;
  /** Shared mode: the operator's roots (--root), the only answer the server ever gets to roots/list. */
  roots: readonly Root[];
  /** With --approved: lists are cut to the approved definitions before any member filtering. */
  pins: DefinitionPins | undefined;
}

/** Routes what the child sends to the one session it belongs to, and never to any other. */
export class ChildRouter {
  private readonly requests: ServerRequestRouter;

  constructor(private readonly d: RouterDeps) {
    this.requests = new ServerRequestRouter(d);
  }

  /** Server requests sent to sessions and not answered yet. */
  get serverRequestsWaiting(): number {
    return this.requests.waiting;
  }

  onMessage(raw: unknown): void {
    const classified = classify(raw);
    switch (classified.kind) {
      case 'response':
        this.onResponse(classified.message);
        return;
      case 'request':
        this.onServerRequest(classified.message);
        return;
      case 'notification':
        this.onNotification(classified.message);
        return;
      case 'invalid':
        this.d.log.warn('child_message_invalid', { reason: classified.reason });
        return;
    }
  }

  private onResponse(message: JsonRpcResponse): void {
    const call = this.d.pending.get(message.id);
    if (!call) {
      this.d.log.debug('child_response_unmatched', {});
      return;
    }
    if (message.error) {
      this.d.pending.finish(call, { jsonrpc: '2.0', error: message.error }, 'error');
      return;
    }
    let result = message.result;
    if (call.method === 'tools/list') this.d.toolHeaders.learn(result);
    // Not approved (--approved) is left out for every member; then what this member may use.
    if (this.d.pins !== undefined) result = this.d.pins.screen(call.method, result);
    if (call.method === 'tasks/list') result = this.d.tasks.filterList(call.session, result);
    else {
      // tools/list, prompts/list, resources/list and resources/templates/list: only what the member may use.
      result = filterList(call.method, result, call.session.member);
      this.d.tasks.recordResult(call.session, result);
    }
    const outcome = isObject(result) && result.isError === true ? 'tool_error' : 'ok';
    this.d.pending.finish(call, { jsonrpc: '2.0', result }, outcome);
  }

  private onNotification(message: JsonRpcNotification): void {
    const params = message.params;
    switch (message.method) {
      case 'notifications/progress': {
        const call = this.d.pending.get(params?.progressToken);
        if (call?.progressToken !== undefined) {
          call.sink.related({ ...message, params: { ...params, progressToken: call.progressToken } });
        }
        return;
      }
      case 'notifications/cancelled':
        this.d.inputs.onChildCancelled(params?.requestId);
        this.requests.onChildCancelled(message);
        return;
      case 'notifications/tools/list_changed':
        this.d.toolHeaders.forget();
        this.d.pins?.forget('tools');
        this.broadcast(message);
        return;
      case 'notifications/prompts/list_changed':
        this.d.pins?.forget('prompts');
        this.broadcast(message);
        return;
      case 'notifications/resources/list_changed':
        this.d.pins?.forget('resourceTemplates');
        this.broadcast(message);
        return;
      case 'notifications/resources/updated': {
        // Only sessions and listen streams that subscribed to the uri, and only if their member may read
        // it (a subscription the bridge refused never exists; this holds whatever the server names).
        const uri = params?.uri;
        if (typeof uri !== 'string') return;
        for (const session of this.d.subscriptions.subscribers(uri))
          if (mayReceive(session.member, message.method, params)) session.deliver(message);
        return;
      }
      case 'notifications/message':
        routeLogLine(this.d, message);
        return;
      case 'notifications/tasks/status':
        this.d.tasks.owner(params?.taskId)?.deliver(message);
        return;
      case 'notifications/elicitation/complete':
        this.requests.onElicitationComplete(message);
        return;
      default:
        // One member's sessions may share anything; in shared mode an unknown notice could leak
        // one member's data to another, so it is dropped.
        if (this.d.mode === 'dedicated') this.broadcast(message);
        else this.d.log.debug('child_notification_dropped', { method: message.method });
    }
  }

  /** To every session and listen stream whose member may receive it (a list change of a kind it has). */
  private broadcast(message: JsonRpcNotification): void {
    const { method, params } = message;
    for (const session of this.d.sessions.values())
      if (mayReceive(session.member, method, params)) session.deliver(message);
    for (const listener of this.d.stateless.listeners)
      if (mayReceive(listener.member, method, params)) listener.deliver(message);
  }

  /** A request from the server (sampling, elicitation, roots): see ServerRequestRouter. */
  private onServerRequest(request: JsonRpcRequest): void {
    this.requests.onServerRequest(request);
  }

  /** A client's answer to a server request: back to the child under the child's id. */
  onClientResponse(session: Session, response: JsonRpcResponse): void {
    this.requests.onClientResponse(session, response);
  }

  /** The child that asked is gone: tell each session its server request is cancelled. */
  onChildExit(): void {
    this.requests.onChildExit();
  }

  /** The session ended with server requests unanswered: the child gets an error for each. */
  dropSession(session: Session): void {
    this.requests.dropSession(session);
  }
}
