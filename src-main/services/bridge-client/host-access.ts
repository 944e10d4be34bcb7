/**
 * How the app reaches a host, for deploy and health alike: its held SSH session (one per host),
 * Docker over that session, and TCP channels on it to the bridges' published ports. This is the one
 * road to a bridge: no code dials an instance port from this machine, so a port locked to the agents'
 * subnet or published on the host's loopback only still answers the app.
 */
import type http from 'node:http';
import { inspect } from 'node:util';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { DockerClientFactory } from '../docker/docker-client-factory';
import { DockerHost } from '../docker/docker-host';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';
import type { HostRecord } from '../store/types';
import { openLocalTcp, TunnelAgent } from './bridge-http';

export interface HostAccess {
  /** Resolves once the host answers (its SSH session is up); this machine always does. Throws FleetError. */
  reach(host: HostRecord): Promise<void>;
  /** The host's Docker engine. Throws FleetError. */
  docker(host: HostRecord): Promise<DockerHost>;
  /** An HTTP agent whose connections reach addresses as the host sees them. */
  agent(host: HostRecord): http.Agent;
  /** Drops what is held for a host (it was removed). */
  forget(hostId: string): void;
  dispose(): void;
}

export class FleetHostAccess implements HostAccess {
  private readonly agents = new Map<string, http.Agent>();
  private readonly channels = new WeakMap<Client, Set<Duplex>>();

  constructor(
    private readonly ssh: SshSessionRegistry,
    private readonly dockerClients: DockerClientFactory,
  ) {}

  async reach(host: HostRecord): Promise<void> {
    if (host.kind === 'ssh') await this.ssh.client(host.id);
  }

  async docker(host: HostRecord): Promise<DockerHost> {
    const client = await this.dockerClients.client(host.id);
    return new DockerHost(client);
  }

  agent(host: HostRecord): http.Agent {
    let agent = this.agents.get(host.id);
    if (!agent) {
      agent = new TunnelAgent(
        host.kind === 'ssh' ? (address, port) => this.forward(host.id, address, port) : openLocalTcp,
      );
      this.agents.set(host.id, agent);
    }
    return agent;
  }

  forget(hostId: string): void {
    this.agents.get(hostId)?.destroy();
    this.agents.delete(hostId);
  }

  dispose(): void {
    for (const id of [...this.agents.keys()]) this.forget(id);
  }

  /** A direct-tcpip channel from the host to address:port over its held session. */
  private async forward(hostId: string, address: string, port: number): Promise<Duplex> {
    const client = await this.ssh.client(hostId);
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      try {
        client.forwardOut('127.0.0.1', 0, address, port, (err, ch) => (err ? reject(err) : resolve(ch)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    let live = this.channels.get(client);
    if (!live) {
      const set = new Set<Duplex>();
      live = set;
      this.channels.set(client, set);
      // ssh2 only ends a channel's read side when its connection dies; the agent must see it close.
      client.once('close', () => {
        for (const ch of set) ch.destroy();
        set.clear();
      });
    }
    quietInspect(channel);
    const set = live;
    set.add(channel);
    channel.once('close', () => set.delete(channel));
    return channel;
  }
}

/**
 * docker-modem util.inspect()s every request's options (the agent included, to unlimited depth) even
 * with debug off, which walks the SSH session and every channel open on it: with 200 instances that
 * made a sweep's first inspects cost seconds and a gigabyte of garbage. StreamAgent carries its own short
 * custom inspect; this one does the same for the monitor's own channels.
 */
function quietInspect(target: object | undefined): void {
  if (target === undefined || Object.hasOwn(target, inspect.custom)) return;
  const name = target.constructor.name;
  Object.defineProperty(target, inspect.custom, { value: () => `[${name}]` });
}
