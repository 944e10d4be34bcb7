/** Request counters and latency figures for /status and /metrics. */

// Methods are client-chosen strings; only these become labels, so a client cannot grow the label set.
const KNOWN_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'server/discover',
  'subscriptions/listen',
]);

export interface MethodCounts {
  count: number;
  errors: number;
}

export class Metrics {
  readonly byMethod = new Map<string, Map<string, number>>();
  authFailures = 0;
  rateLimited = 0;
  serverRequestsRefused = 0;
  private readonly samples: Float64Array;
  private sampleCount = 0;

  constructor(sampleSize = 2048) {
    this.samples = new Float64Array(sampleSize);
  }

  record(method: string, outcome: string, ms: number): void {
    const label = KNOWN_METHODS.has(method) ? method : 'other';
    let outcomes = this.byMethod.get(label);
    if (!outcomes) {
      outcomes = new Map();
      this.byMethod.set(label, outcomes);
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    this.samples[this.sampleCount % this.samples.length] = ms;
    this.sampleCount += 1;
  }

  methodCounts(): Record<string, MethodCounts> {
    const out: Record<string, MethodCounts> = {};
    for (const [method, outcomes] of this.byMethod) {
      let count = 0;
      let errors = 0;
      for (const [outcome, n] of outcomes) {
        count += n;
        // An input_required round is a step of a call, not a failure of it.
        if (outcome !== 'ok' && outcome !== 'input_required') errors += n;
      }
      out[method] = { count, errors };
    }
    return out;
  }

  /** Latency percentiles in milliseconds over the most recent requests; null before any. */
  percentiles(): { p50: number | null; p99: number | null; window: number } {
    const n = Math.min(this.sampleCount, this.samples.length);
    if (n === 0) return { p50: null, p99: null, window: 0 };
    const sorted = this.samples.slice(0, n).sort();
    const at = (q: number): number => sorted[Math.min(n - 1, Math.floor(q * n))] ?? 0;
    return { p50: round(at(0.5)), p99: round(at(0.99)), window: n };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
