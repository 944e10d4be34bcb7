/** Counts failed authentication attempts per source and blocks a source that fails too often. */
export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** Upper bound on tracked sources, so a flood of spoofed-looking sources cannot grow memory without end. */
  maxSources?: number;
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private readonly maxSources: number;

  constructor(private readonly options: FailureLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.maxSources = options.maxSources ?? 10_000;
  }

  /** Sources tracked now; never more than maxSources. */
  get size(): number {
    return this.windows.size;
  }

  /** Seconds until the source may try again, or 0 when it is not blocked. */
  retryAfter(source: string): number {
    const window = this.windows.get(source);
    if (!window) return 0;
    const elapsed = this.now() - window.start;
    if (elapsed >= this.options.windowMs) {
      this.windows.delete(source);
      return 0;
    }
    return window.failures >= this.options.maxFailures
      ? Math.ceil((this.options.windowMs - elapsed) / 1000)
      : 0;
  }

  recordFailure(source: string): void {
    const now = this.now();
    const window = this.windows.get(source);
    if (window && now - window.start < this.options.windowMs) {
      window.failures += 1;
      return;
    }
    if (!window && this.windows.size >= this.maxSources) this.sweep(now);
    this.windows.set(source, { start: now, failures: 1 });
  }

  private sweep(now: number): void {
    for (const [source, window] of this.windows) {
      if (now - window.start >= this.options.windowMs) this.windows.delete(source);
    }
    // Still full: forget the oldest entries rather than refuse to count new sources.
    for (const source of this.windows.keys()) {
      if (this.windows.size < this.maxSources) break;
      this.windows.delete(source);
    }
  }
}

/**
 * A token bucket: `rate` tokens a second, holding at most `burst`. A member's requests each take one,
 * so a client may send a burst after a quiet spell but no more than `rate` a second for long.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token: 0 when one was there, else whole seconds until one will be (at least 1). */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}
