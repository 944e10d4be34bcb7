/**
 * The two renderers of a ContainerSpec: the `docker run` argv (what the docker-run export prints) and
 * dockerode's createContainer options (what deploy sends). A test creates a container each way on a
 * real engine and compares `docker inspect`; keep the two in step field by field.
 */
import type { ContainerCreateOptions } from 'dockerode';
import { MIB } from './constants';
import type { ContainerSpec, MountSpec, PortBinding } from './types';

/** argv after `docker`: `run --detach ... IMAGE CMD...` (`--rm` instead of `--detach` for one-shots). */
export function toDockerRunArgv(spec: ContainerSpec): string[] {
  const argv = ['run', spec.autoRemove ? '--rm' : '--detach'];
  if (spec.name !== null) argv.push('--name', spec.name);
  for (const key of Object.keys(spec.labels).sort()) argv.push('--label', `${key}=${spec.labels[key] ?? ''}`);
  argv.push('--user', spec.user);
  if (spec.workdir !== null) argv.push('--workdir', spec.workdir);
  if (spec.entrypoint !== null) argv.push('--entrypoint', spec.entrypoint);
  if (spec.network !== null) argv.push('--network', spec.network);
  for (const cap of spec.capDrop) argv.push('--cap-drop', cap);
  for (const cap of spec.capAdd) argv.push('--cap-add', cap);
  for (const opt of spec.securityOpt) argv.push('--security-opt', opt);
  if (spec.readOnlyRootfs) argv.push('--read-only');
  for (const target of Object.keys(spec.tmpfs).sort())
    argv.push('--tmpfs', `${target}:${spec.tmpfs[target] ?? ''}`);
  if (spec.init) argv.push('--init');
  argv.push('--pids-limit', String(spec.pidsLimit));
  argv.push('--memory', memoryText(spec.memoryBytes));
  argv.push('--cpus', cpusText(spec.nanoCpus));
  argv.push('--restart', spec.restart);
  for (const port of spec.ports) argv.push('--publish', publishText(port));
  for (const mount of spec.mounts) argv.push('--mount', mountText(mount));
  for (const host of spec.extraHosts) argv.push('--add-host', host);
  for (const key of Object.keys(spec.env).sort()) argv.push('--env', `${key}=${spec.env[key] ?? ''}`);
  argv.push(spec.image, ...spec.cmd);
  return argv;
}

/** dockerode createContainer options for the same container. */
export function toDockerCreateOptions(spec: ContainerSpec): ContainerCreateOptions {
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const exposed: Record<string, Record<string, never>> = {};
  for (const port of spec.ports) {
    const key = `${port.containerPort}/tcp`;
    exposed[key] = {};
    (portBindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  }
  return {
    ...(spec.name !== null ? { name: spec.name } : {}),
    Image: spec.image,
    Cmd: spec.cmd,
    ...(spec.entrypoint !== null ? { Entrypoint: [spec.entrypoint] } : {}),
    User: spec.user,
    ...(spec.workdir !== null ? { WorkingDir: spec.workdir } : {}),
    Env: Object.keys(spec.env)
      .sort()
      .map((key) => `${key}=${spec.env[key] ?? ''}`),
    Labels: { ...spec.labels },
    ExposedPorts: exposed,
    HostConfig: {
      ...(spec.network !== null ? { NetworkMode: spec.network } : {}),
      CapDrop: [...spec.capDrop],
      // As the CLI sends them: empty lists and false flags left out, so both inspect the same.
      ...(spec.capAdd.length > 0 ? { CapAdd: [...spec.capAdd] } : {}),
      SecurityOpt: [...spec.securityOpt],
      ReadonlyRootfs: spec.readOnlyRootfs,
      Tmpfs: { ...spec.tmpfs },
      Init: spec.init,
      PidsLimit: spec.pidsLimit,
      Memory: spec.memoryBytes,
      NanoCpus: spec.nanoCpus,
      RestartPolicy: { Name: spec.restart, MaximumRetryCount: 0 },
      PortBindings: portBindings,
      Mounts: spec.mounts.map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ...(m.readOnly ? { ReadOnly: true } : {}),
      })),
      ...(spec.extraHosts.length > 0 ? { ExtraHosts: [...spec.extraHosts] } : {}),
      AutoRemove: spec.autoRemove,
    },
  };
}

/**
 * The container's extra networks, joined after it is made (`docker network connect NET NAME`): it
 * stays on its own network, where its port is published, and an engine before API 1.44 takes only
 * one network at create. Deploy connects them before the start (host-ops/extra-networks.ts).
 */
export function networkConnectArgvs(spec: ContainerSpec): string[][] {
  if (spec.name === null) return [];
  const name = spec.name;
  return spec.extraNetworks.map((network) => ['network', 'connect', network, name]);
}

/** `512m` when whole MiB, else bytes: the CLI reads both exactly. */
export function memoryText(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB}m` : String(bytes);
}

/** Nano-CPUs as the decimal the CLI's --cpus parses exactly (1000000000 → "1", 1500000000 → "1.5"). */
export function cpusText(nano: number): string {
  const whole = Math.floor(nano / 1e9);
  const fraction = String(nano % 1e9)
    .padStart(9, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

function publishText(port: PortBinding): string {
  const tail = `${port.hostPort}:${port.containerPort}/tcp`;
  if (port.hostIp === '') return tail;
  return port.hostIp.includes(':') ? `[${port.hostIp}]:${tail}` : `${port.hostIp}:${tail}`;
}

/**
 * docker's --mount value is one CSV record: a field holding a quote is quoted with its quotes doubled
 * (the shared rules already refuse commas and line breaks in paths), or docker refuses the bare quote.
 */
function mountText(mount: MountSpec): string {
  const field = (text: string): string => (text.includes('"') ? `"${text.replaceAll('"', '""')}"` : text);
  const fields = [`type=${mount.type}`, field(`source=${mount.source}`), field(`target=${mount.target}`)];
  if (mount.readOnly) fields.push('readonly');
  return fields.join(',');
}
