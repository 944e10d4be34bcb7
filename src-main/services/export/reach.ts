/**
 * What an instance reaches on its host besides its own files, as the exports read it from the
 * InstanceSpec: the mounts that are not the instance's files or its state volume, the extra networks
 * and the extra hosts. Docker's formats (docker-run, compose) render every mount of the spec anyway;
 * swarm and k8s carry the instance's files their own way (secrets) and need the reach apart.
 */
import { listFiles } from '../instance-spec/instance-spec';
import type { InstanceSpec, MountSpec } from '../instance-spec/types';

/** The spec's bind mounts and named volumes other than its files and state volume, in order. */
export function reachMounts(spec: InstanceSpec): MountSpec[] {
  const files = new Set(listFiles(spec.files).map((f) => `${f.hostPath}\0${f.containerPath}`));
  return spec.container.mounts.filter((m) =>
    m.type === 'bind'
      ? !files.has(`${m.source}\0${m.target}`)
      : m.source !== spec.stateVolume?.name || m.target !== spec.stateVolume.target,
  );
}

/** Whether a spec reaches anything beyond its files: mounts, networks or extra hosts. */
export function hasReach(spec: InstanceSpec): boolean {
  const c = spec.container;
  return reachMounts(spec).length > 0 || c.extraNetworks.length > 0 || c.extraHosts.length > 0;
}

/** `NAME:IP` split at the first ":" (an IPv6 address keeps its colons), as Docker's --add-host reads it. */
export function splitExtraHost(line: string): { name: string; ip: string } {
  const at = line.indexOf(':');
  return { name: line.slice(0, at), ip: line.slice(at + 1) };
}

/** Distinct values in first-seen order. */
export function distinct<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
