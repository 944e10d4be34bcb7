/**
 * What a server's definition wants on a host: one InstanceSpec per instance (Shared: one for all
 * members; Dedicated: one per member), each from buildInstanceSpec, the same function the exports use.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { LABELS } from '../instance-spec/constants';
import { buildInstanceSpec } from '../instance-spec/instance-spec';
import { containerName, instanceConfigDir } from '../instance-spec/names';
import type { InstanceSpec, Limits, SourceImageConfig, TlsMaterial } from '../instance-spec/types';
import type { MemberDeployState, ServerDeployOptions } from '../store/deploy-state-repository';
import type { MemberRecord, ServerRecord } from '../store/types';
import type { PlannedInstance } from '../host-ops/instance-ops';

export interface MemberWithState {
  record: MemberRecord;
  state: MemberDeployState;
}

export interface DesiredInput {
  server: ServerRecord;
  members: readonly MemberWithState[];
  image: { tag: string; imageConfig?: SourceImageConfig };
  /** The instance folders' parent home on the host. */
  home: string;
  /** Port per instance: the member's id for Dedicated, null for the Shared instance. */
  portOf: (memberId: string | null) => number;
  options: ServerDeployOptions;
  /** The certificate and key of each instance (by container name); absent or null: plain HTTP. */
  tlsOf?: (containerName: string) => TlsMaterial | null;
  /** The approved set of tool pinning every instance serves from; absent: no pinning (Swarm). */
  approved?: string;
}

/** Container names the definition wants, without building specs (for reading drift cheaply). */
export function desiredNames(server: ServerRecord, members: readonly MemberRecord[]): string[] {
  if (server.mode === 'shared') return [containerName(server.name, null)];
  return members.map((m) => containerName(server.name, m.name));
}

/** Throws FleetError('invalid_input') for a definition that cannot run (e.g. Shared without members). */
export function plannedInstances(input: DesiredInput): PlannedInstance[] {
  const { server, members } = input;
  const serverSecrets = server.env.filter((e) => e.secret).map((e) => e.value);
  if (server.mode === 'shared') {
    const records = members.map((m) => m.record);
    const spec = build(input, records, null);
    // The connection test needs every tool: a member allowed all of them, when there is one.
    const tester = records.find((m) => m.tools.includes('*')) ?? records[0];
    return [planned(spec, null, tester ?? null, serverSecrets, members)];
  }
  return members.map((m) => {
    const spec = build(input, [m.record], m);
    const secrets = [...serverSecrets, ...m.state.env.filter((e) => e.secret).map((e) => e.value)];
    return planned(spec, m.record.name, m.record, secrets, [m]);
  });
}

function build(input: DesiredInput, members: MemberRecord[], own: MemberWithState | null): InstanceSpec {
  const name = containerName(input.server.name, own?.record.name ?? null);
  const opts = input.options;
  return buildInstanceSpec({
    server: input.server,
    members,
    ...(own && own.state.env.length > 0 ? { memberEnv: own.state.env } : {}),
    image: input.image.tag,
    ...(input.image.imageConfig === undefined ? {} : { imageConfig: input.image.imageConfig }),
    port: input.portOf(own?.record.id ?? null),
    ...(opts.publishAddress === undefined ? {} : { publishAddress: opts.publishAddress }),
    configDir: instanceConfigDir(input.home, name),
    ...(opts.allowCidrs === undefined ? {} : { allowCidrs: opts.allowCidrs }),
    ...(opts.limits === undefined ? {} : { limits: definedLimits(opts.limits) }),
    tls: input.tlsOf?.(name) ?? null,
    ...(input.approved === undefined ? {} : { approved: input.approved }),
  });
}

function definedLimits(limits: NonNullable<ServerDeployOptions['limits']>): Partial<Limits> {
  const out: Partial<Limits> = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
  return out;
}

function planned(
  spec: InstanceSpec,
  member: string | null,
  tester: MemberRecord | null,
  secrets: string[],
  members: readonly MemberWithState[],
): PlannedInstance {
  const rotated = withRotation(spec, members);
  const cert = rotated.files.tls?.cert.content;
  return {
    name: rotated.container.name ?? '',
    configHash: rotated.configHash,
    member,
    spec: rotated,
    token: tester?.token ?? '',
    tokenMember: tester?.name ?? '',
    pin: cert === undefined ? null : new X509Certificate(cert).fingerprint256,
    secrets,
  };
}

/**
 * During a token rotation the members file lists each rotated member with its new and its previous
 * token hash (the bridge accepts either), so clients keep working until they have the new token.
 * The config hash takes the previous hashes in too, so finishing the rotation changes it again.
 */
export function withRotation(spec: InstanceSpec, members: readonly MemberWithState[]): InstanceSpec {
  const previous = new Map(
    members.flatMap((m) =>
      m.state.previousTokenSha256 === null ? [] : [[m.record.name, m.state.previousTokenSha256] as const],
    ),
  );
  if (previous.size === 0) return spec;
  const entries = JSON.parse(spec.files.members.content) as {
    name: string;
    tokenSha256: string | string[];
  }[];
  for (const entry of entries) {
    const old = previous.get(entry.name);
    if (old !== undefined && old !== entry.tokenSha256) entry.tokenSha256 = [String(entry.tokenSha256), old];
  }
  const configHash = createHash('sha256')
    .update(`${spec.configHash}\0rotation\0${[...previous.values()].sort().join(',')}`)
    .digest('hex');
  return {
    ...spec,
    files: { ...spec.files, members: { ...spec.files.members, content: JSON.stringify(entries) + '\n' } },
    container: { ...spec.container, labels: { ...spec.container.labels, [LABELS.configHash]: configHash } },
    configHash,
  };
}
