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
