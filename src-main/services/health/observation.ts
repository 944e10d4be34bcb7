/** What one sweep learns about one instance, before it is judged (classify.ts). */

/** Docker's view of the container, from the host's one list call plus an inspect where needed. */
export interface ContainerFacts {
  kind: 'found';
  id: string;
  /** Docker's state: created, running, restarting, exited, paused, dead, removing. */
  state: string;
  /** From inspect; null while the container was not inspected this sweep. */
  exitCode: number | null;
  oomKilled: boolean | null;
  restartCount: number | null;
  /** Epoch ms; null when unknown or never started. */
  startedAt: number | null;
  finishedAt: number | null;
  /** The engine's own error for a container that failed to start. */
  error: string | null;
  /** Where the bridge answers on the host (the published port), or null when nothing is published. */
  target: { address: string; port: number } | null;
}

export type ContainerView =
  | ContainerFacts
  | { kind: 'missing' }
  /** The host answered over SSH but its Docker engine did not. */
  | { kind: 'error'; message: string };

/** The bridge's authenticated /status (src-bridge/health.ts statusReport). */
export interface BridgeStatus {
  uptimeSeconds: number;
  child: {
    state: string;
    pid: number | null;
    restarts: number;
    lastExit: { code: number | null; signal: string | null; at: string; error?: string | undefined } | null;
  };
  sessions: number;
  requests: Record<string, { count: number; errors: number }>;
  latencyMs: { p50: number | null; p99: number | null; window: number };
}

export type FailureKind =
  /** Nothing listens on the port (connection refused). */
  | 'refused'
  | 'timeout'
  /** 401: the member's token is not one the bridge knows. */
  | 'unauthorized'
  /** 403: the bridge refuses the monitor's source address (--allow-cidr) or origin. */
  | 'forbidden'
  | 'rate_limited'
  /** A JSON-RPC error: the bridge answers, its server does not. */
  | 'unavailable'
  | 'http'
  | 'protocol'
  /** The bridge presented another certificate than the one deployed to it (the pin). */
  | 'tls'
  /** The connection broke underway. */
  | 'transport';

export interface ProbeFailure {
  kind: FailureKind;
  message: string;
}

export type Probe<T> = { ok: true; value: T } | { ok: false; failure: ProbeFailure };

export interface Observation {
  /** Epoch ms of the sweep. */
  now: number;
  host: { reachable: true } | { reachable: false; message: string };
  /** null when the host was not reached. */
  container: ContainerView | null;
  /** null when not tried (host unreachable, container not running, token refused before). */
  status: Probe<BridgeStatus> | null;
  ping: Probe<{ rttMs: number }> | null;
  /** The operator stopped the instance (`instances stop`): a stopped container is then expected. */
  stoppedOnPurpose?: boolean;
}

/** Recent events the monitor remembers per instance, pruned to the restart window. */
export interface RecentEvents {
  childExits: {
    at: number;
    exit: { code: number | null; signal: string | null; error?: string | undefined };
  }[];
  containerRestarts: { at: number; exitCode: number | null }[];
  /** Slow request percentiles seen while clients (not the monitor) were sending requests. */
  slowTraffic: { at: number; p99: number; window: number } | null;
}
