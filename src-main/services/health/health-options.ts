import { FleetError } from '../../shared/errors';

/** The monitor's knobs, with the defaults an operator gets. */
export interface HealthOptions {
  /** Time between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** Limit for each request to a bridge and for each host's Docker query. */
  timeoutMs: number;
  /** Instances probed at once, across all hosts. */
  concurrency: number;
  /** Hosts queried at once. */
  hostConcurrency: number;
  /** Failed checks in a row before an instance counts as unhealthy (or unknown), so one lost packet does not flap it. */
  failureThreshold: number;
  /** A ping round trip above this is degraded. */
  slowPingMs: number;
  /** A p99 request latency (from the bridge's /status, while clients send requests) above this is degraded. */
  slowRequestMs: number;
  /** A restart (of the container or of its MCP server process) within this window is degraded. */
  restartWindowMs: number;
  /** First and longest wait before an unreachable host is tried again (doubling in between). */
  hostBackoffBaseMs: number;
  hostBackoffMaxMs: number;
  /** Latency samples kept per instance (the sparkline), and state changes kept (the timeline). */
  historySamples: number;
  historyTransitions: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  intervalMs: 10_000,
  timeoutMs: 5_000,
  concurrency: 64,
  hostConcurrency: 16,
  failureThreshold: 2,
  slowPingMs: 1_000,
  slowRequestMs: 5_000,
  restartWindowMs: 10 * 60_000,
  hostBackoffBaseMs: 10_000,
  hostBackoffMaxMs: 5 * 60_000,
  historySamples: 120,
  historyTransitions: 50,
};

/** The defaults with `overrides` on top. Throws FleetError('invalid_input') for a value that is not a positive number. */
export function healthOptions(overrides: Partial<HealthOptions> = {}): HealthOptions {
  const o = { ...DEFAULT_HEALTH_OPTIONS, ...overrides };
  for (const [key, value] of Object.entries(o)) {
    if (!Number.isFinite(value) || value < (key === 'intervalMs' ? 100 : 1)) {
      throw new FleetError(
        'invalid_input',
        `health option ${key} must be a positive number, got ${String(value)}`,
      );
    }
  }
  return o;
}
