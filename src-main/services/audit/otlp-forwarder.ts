/**
 * Forwards the audit trail to the operator's OTLP/HTTP collector as logs: the calls after a cursor in
 * the store, in batches, oldest first. The cursor moves only after the collector accepted a batch (2xx),
 * so nothing is lost while it is down and nothing is sent twice; a lease in the store lets one process
 * at a time forward (the app and the CLI beside it share the store). Calls that retention deleted before
 * their turn are counted as skipped in the status, not passed over in silence.
 */
import { randomUUID } from 'node:crypto';
import type { AuditForwardStatus, AuditForwarded } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { DEFAULT_RETRY, deliver, type RetryOptions } from '../alerts/webhook-sender';
import type { Store } from '../store/store';
import { shownEndpoint, type AuditSettingsService, type OtlpTarget } from './audit-settings';
import { otlpLogsRequest, type OtlpResource } from './otlp-logs';

export const DEFAULT_BATCH = 500;

export interface OtlpForwarderOptions {
  store: Store;
  settings: AuditSettingsService;
  resource: OtlpResource;
  /** Calls per request. */
  batchSize?: number;
  /** Tries per batch, their back-off and each one's timeout; a 429's Retry-After is honoured. */
  retry?: RetryOptions;
  clock?: () => number;
  log?: (line: string) => void;
}

export class OtlpForwarder {
  private readonly owner = randomUUID();
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private readonly retry: RetryOptions;
  private running: Promise<AuditForwarded> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopping = false;

  constructor(private readonly o: OtlpForwarderOptions) {
    this.clock = o.clock ?? Date.now;
    this.log = o.log ?? ((line) => console.warn(line));
    this.retry = o.retry ?? DEFAULT_RETRY;
  }

  /**
   * Sends every call not yet forwarded now (or joins the run underway); stops at the first batch the
   * collector does not accept, which is tried again next time. Throws FleetError('invalid_input') when
   * no endpoint is set.
   */
  forward(): Promise<AuditForwarded> {
    const target = this.o.settings.target();
    if (target === null) {
      return Promise.reject(
        new FleetError(
          'invalid_input',
          'no OTLP endpoint is set (mcp-fleet audit settings --otlp-endpoint http://collector:4318/v1/logs)',
        ),
      );
    }
    this.running ??= this.run(target).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Where forwarding stands. */
  status(): AuditForwardStatus {
    const repo = this.o.store.auditForward;
    const s = repo.state();
    const url = this.o.settings.target()?.url ?? null;
    return {
      endpoint: shownEndpoint(url),
      cursor: s.cursor,
      pending: repo.pendingAfter(s.cursor ?? 0),
      sent: s.sent,
      skipped: s.skipped,
      lastAttemptAt: s.lastAttemptAt,
      lastSentAt: s.lastSentAt,
      lastError: s.lastError,
      busy: s.leaseOwner !== null && s.leaseOwner !== this.owner && (s.leaseUntil ?? 0) > this.clock(),
    };
  }

  /** Forwards after a collection when an endpoint is set; failures only land in the status and the log. */
  afterCollect(): void {
    if (this.stopping || this.o.settings.target() === null) return;
    void this.forwardLogged();
  }

  /** Forwards every intervalMs (when an endpoint is set), besides after each collection, until stop(). */
  start(intervalMs: number): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const next = (): void => {
      if (!this.started) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        const run = this.o.settings.target() === null ? Promise.resolve() : this.forwardLogged();
        void run.finally(next);
      }, intervalMs);
      this.timer.unref();
    };
    next();
  }

  /** Stops the schedule and waits for the run underway, which ends after its current batch. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async run(target: OtlpTarget): Promise<AuditForwarded> {
    const repo = this.o.store.auditForward;
    const batchSize = this.o.batchSize ?? DEFAULT_BATCH;
    if (!this.lease()) return { ...this.status(), sentNow: 0, skippedNow: 0, delivered: false };
    const iso = (): string => new Date(this.clock()).toISOString();
    let sentNow = 0;
    let skippedNow = 0;
    let error: string | null = null;
    let cut = false;
    try {
      let cursor = repo.startCursor();
      for (;;) {
        const calls = repo.after(cursor, batchSize);
        const last = calls.at(-1)?.seq;
        if (last === undefined) {
          skippedNow += repo.skipPrunedTail(this.owner, cursor, iso());
          break;
        }
        // The lease must outlast every try of this batch, or another process could send it too.
        if (!this.lease()) {
          error = 'another process took over forwarding';
          break;
        }
        const result = await deliver(
          {
            id: 'otlp',
            name: 'otlp',
            format: 'generic',
            url: target.url,
            headers: target.headers,
            createdAt: '',
          },
          otlpLogsRequest(calls, this.o.resource),
          this.retry,
        );
        if (!result.delivered) {
          error = `the OTLP collector did not take ${calls.length} calls after #${cursor}: ${result.message}`;
          break;
        }
        if (!repo.advance(this.owner, cursor, last, calls.length, iso())) {
          error = 'the forwarding cursor moved in another process; stopped';
          break;
        }
        sentNow += calls.length;
        skippedNow += last - cursor - calls.length;
        cursor = last;
        if (this.stopping) {
          cut = true;
          break;
        }
      }
    } finally {
      repo.noteAttempt(iso(), error);
      repo.releaseLease(this.owner);
    }
    return { ...this.status(), sentNow, skippedNow, delivered: error === null && !cut };
  }

  /** A run of the schedules: what stopped it goes to the log (a command reports it itself). */
  private async forwardLogged(): Promise<void> {
    try {
      const r = await this.forward();
      if (r.lastError !== null && !r.delivered && !r.busy)
        this.log(`audit forwarding stopped: ${r.lastError}`);
    } catch (err) {
      this.log(`audit forwarding failed: ${messageOf(err)}`);
    }
  }

  private lease(): boolean {
    const now = this.clock();
    // One batch at most: every try with its timeout and the longest wait between tries, and a margin.
    const ms = this.retry.attempts * (this.retry.timeoutMs + this.retry.maxDelayMs) + 30_000;
    return this.o.store.auditForward.takeLease(this.owner, now, now + ms);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
