/**
 * `servers set --mode`: the rules a mode binds, checked against the store before anything is saved or
 * a host asked, and what the change removes and makes where the server runs. The rollout itself is an
 * ordinary deploy: the reconcile plan removes every container whose name the new shape does not want.
 */
import type { BridgeRoot } from '../../shared/bridge-settings';
import type { ModeChange } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { volumeName, type ServerReach } from '../../shared/server-mounts';
import { desiredNames } from '../deploy/desired-state';
import { buildInstanceSpec } from '../instance-spec/instance-spec';
import { containerName } from '../instance-spec/names';
import type { Store } from '../store/store';
import type { MemberRecord, ServerRecord } from '../store/types';

type Mode = ServerRecord['mode'];

export interface ModeChangeInput {
  mode: Mode;
  /** The roots, port and reach the same set gives (undefined: kept as stored). */
  roots: readonly BridgeRoot[] | undefined;
  port: number | null | undefined;
  reach: ServerReach | undefined;
  dropMemberEnv: boolean;
  freshVolumes: boolean;
}

export interface ModePlan {
  mode: Mode;
  /** The server's pinned port as the change leaves it (Dedicated: none; ports are per member). */
  port: number | null;
  /** Members whose own values go (Dedicated to Shared with dropMemberEnv). */
  dropEnvOf: string[];
  /** Members whose pinned ports go (Dedicated to Shared: the one instance takes one port). */
  clearPortOf: string[];
  view: ModeChange;
}

const MODE_WORD: Record<Mode, string> = { shared: 'Shared', dedicated: 'Dedicated' };

/**
 * The checked plan of a mode change, or null when `input.mode` is the server's own. Reads the store
 * only. Throws FleetError('invalid_input') with what to change first: roots on a Dedicated server, a
 * fixed server port for Dedicated, members' own values without dropMemberEnv, volume data that would
 * not carry over without freshVolumes, a server running as Swarm services.
 */
export function planModeChange(store: Store, server: ServerRecord, input: ModeChangeInput): ModePlan | null {
  const to = input.mode;
  if (to === server.mode) return null;
  const members = store.members.listByServer(server.id);
  const instances = store.instances.listByServer(server.id);
  const deployed = instances.length > 0;
  const fail = (message: string): never => {
    throw new FleetError('invalid_input', message);
  };
  if (deployed && store.deployState.serverOptions(server.id).swarm === true) {
    fail(
      `server "${server.name}" runs as Swarm services: a mode change is not rolled out to Swarm yet. ` +
        `Remove its instances first (mcp-fleet instances remove ${instances.map((i) => i.containerName).join(', ')}), then change the mode and deploy again`,
    );
  }
  const notes: string[] = [];
  const dropEnvOf: string[] = [];
  const clearPortOf: string[] = [];
  let port: number | null;
  if (to === 'dedicated') {
    const roots = input.roots ?? server.roots;
    if (roots.length > 0) {
      fail(
        `server "${server.name}" has ${roots.length} root(s), which only Shared servers take (a Dedicated instance's own client answers roots/list): ` +
          `remove the roots first (servers set ${server.name} --no-roots), or give --no-roots with --mode dedicated`,
      );
    }
    if (input.port !== undefined && input.port !== null) {
      fail(
        "a Dedicated server's instances take one port per member, chosen at deploy: leave out --port (a later `deploy --port N` gives the first)",
      );
    }
    port = null;
  } else {
    const withEnv = members.flatMap((m) => {
      const keys = store.deployState.member(m.id)?.env.map((e) => e.key) ?? [];
      return keys.length === 0 ? [] : [{ member: m, keys }];
    });
    if (withEnv.length > 0) {
      const who = withEnv.map((w) => `${w.member.name} (${w.keys.join(', ')})`).join(', ');
      if (!input.dropMemberEnv) {
        fail(
          `member(s) ${who} have their own values, which a Shared instance cannot keep apart: ` +
            `give --drop-member-env to drop them with the change, or keep the server Dedicated`,
        );
      }
      dropEnvOf.push(...withEnv.map((w) => w.member.id));
      notes.push(`the members' own values are dropped: ${who}`);
    }
    for (const m of members) if (store.deployState.member(m.id)?.port != null) clearPortOf.push(m.id);
    port = input.port ?? null;
  }
  if (deployed) {
    const lost = volumeLosses(server, to, input.reach ?? server.reach, members);
    if (lost.length > 0 && !input.freshVolumes) {
      fail(
        `${lost.join('; ')}. Give --fresh-volumes to go on with the new instances' volumes` +
          (lost.some((l) => l.startsWith('volume'))
            ? ', or keep one volume for every member first (--volume … --shared-volume)'
            : ''),
      );
    }
    notes.push(...lost);
  }
  const next: ServerRecord = { ...server, mode: to, port };
  const create = desiredNames(next, members);
  const byHost = new Map<string, string[]>();
  for (const i of instances) byHost.set(i.hostId, [...(byHost.get(i.hostId) ?? []), i.containerName]);
  const hosts = [...byHost].map(([hostId, remove]) => ({
    host: store.hosts.getById(hostId)?.name ?? hostId,
    remove: remove.filter((name) => !create.includes(name)).sort(),
    create,
  }));
  if (!deployed)
    notes.push(`server "${server.name}" runs nowhere yet: its next deploy makes ${MODE_WORD[to]} instances`);
  if (to === 'dedicated') notes.push('each member gets its own instance on its own port, chosen at deploy');
  else
    notes.push(
      `every member shares one instance on ${port === null ? 'a port chosen at deploy' : `port ${port}`}`,
    );
  return {
    mode: to,
    port,
    dropEnvOf,
    clearPortOf,
    view: { from: server.mode, to, hosts, notes },
  };
}

/**
 * What volume data the new shape does not find: a stateful server's state volume goes with each old
 * instance, and a volume kept per member in Dedicated is not the one volume a Shared instance uses.
 */
function volumeLosses(
  server: ServerRecord,
  to: Mode,
  reach: ServerReach,
  members: readonly MemberRecord[],
): string[] {
  const out: string[] = [];
  const folder = stateFolder(server, members);
  if (folder !== null) {
    out.push(
      server.mode === 'shared'
        ? `the server keeps its data in ${folder}, a volume per instance: ${containerName(server.name, null)}-state is removed with the Shared instance and each member's new instance starts empty`
        : `the server keeps its data in ${folder}, a volume per instance: each member's is removed with its instance and the Shared instance starts empty`,
    );
  }
  for (const m of reach.mounts) {
    if (m.kind !== 'volume' || m.shared) continue;
    const one = volumeName(server.name, m, null);
    const each = volumeName(server.name, m, '<member>');
    out.push(
      to === 'dedicated'
        ? `volume ${m.source} is ${one} for the Shared instance; Dedicated gives each member its own (${each}), which starts empty (${one} stays on the host)`
        : `volume ${m.source} is one per member in Dedicated (${each}); the Shared instance uses ${one}, without the members' data (theirs stay on the host)`,
    );
  }
  return out;
}

/** The folder a stateful server (server-memory) keeps its data in, in a volume per instance; null when none. */
function stateFolder(server: ServerRecord, members: readonly MemberRecord[]): string | null {
  const member = members[0];
  if (member === undefined) return null;
  try {
    const spec = buildInstanceSpec({
      server: { ...server, mode: 'dedicated', roots: [] },
      members: [member],
      image: 'mcp-fleet/probe:0',
      port: 1,
      configDir: '/tmp/mcp-fleet-probe',
      tls: null,
    });
    return spec.stateVolume?.target ?? null;
  } catch {
    return null;
  }
}
