import type { ServerResponse } from 'node:http';
import { EventStream } from './event-stream';
import { isObject, type JsonObject, type JsonRpcErrorObject } from './jsonrpc';
import { statelessError, statelessErrorStatus, statelessResult } from './stateless-results';
import { RequestSink, type Accepts } from './request-sink';

/**
 * The answer channel of one 2026-07-28 exchange: the same JSON-or-SSE choice as a session's request,
 * but every answer is put in that revision's shape on the way out (resultType, cache hints, server
 * name, error codes and their HTTP status), and its stream carries no event ids since nothing can
 * resume it.
 */
export class StatelessSink extends RequestSink {
  constructor(
    res: ServerResponse,
    accepts: Accepts,
    private readonly method: string,
    private readonly uri: unknown,
    private readonly initResult: () => JsonObject | undefined,
  ) {
    super(res, accepts, () => new EventStream(0, undefined));
  }

  override final(message: object, status?: number): void {
    const answer = message as { result?: unknown; error?: JsonRpcErrorObject };
    if (isObject(answer.error)) {
      const error = statelessError(this.method, answer.error, this.uri);
      super.final({ ...message, error }, status ?? statelessErrorStatus(error.code));
      return;
    }
    if ('result' in answer) {
      super.final(
        { ...message, result: statelessResult(this.method, answer.result, this.initResult()) },
        status,
      );
      return;
    }
    super.final(message, status);
  }
}
