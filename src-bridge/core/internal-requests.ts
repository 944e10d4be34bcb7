import type { JsonRpcErrorObject, JsonRpcId, JsonRpcResponse } from '../wire/jsonrpc';

/** An error a child answered one of the bridge's own requests with. */
export class UpstreamError extends Error {
  constructor(readonly rpcError: JsonRpcErrorObject) {
    super(rpcError.message);
  }
}

interface InternalCall {
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The bridge's own requests to the child (initialize, subscriptions, log level) waiting for answers. */
export class InternalRequests {
  private readonly calls = new Map<JsonRpcId, InternalCall>();

  /** The answer to the request sent under id: its result, UpstreamError, or Error after timeoutMs. */
  wait(id: JsonRpcId, method: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`the MCP server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.calls.set(id, { resolve, reject, timer });
    });
  }

  /** Settles the request a response answers; false when it answers none of the bridge's own. */
  settle(response: JsonRpcResponse): boolean {
    const call = response.id === null ? undefined : this.calls.get(response.id);
    if (!call || response.id === null) return false;
    this.calls.delete(response.id);
    clearTimeout(call.timer);
    if (response.error) call.reject(new UpstreamError(response.error));
    else call.resolve(response.result);
    return true;
  }

  /** The child is gone: every request waiting for it fails now. */
  failAll(err: Error): void {
    for (const call of this.calls.values()) {
      clearTimeout(call.timer);
      call.reject(err);
    }
    this.calls.clear();
  }
}
