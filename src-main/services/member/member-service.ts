/**
 * Members: the people and agents that consume a server, each with an access token and the tools,
 * resources and prompts it may use. The token is shown once, kept encrypted in the store, and only its
 * SHA-256 reaches a container. Adding, changing or removing a member of a deployed server deploys
 * again: Dedicated gains, updates or loses that member's instance, Shared gets a new members file.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { MemberLimits } from '../../shared/bridge-settings';
import { Name } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { ACCESS_KINDS } from '../../shared/members-file';
import type { DeployService } from '../deploy/deploy-service';
import type { HostTargets } from '../host-ops/host-targets';
import { removeNamedInstance } from '../host-ops/swarm-services';
import type { DeployResult } from '../deploy/types';
import type { EventBus } from '../events';
import type { MemberPatch } from '../store/member-repository';
import type { Store } from '../store/store';
import type { MemberRecord, ServerRecord } from '../store/types';
import { accessDetail, checkAccess, checkEnv, checkLimits } from './member-checks';

export interface MemberView {
  server: string;
  name: string;
  /** ['*'] all, [] none, or the patterns; likewise resources (URI patterns) and prompts. */
  tools: string[];
  resources: string[];
  prompts: string[];
  /** Keys of the member's own values; the values never leave the store. */
  envKeys: string[];
  port: number | null;
  /** The member's own fair-share limits; {} keeps the server's. */
  limits: MemberLimits;
  /** True while a rotated-out token is still accepted. */
  rotating: boolean;
  instances: string[];
  createdAt: string;
}

export interface MemberAddInput {
  server: string;
  name: string;
  /** ['*'] all (the default), [] none, or names and patterns (read_*). */
  tools?: readonly string[] | undefined;
  /** Resource URIs or patterns (file:///docs/*); default all. */
  resources?: readonly string[] | undefined;
  /** Prompt names or patterns; default all. */
  prompts?: readonly string[] | undefined;
  /** The member's own values (a personal API key): secret, Dedicated only. */
  env?: { key: string; value: string }[] | undefined;
  /** The member's own fair-share limits (members file `limits`), over the server's --member-* caps. */
  limits?: MemberLimits | undefined;
}

export interface MemberAdded {
  member: MemberView;
  /** Shown once; the store keeps it encrypted, the containers only its hash. */
  token: string;
  deploys: DeployResult[];
  /** Why the deploy that should have followed did not succeed; the member is added regardless. */
  deployError: string | null;
}

/** A change to a member: each field given replaces the stored one whole; the others stay. */
export interface MemberSetInput {
  server: string;
  name: string;
  tools?: readonly string[] | undefined;
  resources?: readonly string[] | undefined;
  prompts?: readonly string[] | undefined;
  /** The member's own limits as a whole: {} returns it to the server's caps. */
  limits?: MemberLimits | undefined;
}

export interface MemberChanged {
  member: MemberView;
  deploys: DeployResult[];
  /** Why the deploy that carries the change failed; the change is saved regardless. */
  deployError: string | null;
}

export interface MemberServiceDeps {
  store: Store;
  events: EventBus;
  actor: string;
  deploy: DeployService;
  targets: HostTargets;
}

export function newToken(): { token: string; tokenSha256: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenSha256: createHash('sha256').update(token).digest('hex') };
}

export class MemberService {
  constructor(private readonly d: MemberServiceDeps) {}

  /** Throws FleetError('not_found') for an unknown server. */
  list(serverName: string): MemberView[] {
    const server = this.server(serverName);
    return this.d.store.members.listByServer(server.id).map((m) => this.view(server, m));
  }

  /**
   * Adds a member with a new token, then deploys the server again where it runs. Throws FleetError:
   * not_found, invalid_input (name, tools, resources, prompts, env, limits, per-member values on a
   * Shared server), conflict (name taken).
   * A failed follow-up deploy does not throw: it is reported in deployError, beside the token.
   */
  async add(input: MemberAddInput, onProgress?: (line: string) => void): Promise<MemberAdded> {
    const server = this.server(input.server);
    if (!Name.safeParse(input.name).success) {
      throw new FleetError(
        'invalid_input',
        'a member name must be 1-63 characters of letters, digits, "_", "." or "-", starting with a letter or digit',
      );
    }
    const tools = checkAccess('tools', input.tools ?? ['*']);
    const resources = checkAccess('resources', input.resources ?? ['*']);
    const prompts = checkAccess('prompts', input.prompts ?? ['*']);
    const env = checkEnv(server, input.env ?? []);
    const limits = checkLimits(input.limits ?? {});
    const { token, tokenSha256 } = newToken();
    const member = this.d.store.transaction(() => {
      const inserted = this.d.store.members.insert({
        serverId: server.id,
        name: input.name,
        token,
        tokenSha256,
        tools,
        resources,
        prompts,
        limits,
      });
      this.d.store.deployState.setMember(inserted.id, { env });
      this.d.store.audit.append({
        actor: this.d.actor,
        action: 'members.add',
        target: `${server.name}/${input.name}`,
        outcome: 'ok',
        detail: `${accessDetail({ tools, resources, prompts })}; own values ${env.map((e) => e.key).join(',') || '-'}; limits ${JSON.stringify(limits)}`,
      });
      return inserted;
    });
    this.d.events.emit('store:changed', { domain: 'members' });
    const { deploys, error } = await this.redeploy(server, onProgress);
    return { member: this.view(server, member), token, deploys, deployError: error };
  }

  /**
   * Changes what a member may use (tools, resources, prompts) or its own limits, then deploys the server
   * again where it runs, so the change reaches its instances. Everything is checked before anything is
   * saved. Throws FleetError: not_found (server or member), invalid_input (a bad list or limit, or no
   * change given). A failed follow-up deploy does not throw: it is reported in deployError.
   */
  async set(input: MemberSetInput, onProgress?: (line: string) => void): Promise<MemberChanged> {
    const server = this.server(input.server);
    const current = this.d.store.members.getByName(server.id, input.name);
    if (!current) {
      throw new FleetError('not_found', `server "${server.name}" has no member named "${input.name}"`);
    }
    const patch: MemberPatch = {};
    for (const kind of ACCESS_KINDS) {
      const list = input[kind];
      if (list !== undefined) patch[kind] = checkAccess(kind, list);
    }
    if (input.limits !== undefined) patch.limits = checkLimits(input.limits);
    if (Object.keys(patch).length === 0) {
      throw new FleetError('invalid_input', 'nothing to change: give tools, resources, prompts or limits');
    }
    const member = this.d.store.transaction(() => {
      const updated = this.d.store.members.update(current.id, patch);
      this.d.store.audit.append({
        actor: this.d.actor,
        action: 'members.set',
        target: `${server.name}/${current.name}`,
        outcome: 'ok',
        detail: [
          accessDetail(patch),
          patch.limits === undefined ? '' : `limits ${JSON.stringify(patch.limits)}`,
        ]
          .filter((part) => part !== '')
          .join('; '),
      });
      return updated;
    });
    this.d.events.emit('store:changed', { domain: 'members' });
    const { deploys, error } = await this.redeploy(server, onProgress);
    return { member: this.view(server, member), deploys, deployError: error };
  }

  /**
   * Removes a member: its Dedicated instance (container, files, state volume) first, then the member;
   * a Shared server is deployed again without its token. Throws FleetError: not_found, the SSH and
   * Docker errors (the member then stays, so nothing is orphaned).
   */
  async remove(serverName: string, name: string, onProgress?: (line: string) => void): Promise<void> {
    const server = this.server(serverName);
    const member = this.d.store.members.getByName(server.id, name);
    if (!member) throw new FleetError('not_found', `server "${server.name}" has no member named "${name}"`);
    await this.d.deploy.locked(server.id, async () => {
      for (const inst of this.d.store.instances
        .listByServer(server.id)
        .filter((i) => i.memberId === member.id)) {
        const host = this.d.store.hosts.getById(inst.hostId);
        if (!host) continue;
        onProgress?.(`removing ${inst.containerName} from ${host.name}`);
        const target = await this.d.targets.target(host);
        await removeNamedInstance(target, inst.containerName);
        this.d.store.instances.remove(inst.id);
      }
      this.d.store.transaction(() => {
        this.d.store.members.remove(server.id, name);
        this.d.store.audit.append({
          actor: this.d.actor,
          action: 'members.remove',
          target: `${server.name}/${name}`,
          outcome: 'ok',
          detail: '',
        });
      });
    });
    this.d.events.emit('store:changed', { domain: 'members' });
    if (server.mode === 'shared') {
      const { error } = await this.redeploy(server, onProgress, true);
      if (error !== null) {
        throw new FleetError(
          'unavailable',
          `member "${name}" is removed, but its token is still accepted until a deploy succeeds: ${error}`,
        );
      }
    }
  }

  /** Deploys where the server runs; never throws (the error is returned). */
  async redeploy(
    server: ServerRecord,
    onProgress?: (line: string) => void,
    removeIfNoMembers = false,
  ): Promise<{ deploys: DeployResult[]; error: string | null }> {
    try {
      return {
        deploys: await this.d.deploy.redeploy(server.name, {
          removeIfNoMembers,
          ...(onProgress ? { onProgress } : {}),
        }),
        error: null,
      };
    } catch (err) {
      return {
        deploys: [],
        error: err instanceof FleetError ? err.message : 'unexpected error; see the log',
      };
    }
  }

  server(name: string): ServerRecord {
    const server = this.d.store.servers.getByName(name);
    if (!server) throw new FleetError('not_found', `no server named "${name}"`);
    return server;
  }

  view(server: ServerRecord, m: MemberRecord): MemberView {
    const state = this.d.store.deployState.member(m.id);
    return {
      server: server.name,
      name: m.name,
      tools: m.tools,
      resources: m.resources,
      prompts: m.prompts,
      envKeys: (state?.env ?? []).map((e) => e.key),
      port: state?.port ?? null,
      limits: m.limits,
      rotating: (state?.previousTokenSha256 ?? null) !== null,
      instances: this.d.store.instances
        .listByServer(server.id)
        .filter((i) => i.memberId === m.id || (server.mode === 'shared' && i.memberId === null))
        .map((i) => i.containerName),
      createdAt: m.createdAt,
    };
  }
}
