/**
 * The config hash on every instance's `io.mcp-fleet.config-hash` label: reconciliation compares it
 * with the hash of the current definition to tell "config differs" drift, and deploy skips a container
 * whose hash already matches.
 *
 * What goes in: everything that defines the running container — image tag, command (bridge flags and
 * the server's argv), user, working dir, env, other labels, network, ports, mounts, tmpfs, capabilities,
 * security options, read-only root, init, limits, restart policy — and the files it reads.
 *
 * Secrets: the files carry secret values, so their content enters only as an HMAC-SHA-256 keyed with
 * the instance's member tokens. Any change of a secret (rotation included) changes the hash, yet the
 * label, which anyone with `docker inspect` or read access to the manifests sees, cannot be used to
 * test guesses of a weak secret offline: the key is the tokens, and the container holds only their
 * SHA-256, never a token. The key also changes when a token rotates, which the members file (holding
 * the token hashes) changes anyway.
 */
import { createHash, createHmac } from 'node:crypto';
import type { MemberRecord } from '../store/types';
import { LABELS } from './constants';
import type { ContainerSpec, HostFile } from './types';

const VERSION = 'mcp-fleet/instance-spec/v1';

/** sha256 hex over a canonical JSON of the container (without the hash label) and the files' HMACs. */
export function computeConfigHash(
  container: ContainerSpec,
  files: readonly HostFile[],
  members: readonly MemberRecord[],
): string {
  const key = createHash('sha256')
    .update(`${VERSION}\0config-hash-key\0`)
    .update(
      members
        .map((m) => m.token)
        .sort()
        .join('\0'),
    )
    .digest();
  const labels = { ...container.labels };
  delete labels[LABELS.configHash];
  // Empty reach fields stay out, so containers deployed before they existed keep their hash.
  const { extraNetworks, extraHosts, ...rest } = container;
  const described = {
    version: VERSION,
    container: {
      ...rest,
      labels,
      ...(extraNetworks.length > 0 ? { extraNetworks } : {}),
      ...(extraHosts.length > 0 ? { extraHosts } : {}),
    },
    files: files
      .map((f) => ({
        containerPath: f.containerPath,
        hostPath: f.hostPath,
        mode: f.mode,
        content: createHmac('sha256', key).update(f.content).digest('hex'),
      }))
      .sort((a, b) => (a.containerPath < b.containerPath ? -1 : 1)),
  };
  return createHash('sha256').update(canonicalJson(described)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
