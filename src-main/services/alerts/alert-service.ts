/**
 * Alerts: what is worth telling the operator (an instance gone unhealthy, a restart storm, a
 * certificate near its end, a quarantined tool, a failed deploy) recorded in the store, shown in the
 * open pages (and by the desktop app), and posted to the operator's webhooks: with retries, once per
 * de-duplication key within a window, and within each webhook's rate limit.
 */
import {
  AlertsAddWebhookInput,
  type AlertKind,
  type AlertSeverity,
  type AlertsListing,
  type AlertsTestResult,
  type AlertView,
  type WebhookView,
} from '../../shared/contract';
import { FleetError, describeZodError } from '../../shared/errors';
import type { AlertRecord, WebhookRecord } from '../store/alert-repository';
import type { Store } from '../store/store';
import type { AlertNotifier } from './notifier';
import { checkHeaders, checkWebhookUrl, shownUrl } from './webhook-rules';
import { DEFAULT_RATE, WebhookRate, type RateOptions } from './webhook-rate';
import { DEFAULT_RETRY, deliver, type DeliveryResult, type RetryOptions } from './webhook-sender';
import { webhookBody, type WebhookMessage } from './webhook-body';

export interface RaiseInput {
  kind: AlertKind;
  severity: AlertSeverity;
  /** What it is about: "memory/alice on lab-1", "server memory". */
  subject: string;
  message: string;
  /** Alerts with the same key within the de-duplication window are raised once; default kind + subject. */
  dedupKey?: string;
  /** A longer (or shorter) window for this key than the service's, e.g. a day for a certificate. */
  repeatAfterMs?: number;
}

export interface AlertServiceOptions {
  store: Store;
  notifiers?: AlertNotifier[];
  /** Names this fleet in webhook bodies (the machine the app runs on). */
  fleet: string;
  clock?: () => number;
  retry?: Partial<RetryOptions>;
  rate?: Partial<RateOptions>;
  /** The same dedup key within this window is raised (and sent) once. Default 30 minutes. */
  dedupWindowMs?: number;
  /** Alerts older than this are deleted from the store. Default 30 days. */
  retentionMs?: number;
  log?: (line: string) => void;
}

const DAY_MS = 24 * 60 * 60_000;
const MAX_SUBJECT = 200;
const MAX_MESSAGE = 2000;

export class AlertService {
  private readonly clock: () => number;
  private readonly retry: RetryOptions;
  private readonly rate: WebhookRate;
  private readonly log: (line: string) => void;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly o: AlertServiceOptions) {
    this.clock = o.clock ?? Date.now;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.log = o.log ?? ((line) => console.warn(line));
    this.rate = new WebhookRate({ ...DEFAULT_RATE, ...o.rate }, this.clock, (id, held) =>
      this.sendHeldSummary(id, held),
    );
  }

  /**
   * Raises an alert: records it unless the same dedup key was raised within the window, shows it, and
   * posts it to every webhook in the background. Returns the alert, or null for a duplicate. Never
   * throws for a delivery problem (those are logged by webhook name and host).
   */
  raise(input: RaiseInput): AlertView | null {
    const now = this.clock();
    const subject = clean(input.subject, MAX_SUBJECT);
    const message = clean(input.message, MAX_MESSAGE);
    const dedupKey = input.dedupKey ?? `${input.kind}:${subject}`;
    const window = input.repeatAfterMs ?? this.o.dedupWindowMs ?? 30 * 60_000;
    const record = this.o.store.alerts.recordUnlessDuplicate(
      { at: iso(now), kind: input.kind, severity: input.severity, subject, message, dedupKey },
      iso(now - window),
    );
    if (!record) return null;
    const alert = toView(record);
    for (const notifier of this.o.notifiers ?? []) {
      try {
        notifier.notify(alert);
      } catch {
        // A notifier that fails must not stop the webhooks.
      }
    }
    for (const webhook of this.o.store.alerts.listWebhooks()) {
      if (!this.rate.take(webhook.id)) continue;
      this.track(this.send(webhook, { ...alert, fleet: this.o.fleet }, `alert ${alert.kind}`));
    }
    return alert;
  }

  /** The webhooks, secrets hidden, and the newest `limit` alerts. */
  list(limit = 50): AlertsListing {
    const alerts = this.o.store.alerts;
    return {
      webhooks: alerts.listWebhooks().map(webhookView),
      alerts: alerts.recent(limit).map(toView),
      lastDay: alerts.countSince(iso(this.clock() - DAY_MS)),
    };
  }

  /**
   * Adds a webhook after checking its URL and headers. Throws FleetError: invalid_input (a bad URL,
   * credentials in it, a bad header), conflict (the name is taken). Nothing is saved on any error.
   */
  addWebhook(given: AlertsAddWebhookInput): WebhookView {
    const parsed = AlertsAddWebhookInput.safeParse(given);
    if (!parsed.success) throw new FleetError('invalid_input', describeZodError(parsed.error));
    const input = parsed.data;
    const url = checkWebhookUrl(input.url, input.allowHttp);
    const headers = checkHeaders(input.headers);
    return webhookView(
      this.o.store.alerts.addWebhook({ name: input.name, url, format: input.format, headers }),
    );
  }

  /** Throws FleetError('not_found') for an unknown name. */
  removeWebhook(name: string): void {
    if (!this.o.store.alerts.removeWebhook(name)) throw notFound(name);
  }

  /** Posts a test alert (not recorded, outside the rate limit) and reports the answer. Throws FleetError('not_found'). */
  async test(name: string): Promise<AlertsTestResult> {
    const webhook = this.o.store.alerts.webhookByName(name);
    if (!webhook) throw notFound(name);
    const result = await this.send(
      webhook,
      {
        kind: 'test',
        severity: 'info',
        subject: 'test alert',
        message: `a test from MCP Fleet (alerts test ${name}); nothing is wrong`,
        at: iso(this.clock()),
        fleet: this.o.fleet,
      },
      'test',
    );
    return { webhook: name, ...result };
  }

  /** Alerts raised in the last 24 hours (the tray's count). */
  lastDayCount(): number {
    return this.o.store.alerts.countSince(iso(this.clock() - DAY_MS));
  }

  /** Deletes alerts older than the retention; returns how many. */
  prune(): number {
    return this.o.store.alerts.pruneBefore(iso(this.clock() - (this.o.retentionMs ?? 30 * DAY_MS)));
  }

  /** Resolves when every delivery underway (retries included) has ended. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  dispose(): void {
    this.rate.dispose();
  }

  private async send(webhook: WebhookRecord, message: WebhookMessage, what: string): Promise<DeliveryResult> {
    const result = await deliver(webhook, webhookBody(webhook.format, message), this.retry);
    if (!result.delivered) this.log(`[mcp-fleet] ${what} to webhook ${webhook.name}: ${result.message}`);
    return result;
  }

  private sendHeldSummary(webhookId: string, held: number): void {
    const webhook = this.o.store.alerts.listWebhooks().find((w) => w.id === webhookId);
    if (!webhook) return;
    const n = held === 1 ? '1 alert was' : `${held} alerts were`;
    this.track(
      this.send(
        webhook,
        {
          kind: 'alerts_held',
          severity: 'warning',
          subject: `rate limit of webhook ${webhook.name}`,
          message: `${n} not sent to this webhook (its rate limit); \`mcp-fleet alerts list\` shows every alert`,
          at: iso(this.clock()),
          fleet: this.o.fleet,
        },
        'summary of held alerts',
      ),
    );
  }

  private track(p: Promise<unknown>): void {
    const settled = p.catch(() => undefined).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }
}

function webhookView(w: WebhookRecord): WebhookView {
  return {
    name: w.name,
    url: shownUrl(w.url),
    format: w.format,
    headers: w.headers.map(([name]) => name),
    createdAt: w.createdAt,
  };
}

function toView(r: AlertRecord): AlertView {
  return {
    seq: r.seq,
    at: r.at,
    kind: r.kind as AlertKind,
    severity: r.severity as AlertSeverity,
    subject: r.subject,
    message: r.message,
  };
}

function notFound(name: string): FleetError {
  return new FleetError('not_found', `no webhook named "${name}" (see mcp-fleet alerts list)`);
}

/** One line, control characters out, cut to `max`. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
