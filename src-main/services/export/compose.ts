/**
 * The compose export: a Docker Compose file with, per instance, the prepare service and the instance
 * service, both from the same ContainerSpecs deploy uses. The files an instance reads live beside the
 * compose file in ./<instance>/ (listed in the header), so the YAML itself holds no secret. A server's
 * reach rides along: its bind mounts and named volumes in `volumes:`, its networks (external: they
 * must exist) beside the project's default one, its extra hosts in `extra_hosts:`.
 */
import { stringify } from 'yaml';
import { listFiles } from '../instance-spec/instance-spec';
import type { ContainerSpec, InstanceSpec, MountSpec } from '../instance-spec/types';
import { cpusText, memoryText } from '../instance-spec/render-docker';
import { asComments, fileNotes } from './file-notes';
import { distinct, reachMounts } from './reach';

export interface ComposeInput {
  specs: readonly InstanceSpec[];
  inlineSecrets: boolean;
  title: string;
}

export function renderCompose(input: ComposeInput): string {
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const spec of input.specs) {
    const name = spec.container.name ?? spec.server;
    const dir = `./${name}`;
    // The instance's folder and files move beside the compose file; a server's own binds stay put.
    const own = new Set([spec.configDir, ...listFiles(spec.files).map((f) => f.hostPath)]);
    const relocate = (m: MountSpec): MountSpec =>
      m.type === 'bind' && own.has(m.source) ? { ...m, source: m.source.replace(spec.configDir, dir) } : m;
    const prepareName = `${name}-prepare`;
    services[prepareName] = service({ ...spec.prepare, mounts: spec.prepare.mounts.map(relocate) });
    services[name] = {
      ...service({ ...spec.container, mounts: spec.container.mounts.map(relocate) }),
      depends_on: { [prepareName]: { condition: 'service_completed_successfully' } },
    };
    if (spec.stateVolume) volumes[spec.stateVolume.name] = { name: spec.stateVolume.name };
    // Named as they are: without `name` Compose would prefix them with the project.
    for (const m of [...spec.prepare.mounts, ...spec.container.mounts])
      if (m.type === 'volume') volumes[m.source] = { name: m.source };
    notes.push(...fileNotes(spec, dir, input.inlineSecrets), '');
  }
  const networks = distinct(input.specs.flatMap((s) => s.container.extraNetworks));
  const doc: Record<string, unknown> = { name: projectName(input.specs[0]?.server ?? 'server'), services };
  if (Object.keys(volumes).length > 0) doc.volumes = volumes;
  if (networks.length > 0) doc.networks = Object.fromEntries(networks.map((n) => [n, { external: true }]));
  const header = asComments([
    `MCP Fleet: ${input.title}`,
    'Docker Compose file. Before `docker compose up -d`, create these files beside it:',
    '',
    ...notes,
    ...reachNotes(input.specs, networks),
  ]);
  return `${header}\n${stringify(doc, { version: '1.1', lineWidth: 0 })}`;
}

/** A compose service with the fields of a ContainerSpec, named as compose names them. */
function service(spec: ContainerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { image: spec.image };
  if (spec.name !== null) out.container_name = spec.name;
  if (spec.entrypoint !== null) out.entrypoint = [spec.entrypoint];
  out.command = spec.cmd;
  out.user = spec.user;
  if (spec.workdir !== null) out.working_dir = spec.workdir;
  if (Object.keys(spec.env).length > 0) out.environment = { ...spec.env };
  out.labels = { ...spec.labels };
  if (spec.extraNetworks.length > 0) {
    // `networks:` replaces the project's default network unless it is listed: the port stays on it.
    out.networks = [spec.network ?? 'default', ...spec.extraNetworks];
  } else if (spec.network !== null) out.network_mode = spec.network;
  if (spec.extraHosts.length > 0) out.extra_hosts = [...spec.extraHosts];
  if (spec.ports.length > 0) {
    out.ports = spec.ports.map((p) => ({
      target: p.containerPort,
      published: String(p.hostPort),
      ...(p.hostIp === '' ? {} : { host_ip: p.hostIp }),
      protocol: 'tcp',
    }));
  }
  out.volumes = spec.mounts.map((m) => ({
    type: m.type,
    source: m.source,
    target: m.target,
    read_only: m.readOnly,
    ...(m.type === 'bind' ? { bind: { create_host_path: false } } : {}),
  }));
  const tmpfs = Object.entries(spec.tmpfs).map(([target, options]) => `${target}:${options}`);
  if (tmpfs.length > 0) out.tmpfs = tmpfs;
  out.cap_drop = spec.capDrop;
  if (spec.capAdd.length > 0) out.cap_add = spec.capAdd;
  out.security_opt = spec.securityOpt;
  out.read_only = spec.readOnlyRootfs;
  out.init = spec.init;
  out.pids_limit = spec.pidsLimit;
  out.mem_limit = memoryText(spec.memoryBytes);
  out.cpus = cpusText(spec.nanoCpus);
  out.restart = spec.restart;
  return out;
}

/** What must be on the host before `up`: the bind mounts' paths and the networks. */
function reachNotes(specs: readonly InstanceSpec[], networks: readonly string[]): string[] {
  const binds = distinct(
    specs.flatMap((s) =>
      reachMounts(s)
        .filter((m) => m.type === 'bind')
        .map((m) => `${m.source} (${m.readOnly ? 'read-only' : 'read-write'})`),
    ),
  );
  return [
    ...(binds.length > 0
      ? [
          `Host paths bound into the instances; they must exist, Compose will not create them: ${binds.join(', ')}`,
        ]
      : []),
    ...(networks.length > 0
      ? [`Docker networks the instances join; they must exist (external): ${networks.join(', ')}`]
      : []),
  ];
}

/** Compose project names are lower-case letters, digits, "-" and "_", starting with a letter or digit. */
function projectName(server: string): string {
  const cleaned = `mcp-fleet-${server}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  return cleaned.replace(/-+$/, '') || 'mcp-fleet';
}
