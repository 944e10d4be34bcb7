/**
 * The swarm export: a stack file (`docker stack deploy -c FILE NAME`) whose instances read their env
 * and members files, and their TLS certificate and key, as Docker secrets owned by the container user
 * with mode 0400, so no prepare step is needed. Secret names carry the config hash: secrets are
 * immutable, so a changed definition gets new ones and the service rolls onto them. Swarm ignores
 * `security_opt` and tmpfs mount options other than size; the header says so. A server's reach rides
 * along as in Compose, with its networks external: attachable overlay networks on the swarm.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { FleetError } from '../../shared/errors';
import { cpusText, memoryText } from '../instance-spec/render-docker';
import {
  SWARM_SECRET_OWNER,
  swarmArgs,
  swarmSecretFiles,
  tmpfsBytes,
  type SwarmSecretKey,
} from '../instance-spec/swarm-shape';
import type { HostFile, InstanceSpec } from '../instance-spec/types';
import { asComments, fileNotes } from './file-notes';
import { distinct, reachMounts } from './reach';

export interface SwarmInput {
  specs: readonly InstanceSpec[];
  inlineSecrets: boolean;
  title: string;
  /** Where the image comes from when a push-registry is set. */
  imageNote?: readonly string[];
}

export function renderSwarm(input: SwarmInput): string {
  const services: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const spec of input.specs) {
    const c = spec.container;
    const name = c.name ?? spec.server;
    const dir = `./${name}`;
    const files = swarmSecretFiles(spec, name, spec.configHash);
    const hostFiles = hostFilesByKey(spec);
    for (const file of files) {
      const source = hostFiles[file.key];
      if (source === undefined) throw new FleetError('internal', `no host file for the ${file.key} secret`);
      secrets[file.name] = { file: `${dir}/${path.posix.basename(source.hostPath)}` };
    }
    // Swarm mounts secrets under /run/secrets; the bridge is pointed there instead of /run/mcp-fleet.
    const cmd = swarmArgs(c.cmd);
    const tmpfsVolumes = Object.entries(c.tmpfs).map(([target, options]) => ({
      type: 'tmpfs',
      target,
      tmpfs: { size: tmpfsBytes(options) },
    }));
    const reach = reachMounts(spec);
    services[name] = {
      image: c.image,
      command: cmd,
      user: c.user,
      ...(c.workdir !== null ? { working_dir: c.workdir } : {}),
      labels: { ...c.labels },
      read_only: c.readOnlyRootfs,
      init: c.init,
      cap_drop: c.capDrop,
      security_opt: c.securityOpt,
      ports: c.ports.map((p) => ({
        target: p.containerPort,
        published: p.hostPort,
        protocol: 'tcp',
        // Host mode keeps the client's source address (the routing mesh would hide it behind the
        // ingress network), which the bridge's --allow-cidr and the firewall rules rely on.
        mode: 'host',
      })),
      secrets: files.map((file) => ({ source: file.name, target: file.target, ...SWARM_SECRET_OWNER })),
      volumes: [
        ...tmpfsVolumes,
        ...(spec.stateVolume
          ? [{ type: 'volume', source: spec.stateVolume.name, target: spec.stateVolume.target }]
          : []),
        ...reach.map((m) => ({ type: m.type, source: m.source, target: m.target, read_only: m.readOnly })),
      ],
      // Listed with the stack's default network, which a service leaves when it names others.
      ...(c.extraNetworks.length > 0 ? { networks: ['default', ...c.extraNetworks] } : {}),
      ...(c.extraHosts.length > 0 ? { extra_hosts: [...c.extraHosts] } : {}),
      deploy: {
        replicas: 1,
        restart_policy: { condition: 'any' },
        resources: {
          limits: { cpus: cpusText(c.nanoCpus), memory: memoryText(c.memoryBytes), pids: c.pidsLimit },
        },
      },
    };
    if (spec.stateVolume) volumes[spec.stateVolume.name] = { name: spec.stateVolume.name };
    for (const m of reach) if (m.type === 'volume') volumes[m.source] = { name: m.source };
    notes.push(...fileNotes(spec, dir, input.inlineSecrets), '');
  }
  const networks = distinct(input.specs.flatMap((s) => s.container.extraNetworks));
  const doc: Record<string, unknown> = { version: '3.9', services, secrets };
  if (Object.keys(volumes).length > 0) doc.volumes = volumes;
  if (networks.length > 0) doc.networks = Object.fromEntries(networks.map((n) => [n, { external: true }]));
  const header = asComments([
    `MCP Fleet: ${input.title}`,
    'Swarm stack file: `docker stack deploy -c THIS_FILE mcp-fleet` on a manager. First create these',
    'files beside it; they become Docker secrets (mode 0400, owned by uid 10001):',
    '',
    ...notes,
    ...(input.imageNote ?? []),
    'Swarm does not apply security_opt (no-new-privileges) or tmpfs options other than size.',
    'A new state volume belongs to root: the runtime image must own its mount point (uid 10001).',
    ...reachNotes(input.specs, networks),
  ]);
  return `${header}\n${stringify(doc, { version: '1.1', lineWidth: 0 })}`;
}

/** Where a server's reach needs the swarm prepared: bind paths on every node, overlay networks. */
function reachNotes(specs: readonly InstanceSpec[], networks: readonly string[]): string[] {
  const mounts = specs.flatMap((s) => reachMounts(s));
  const binds = distinct(mounts.filter((m) => m.type === 'bind').map((m) => m.source));
  const named = distinct(mounts.filter((m) => m.type === 'volume').map((m) => m.source));
  return [
    ...(binds.length > 0
      ? [
          `Bind mounts need their host paths on every node a task may run on (or a placement constraint): ${binds.join(', ')}.`,
        ]
      : []),
    ...(named.length > 0
      ? [
          `Named volumes are local to each node, so a task moved to another node starts with an empty one (${named.join(', ')}); like the state volume, a new one belongs to root.`,
        ]
      : []),
    ...(networks.length > 0
      ? [
          `Networks are external and must be attachable overlay networks on this swarm (\`docker network create --driver overlay --attachable NAME\`): ${networks.join(', ')}.`,
        ]
      : []),
  ];
}

/** The host file each secret is created from; the stack names it beside the stack file. */
function hostFilesByKey(spec: InstanceSpec): Partial<Record<SwarmSecretKey, HostFile>> {
  const { env, members, tls } = spec.files;
  return { env, members, ...(tls ? { tlsCert: tls.cert, tlsKey: tls.key } : {}) };
}
