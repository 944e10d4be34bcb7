/**
 * The one description of a container MCP Fleet runs. Deploy renders it as dockerode options, the
 * docker-run export renders it as a `docker run` argv: both read the same fields, so what the operator
 * copies and what the app runs cannot drift.
 */

export interface PortBinding {
  /** '' publishes on every interface (IPv4 and IPv6), as `-p PORT:8080` does. */
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

export type MountSpec =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'volume'; source: string; target: string; readOnly: boolean };

/** Everything `docker run` / createContainer needs; nothing a renderer has to decide for itself. */
export interface ContainerSpec {
  /** Container name; null lets Docker pick one (the one-shot prepare container). */
  name: string | null;
  image: string;
  /** Overrides the image's ENTRYPOINT; one word (the CLI's --entrypoint takes exactly one). */
  entrypoint: string | null;
  /** Arguments after the image (the image's ENTRYPOINT receives them). */
  cmd: string[];
  user: string;
  workdir: string | null;
  /** Plain container environment, `docker inspect` shows it: never a secret. */
  env: Record<string, string>;
  labels: Record<string, string>;
  /** null: the engine's default network. */
  network: string | null;
  /** Existing networks the container joins besides `network` (the server's --network); [] for none. */
  extraNetworks: string[];
  /** Extra /etc/hosts lines as `NAME:IP` (the server's --add-host); [] for none. */
  extraHosts: string[];
  ports: PortBinding[];
  mounts: MountSpec[];
  /** Mount point → tmpfs options (e.g. "rw,noexec,nosuid,size=64m"). */
  tmpfs: Record<string, string>;
  capDrop: string[];
  capAdd: string[];
  securityOpt: string[];
  readOnlyRootfs: boolean;
  init: boolean;
  pidsLimit: number;
  memoryBytes: number;
  nanoCpus: number;
  restart: 'no' | 'unless-stopped';
  /** Removed when it exits (`--rm`): only for the one-shot prepare container. */
  autoRemove: boolean;
}

/** A file the instance reads, written on the host before the container starts. */
export interface HostFile {
  /** Absolute path on the host. */
  hostPath: string;
  /** Where the container sees it (read-only). */
  containerPath: string;
  content: string;
  /** Always 0o600: the files hold secret values or token hashes. */
  mode: number;
  /** Whether content carries secret values (secret env); the members file holds only hashes. */
  secret: boolean;
}

/** The env file, with what exports need to leave its secret values out. */
export interface EnvHostFile extends HostFile {
  /** The content without the secret lines (they come last in `content`). */
  plainContent: string;
  /** Keys of the secret lines, in order. */
  secretKeys: string[];
}

/** Limits an operator may change per server; everything else about hardening is fixed. */
export interface Limits {
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
  tmpfsSizeBytes: number;
  /** Allow executing files from /tmp (uvx servers run their tools from there). */
  tmpExec: boolean;
}

/** What an image-source server's own image says to run (from `docker image inspect`). */
export interface SourceImageConfig {
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  /** The image's ENV, "KEY=value"; handed to the server through the env file. */
  env: string[];
}

/** A certificate (PEM, leaf first) and its private key (PEM) for the bridge's HTTPS. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
}

export interface InstanceFiles {
  env: EnvHostFile;
  members: HostFile;
  /** The bridge's certificate and key; null when the server runs without TLS (--no-tls). */
  tls: { cert: HostFile; key: HostFile } | null;
}

export interface InstanceSpec {
  server: string;
  /** The member of a Dedicated instance; null for Shared. */
  member: string | null;
  mode: 'shared' | 'dedicated';
  /** Host folder holding the files; one per instance. */
  configDir: string;
  files: InstanceFiles;
  /**
   * The approved set of tool pinning (`--approved`): a file in a folder of its own, mounted read-only
   * as a folder so that a new file renamed into it is seen at once (the bridge reads it on SIGHUP). Its
   * content is kept out of the config hash: approving tools never replaces a container. Absent: the
   * instance serves without pinning (exports, Swarm).
   */
  approved?: { dir: string; hostPath: string; content: string } | null;
  /** Named volume for a server that keeps state, or null. */
  stateVolume: { name: string; target: string } | null;
  /**
   * One-shot container run (and removed) before the instance: makes the files and the state volume
   * owned by the unprivileged user, which the login that wrote them may not be able to do itself.
   */
  prepare: ContainerSpec;
  container: ContainerSpec;
  configHash: string;
  /** https://<host>:<port>/mcp minus the host, which only the caller knows. */
  port: number;
  /** Whether the bridge serves HTTPS (the URL's scheme). */
  tls: boolean;
}
