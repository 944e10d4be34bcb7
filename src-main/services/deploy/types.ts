import type { ErrorCode } from '../../shared/errors';
import type { TlsChoice } from '../../shared/contract';

/** Per-server changes to the hardening limits; absent fields keep what was saved (or the default). */
export interface LimitsInput {
  memoryBytes?: number | undefined;
  nanoCpus?: number | undefined;
  pidsLimit?: number | undefined;
  tmpfsSizeBytes?: number | undefined;
  tmpExec?: boolean | undefined;
}

/** What an operator may set at deploy time; given values are saved on the server for later deploys. */
export interface DeployOptions {
  /** Shared: the instance's host port (re-pins it). Dedicated: the first port for members without one. */
  port?: number | undefined;
  publishAddress?: string | undefined;
  allowCidrs?: string[] | undefined;
  limits?: LimitsInput | undefined;
  /** Run the instances as Swarm services on a manager host (saved: later deploys keep doing so). */
  swarm?: boolean | undefined;
  /** How the bridges serve TLS (saved): the fleet CA's leaves (default), the operator's own, or none. */
  tls?: TlsChoice | undefined;
  /** Names clients use for the host, added to the fleet leaves' SANs (--tls-name; replaces the saved list). */
  tlsNames?: string[] | undefined;
}

/** 'none': behind the operator's own TLS terminator, plain HTTP on the port, said loudly everywhere. */
export type { TlsChoice } from '../../shared/contract';

export type InstanceAction = 'created' | 'replaced' | 'unchanged' | 'removed' | 'failed' | 'skipped';

export interface InstanceOutcome {
  name: string;
  member: string | null;
  host: string;
  port: number | null;
  url: string | null;
  action: InstanceAction;
  tools: string[] | null;
  /** When this deploy's connection test passed, and how long initialize + tools/list took (ms). */
  tested?: { at: number; elapsedMs: number };
  error?: string;
  /** The FleetError code of `error`. */
  errorCode?: ErrorCode;
}

export interface DeployResult {
  deployId: string;
  server: string;
  host: string;
  image: string;
  imageBuilt: boolean;
  instances: InstanceOutcome[];
  /** False when the deploy found everything as the definition wants it. */
  changed: boolean;
}

export interface RunOptions {
  onProgress?: (line: string) => void;
  /** One instance at a time, stopping at the first failure (servers update); else several at once. */
  rolling?: boolean;
  /** Shared without members: remove the instance instead of refusing (after the last member left). */
  removeIfNoMembers?: boolean;
}
