/**
 * The Engine's service spec of an instance (deploy --swarm): its container spec, with the env and
 * members files as Docker secrets (swarm-shape.ts, shared with the stack export) instead of host files.
 */
import type Dockerode from 'dockerode';
import { LABELS } from '../instance-spec/constants';
import {
  SWARM_SECRET_OWNER,
  swarmArgs,
  swarmHosts,
  swarmMounts,
  swarmNetworks,
  tmpfsBytes,
} from '../instance-spec/swarm-shape';
import type { PlannedInstance } from './instance-ops';

/** The Engine's service spec of an instance: its container spec, with secrets instead of host files. */
export function serviceSpec(
  inst: PlannedInstance,
  secrets: readonly SecretRef[],
  nodeId: string,
): Dockerode.CreateServiceOptions {
  const c = inst.spec.container;
  const labels = { ...c.labels, [LABELS.configHash]: inst.configHash, [LABELS.swarmService]: inst.name };
  const secretRef = (ref: SecretRef) => ({
    SecretID: ref.id,
    SecretName: ref.name,
    File: {
      Name: ref.target,
      UID: SWARM_SECRET_OWNER.uid,
      GID: SWARM_SECRET_OWNER.gid,
      Mode: SWARM_SECRET_OWNER.mode,
    },
  });
  const containerSpec = {
    Image: c.image,
    ...(c.entrypoint !== null ? { Command: [c.entrypoint] } : {}),
    Args: swarmArgs(c.cmd),
    User: c.user,
    ...(c.workdir !== null ? { Dir: c.workdir } : {}),
    Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ReadOnly: c.readOnlyRootfs,
    Init: c.init,
    CapabilityDrop: c.capDrop,
    CapabilityAdd: c.capAdd,
    Mounts: [
      ...Object.entries(c.tmpfs).map(([target, options]) => ({
        Type: 'tmpfs',
        Target: target,
        TmpfsOptions: { SizeBytes: tmpfsBytes(options) },
      })),
      ...swarmMounts(c),
    ],
    ...(c.extraHosts.length > 0 ? { Hosts: swarmHosts(c) } : {}),
    Secrets: secrets.map(secretRef),
  };
  const networks = swarmNetworks(c);
  return {
    Name: inst.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: containerSpec,
      Resources: { Limits: { NanoCPUs: c.nanoCpus, MemoryBytes: c.memoryBytes, Pids: c.pidsLimit } },
      RestartPolicy: { Condition: 'any', Delay: 2_000_000_000 },
      Placement: { Constraints: [`node.id==${nodeId}`] },
      ...(networks.length > 0 ? { Networks: networks } : {}),
    },
    Mode: { Replicated: { Replicas: 1 } },
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'pause' },
    EndpointSpec: {
      Ports: c.ports.map((p) => ({
        Protocol: 'tcp',
        TargetPort: p.containerPort,
        PublishedPort: p.hostPort,
        PublishMode: 'host',
      })),
    },
  } as Dockerode.CreateServiceOptions;
}

export interface SecretRef {
  id: string;
  name: string;
  /** The file name under /run/secrets. */
  target: string;
}
