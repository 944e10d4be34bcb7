import type { Limits } from './types';

/** Labels on every instance container; reconciliation finds and compares containers by them. */
export const LABELS = {
  server: 'io.mcp-fleet.server',
  instance: 'io.mcp-fleet.instance',
  member: 'io.mcp-fleet.member',
  configHash: 'io.mcp-fleet.config-hash',
  /** On the one-shot prepare container only, so it never counts as an instance. */
  prepare: 'io.mcp-fleet.prepare',
  /** On a Swarm service and its task containers: the service (= instance) name. */
  swarmService: 'io.mcp-fleet.swarm-service',
} as const;

/** The unprivileged user of the runtime image (resources/runtime/Dockerfile, FLEET_UID). */
export const RUNTIME_UID = 10001;
export const RUNTIME_GID = 10001;

/** The bridge listens here inside the container; the host port maps onto it. */
export const CONTAINER_PORT = 8080;

/** Where the instance's files appear inside the container. */
export const CONTAINER_FILES_DIR = '/run/mcp-fleet';
export const CONTAINER_ENV_FILE = `${CONTAINER_FILES_DIR}/env`;
export const CONTAINER_MEMBERS_FILE = `${CONTAINER_FILES_DIR}/members.json`;
export const CONTAINER_TLS_CERT_FILE = `${CONTAINER_FILES_DIR}/tls.crt`;
export const CONTAINER_TLS_KEY_FILE = `${CONTAINER_FILES_DIR}/tls.key`;
/** The approved set's folder (tool pinning) and the file in it, as the container sees them. */
export const CONTAINER_PINS_DIR = `${CONTAINER_FILES_DIR}/pins`;
export const CONTAINER_APPROVED_FILE = `${CONTAINER_PINS_DIR}/approved.json`;
/** The approved set's folder in the instance's host folder, and the file's name. */
export const PINS_DIR_NAME = 'pins';
export const APPROVED_FILE_NAME = 'approved.json';

/** Names of the files in the instance's host folder. */
export const ENV_FILE_NAME = 'env';
export const MEMBERS_FILE_NAME = 'members.json';
/** The instance's TLS certificate (chain) and private key, PEM; absent for a --no-tls server. */
export const TLS_CERT_FILE_NAME = 'tls.crt';
export const TLS_KEY_FILE_NAME = 'tls.key';
/** Filled by the operator when secrets go by reference (docker-run export without --inline-secrets). */
export const SECRETS_FILE_NAME = 'secrets.env';

export const MIB = 1024 * 1024;

/** Defaults the issue asks for; an operator may change them per server. */
export const DEFAULT_LIMITS: Limits = {
  memoryBytes: 512 * MIB,
  nanoCpus: 1_000_000_000,
  pidsLimit: 256,
  tmpfsSizeBytes: 64 * MIB,
  tmpExec: false,
};

/**
 * uvx servers: uv unpacks the tool and its virtualenv under $HOME=/tmp and executes its entry script
 * from there, so /tmp must allow exec, and needs room for the environment (and Python, when the base
 * has none).
 */
export const UVX_LIMITS: Partial<Limits> = { tmpExec: true, tmpfsSizeBytes: 512 * MIB };
