import { describeError } from './errors';
import { isObject } from './jsonrpc';
import type { Logger } from './log';
import { upstreamLevel, type LogLevelName } from './log-levels';
import type { SessionRegistry } from './sessions';
import type { Upstream } from './upstream';

/** Keeps the child's log level at the most verbose any session wants; sessions are filtered on delivery. */
export class LogLevelControl {
  private applied: LogLevelName | undefined;

  constructor(
    private readonly upstream: Upstream,
    private readonly sessions: SessionRegistry,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  get supported(): boolean {
    return isObject(this.upstream.initResult?.capabilities.logging);
  }

  /** A new child starts at its default level: the next apply() sets it again. */
  reset(): void {
    this.applied = undefined;
  }

  async apply(): Promise<void> {
    if (!this.upstream.ready || !this.supported) return;
    const level = upstreamLevel(Array.from(this.sessions.values(), (s) => s.logLevel));
    if (level === undefined || level === this.applied) return;
    this.applied = level;
    try {
      await this.upstream.request('logging/setLevel', { level }, this.timeoutMs);
    } catch (err) {
      this.applied = undefined;
      this.log.warn('set_level_failed', { error: describeError(err) });
    }
  }
}
