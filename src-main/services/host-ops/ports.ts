/**
 * Host ports for instances. A port, once given to a server (Shared) or a member (Dedicated), is pinned
 * in the store and reused by every later deploy, so clients' configs never break. New ones are picked
 * where nothing listens on the host, no container publishes, and no other pin points.
 */
import { FleetError } from '../../shared/errors';
import { canListenHere, parseListeningPorts } from '../docker/free-ports';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';
import type { Store } from '../store/store';
import type { HostRecord, ServerRecord } from '../store/types';
import type { MemberWithState } from '../deploy/desired-state';
import type { HostTarget } from './instance-ops';

// `ss` where iproute2 is installed, else the kernel's own tables.
const LISTENING = 'ss -Hltn 2>/dev/null || cat /proc/net/tcp /proc/net/tcp6 2>/dev/null';

export const DEFAULT_PORT_RANGE: [number, number] = [8100, 8999];

/** Every port pinned in the store: servers, members, recorded instances. */
export function pinnedPorts(store: Store): Set<number> {
  const pins = new Set<number>();
  for (const s of store.servers.list()) if (s.port !== null) pins.add(s.port);
  for (const p of store.deployState.memberPorts()) pins.add(p);
  for (const i of store.instances.list()) pins.add(i.port);
  return pins;
}

/** Hands out free ports on one host, never the same one twice. */
export class PortPicker {
  private taken: Set<number> | null = null;

  constructor(
    private readonly store: Store,
    private readonly ssh: SshSessionRegistry,
    private readonly host: HostRecord,
    private readonly target: HostTarget,
    private readonly range: [number, number] = DEFAULT_PORT_RANGE,
  ) {}

  /** The next free port, from `from` (inclusive) when given. Throws FleetError('unavailable') when none is left. */
  async next(from?: number): Promise<number> {
    const taken = await this.load();
    const [low, high] = from === undefined ? this.range : [from, 65535];
    for (let port = low; port <= high; port += 1) {
      if (taken.has(port)) continue;
      if (this.host.kind === 'local' && !(await canListenHere(port))) {
        taken.add(port);
        continue;
      }
      taken.add(port);
      return port;
    }
    throw new FleetError(
      'unavailable',
      `no free port left in ${low}-${high} on ${this.host.name}: give one with --port`,
    );
  }

  private async load(): Promise<Set<number>> {
    if (this.taken) return this.taken;
    const taken = pinnedPorts(this.store);
    for (const c of await this.target.docker.listByLabel({}, true)) {
      for (const p of c.Ports) if (p.PublicPort) taken.add(p.PublicPort);
    }
    if (this.host.kind === 'ssh') {
      const listing = await this.ssh.exec(this.host.id, ['sh', '-c', LISTENING], { timeoutMs: 15_000 });
      for (const port of parseListeningPorts(listing.stdout)) taken.add(port);
    }
    this.taken = taken;
    return taken;
  }
}

/**
 * Pins a port for every instance that has none yet (Shared: the server's; Dedicated: each member's,
 * from `explicit` on when given); resolves to the lookup plannedInstances wants. Throws
 * FleetError('conflict') for an explicit port another server or member has pinned.
 */
export async function assignPorts(
  deps: { store: Store; picker: PortPicker },
  server: ServerRecord,
  members: readonly MemberWithState[],
  explicit: number | undefined,
): Promise<(memberId: string | null) => number> {
  const { store, picker } = deps;
  if (server.mode === 'shared') {
    let port = explicit ?? server.port;
    if (port !== null && port !== server.port) assertUnpinned(store, port, server.id);
    port ??= await picker.next();
    if (port !== server.port) store.servers.update(server.id, { port });
    const fixed = port;
    return () => fixed;
  }
  const ports = new Map<string, number>();
  let from = explicit;
  for (const m of members) {
    let port = m.state.port;
    if (port === null) {
      port = await picker.next(from);
      from = from === undefined ? undefined : port + 1;
      store.deployState.setMember(m.record.id, { port });
    }
    ports.set(m.record.id, port);
  }
  return (memberId) => {
    const port = memberId === null ? undefined : ports.get(memberId);
    if (port === undefined) throw new FleetError('internal', 'an instance has no port');
    return port;
  };
}

function assertUnpinned(store: Store, port: number, serverId: string): void {
  const own = new Set(store.instances.listByServer(serverId).map((i) => i.port));
  if (pinnedPorts(store).has(port) && !own.has(port)) {
    throw new FleetError(
      'conflict',
      `port ${port} is already pinned by another server or member: pick another`,
    );
  }
}
