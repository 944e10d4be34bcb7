/**
 * Each webhook's rate limit: at most `limit` alerts in any `windowMs`. An alert over the limit is held
 * back, not queued: when the window has room again, one summary saying how many were held goes out
 * instead (every alert stays in the store, where `alerts list` shows it).
 */
export interface RateOptions {
  limit: number;
  windowMs: number;
}

export const DEFAULT_RATE: RateOptions = { limit: 10, windowMs: 60_000 };

interface Slot {
  sent: number[];
  held: number;
  timer: NodeJS.Timeout | null;
}

export class WebhookRate {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly options: RateOptions,
    private readonly clock: () => number,
    /** Sends the summary of `held` alerts to the webhook with that id. */
    private readonly summarize: (webhookId: string, held: number) => void,
  ) {}

  /** True when the webhook may get one more now (and counts it); false when it is held back. */
  take(webhookId: string): boolean {
    const slot = this.slot(webhookId);
    if (slot.sent.length < this.options.limit) {
      slot.sent.push(this.clock());
      return true;
    }
    slot.held += 1;
    this.scheduleSummary(webhookId, slot);
    return false;
  }

  /** Held back, not yet summarized, per webhook id. */
  heldCount(webhookId: string): number {
    return this.slots.get(webhookId)?.held ?? 0;
  }

  dispose(): void {
    for (const slot of this.slots.values()) if (slot.timer) clearTimeout(slot.timer);
    this.slots.clear();
  }

  private slot(webhookId: string): Slot {
    let slot = this.slots.get(webhookId);
    if (!slot) this.slots.set(webhookId, (slot = { sent: [], held: 0, timer: null }));
    const since = this.clock() - this.options.windowMs;
    slot.sent = slot.sent.filter((at) => at > since);
    return slot;
  }

  private scheduleSummary(webhookId: string, slot: Slot): void {
    if (slot.timer) return;
    const oldest = slot.sent[0] ?? this.clock();
    const delay = Math.max(0, oldest + this.options.windowMs - this.clock()) + 1;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      const again = this.slot(webhookId);
      if (again.held === 0) return;
      if (again.sent.length >= this.options.limit) return this.scheduleSummary(webhookId, again);
      const held = again.held;
      again.held = 0;
      again.sent.push(this.clock());
      this.summarize(webhookId, held);
    }, delay);
    // Held alerts are in the store already: a CLI run does not stay for their summary.
    slot.timer.unref();
  }
}
