/**
 * The one-shot prepare container. The instance runs as uid 10001 and reads its env and members files
 * through read-only bind mounts; files of mode 0600 must therefore belong to 10001. The login that
 * wrote them (root, or a member of the docker group over SSH) cannot always chown, but anyone who may
 * use Docker can run this: root inside a container with only CHOWN, FOWNER and DAC_READ_SEARCH, no
 * network, read-only root, then removed. It also hands the roots of the state volume and of the
 * server's own named volumes (its --volume mounts) to 10001: a new named volume belongs to root. Deploy and the docker-run export both run it, from the same spec.
 */
import { LABELS, RUNTIME_GID, RUNTIME_UID, MIB } from './constants';
import type { ContainerSpec } from './types';

const CONFIG_MOUNT = '/mcp-fleet/config';
const STATE_MOUNT = '/mcp-fleet/state';
const VOLUME_MOUNT = '/mcp-fleet/volume';

// Plain files only (a planted symlink is refused rather than followed); 0600 for files, 0700 for
// the state folder; then the owner. chmod goes first while root still owns a new volume's root.
const SCRIPT = [
  'const fs = require("node:fs");',
  'const [uid, gid, ...paths] = process.argv.slice(1);',
  'for (const p of paths) {',
  'const st = fs.lstatSync(p);',
  'if (!st.isFile() && !st.isDirectory()) throw new Error(p + " is not a plain file or folder");',
  'fs.chmodSync(p, st.isDirectory() ? 0o700 : 0o600);',
  'fs.chownSync(p, Number(uid), Number(gid));',
  '}',
].join(' ');

export interface PrepareInput {
  image: string;
  instance: string;
  /** null: only the state volume (a Swarm instance reads its files as Docker secrets). */
  configDir: string | null;
  /** Names of the files in configDir to hand over (env, members, and the TLS files when there are). */
  files: readonly string[];
  stateVolume: { name: string; target: string } | null;
  /** The server's own named volumes (Docker names); absent or empty for none. */
  volumes?: readonly string[];
}

export function prepareContainer(input: PrepareInput): ContainerSpec {
  const volumes = (input.volumes ?? []).map((name, i) => ({ name, at: `${VOLUME_MOUNT}-${i + 1}` }));
  return {
    name: null,
    image: input.image,
    entrypoint: 'node',
    cmd: [
      '-e',
      SCRIPT,
      String(RUNTIME_UID),
      String(RUNTIME_GID),
      ...(input.configDir !== null ? input.files.map((f) => `${CONFIG_MOUNT}/${f}`) : []),
      ...(input.stateVolume ? [STATE_MOUNT] : []),
      ...volumes.map((v) => v.at),
    ],
    user: '0:0',
    workdir: null,
    env: {},
    labels: { [LABELS.prepare]: input.instance },
    network: 'none',
    ports: [],
    mounts: [
      // Read-write: chown and chmod change the inodes. The folder itself stays the login's, mode 0700.
      ...(input.configDir !== null
        ? [{ type: 'bind' as const, source: input.configDir, target: CONFIG_MOUNT, readOnly: false }]
        : []),
      ...(input.stateVolume
        ? [{ type: 'volume' as const, source: input.stateVolume.name, target: STATE_MOUNT, readOnly: false }]
        : []),
      ...volumes.map((v) => ({ type: 'volume' as const, source: v.name, target: v.at, readOnly: false })),
    ],
    tmpfs: {},
    extraNetworks: [],
    extraHosts: [],
    capDrop: ['ALL'],
    capAdd: ['CHOWN', 'DAC_READ_SEARCH', 'FOWNER'],
    securityOpt: ['no-new-privileges'],
    readOnlyRootfs: true,
    init: false,
    pidsLimit: 32,
    memoryBytes: 128 * MIB,
    nanoCpus: 1_000_000_000,
    restart: 'no',
    autoRemove: true,
  };
}
