import { describeError } from '../errors';
import { isObject } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import { DEFAULT_SESSION_LEVEL, upstreamLevel, type LogLevelName } from './log-levels';
import type { SessionRegistry } from './sessions';
import type { Upstream } from '../child/upstream';

/** Keeps the child's log level at the most verbose any session wants; sessions are filtered on delivery. */
export class LogLevelControl {
  private applied: LogLevelName | undefined;

  constructor(
    private readonly upstream: Upstream,
    private readonly sessions: SessionRegistry,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    /** Levels asked for by stateless requests now in flight (2026-07-28 `_meta` logLevel). */
    private readonly requested: () => Iterable<LogLevelName> = () => [],
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
    // Once the bridge has set a level (a stateless request asked for `error`, say), sessions that
    // never chose one must still get their default, so the level is put back rather than left.
    const level =
      upstreamLevel([...Array.from(this.sessions.values(), (s) => s.logLevel), ...this.requested()]) ??
      (this.applied !== undefined && this.sessions.size > 0 ? DEFAULT_SESSION_LEVEL : undefined);
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
