import type { JsonObject, JsonRpcId, JsonRpcRequest, JsonRpcResponse } from '../wire/jsonrpc';
import { isObject } from '../wire/jsonrpc';
import type { Member } from '../access/members';
import { callTarget, validInputResponse, type RequestStateCodec } from './request-state';
import type { CallSink } from '../wire/request-sink';
import type { PendingCall, Session } from './session';

/** One question the child asked a stateless client's call. */
export interface Asked {
  upstreamId: JsonRpcId;
  generation: number;
  method: string;
  params: JsonObject | undefined;
}

/** A call whose client was asked for input: the child's questions, by the key the client sees. */
export interface Wait {
  id: string;
  session: Session;
  call: PendingCall;
  target: string;
  round: number;
  outstanding: Map<string, Asked>;
  timer: NodeJS.Timeout | undefined;
  expires: number;
  /** The child's answer, when it came while the client was away. */
  finished: Omit<JsonRpcResponse, 'id'> | undefined;
}

/** Stands in for the client while its call waits: the child may still answer, and that is kept. */
export class WaitingSink implements CallSink {
  readonly done = false;
  constructor(private readonly wait: Wait) {}
  related(): void {
    // Progress and logs of a call nobody is connected to have nowhere to go.
  }
  final(message: object): void {
    const { id: _id, ...answer } = message as JsonRpcResponse;
    this.wait.finished ??= answer;
  }
  abandon(): void {}
}

/** `cid`: the correlation id the answer carries in its result's _meta, for the audit line. */
export type ResumeOutcome =
  { answered: true; outcome: string; cid?: string } | { answered: false; session: Session };

export type EndReason = 'answered' | 'expired' | 'evicted';

const ENDED: Record<EndReason, string> = {
  answered: 'This request was answered already; call again without requestState to start over.',
  expired: 'The input this request waited for did not come in time; call again without requestState.',
  evicted:
    'This request stopped waiting: its client had too many requests waiting for input. Call again without requestState.',
};

export interface WaitLookup {
  readonly codec: RequestStateCodec;
  readonly waits: ReadonlyMap<string, Wait>;
  /** Waits that ended recently, and why, so a late retry can be told. */
  readonly ended: ReadonlyMap<string, EndReason>;
}

/**
 * Checks a retry's requestState and inputResponses before anything reaches the child: the HMAC first,
 * then who it was issued to, which request, whether that request still waits, and in which round.
 */
export function checkRetry(
  lookup: WaitLookup,
  member: Member,
  request: JsonRpcRequest,
): { refusal: string } | { wait: Wait; responses: JsonObject } {
  const params = request.params ?? {};
  const state = params.requestState;
  if (typeof state !== 'string')
    return { refusal: 'requestState must be the string from the input_required result.' };
  const check = lookup.codec.verify(state);
  if (!check.ok)
    return { refusal: 'requestState was not issued by this server, or was altered; call again without it.' };
  const { claims } = check;
  if (claims.member !== member.name) return { refusal: 'requestState was not issued to this client.' };
  if (claims.target !== callTarget(request.method, params))
    return { refusal: 'requestState belongs to another request; retry the request it came with.' };
  const wait = lookup.waits.get(claims.wait);
  if (!wait) {
    const why = lookup.ended.get(claims.wait) ?? (Date.now() > claims.expires ? 'expired' : undefined);
    return {
      refusal: why
        ? ENDED[why]
        : 'This request no longer waits for input (the server restarted); call again without requestState.',
    };
  }
  if (wait.round !== claims.round)
    return { refusal: 'requestState was already used; send the one from the latest input_required result.' };
  const responses = isObject(params.inputResponses) ? params.inputResponses : {};
  for (const [key, asked] of wait.outstanding) {
    if (key in responses && !validInputResponse(asked.method, responses[key]))
      return { refusal: `inputResponses["${key}"] is not a valid result of ${asked.method}.` };
  }
  return { wait, responses };
}

/** The key a server request is shown under: the child's own id, made unique within the call. */
export function freeKey(id: JsonRpcId, taken: string[]): string {
  const base = typeof id === 'string' ? id.slice(0, 64) : String(id);
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.includes(`${base}~${n}`)) return `${base}~${n}`;
}

export function requiredCapabilities(missing: string): JsonObject {
  switch (missing) {
    case 'sampling':
      return { sampling: {} };
    case 'roots':
      return { roots: {} };
    case 'URL elicitation':
      return { elicitation: { url: {} } };
    case 'form elicitation':
      return { elicitation: { form: {} } };
    default:
      return { elicitation: {} };
  }
}
