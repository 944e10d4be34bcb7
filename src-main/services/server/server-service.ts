import type { ServerAdded, ServerAddInput, ServerSetInput, ServerView } from '../../shared/contract';
import { ServerAddInput as ServerAddSchema, ServerSetInput as ServerSetSchema } from '../../shared/contract';
import { bridgeLimitArgs, bridgeLimitsProblem } from '../../shared/bridge-settings';
import { FleetError, describeZodError } from '../../shared/errors';
import type { DeployResult } from '../deploy/types';
import type { EventBus } from '../events';
import type { PinnedSource } from '../registry/source-pinner';
import type { ServerPatch } from '../store/server-repository';
import type { Store } from '../store/store';
import type { ServerRecord } from '../store/types';
import { validateSource } from './source';

const DEDICATED_ROOTS =
  "roots are for Shared servers: a Dedicated instance's own client answers its server's roots/list";

/** How an npx/uvx source gets its exact version: SourcePinner.pin (asks the registry unless exact). */
export interface SourcePinning {
  pin(source: ServerAddInput['source']): Promise<PinnedSource>;
}

/** How a changed definition reaches the hosts that run it: DeployService.update (servers update). */
export interface ServerDeployer {
  update(serverName: string, onProgress?: (line: string) => void): Promise<DeployResult[]>;
}

export interface ServerChanged {
  server: ServerView;
  deploys: DeployResult[];
  /** Why the deploy that carries the change failed; the change is saved regardless. */
  deployError: string | null;
}

/** Servers: definitions of what to run (source, version, args, env, mode) and their bridge settings. */
export class ServerService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly actor: string,
    /** Only `set` deploys; processes that never call it (imports, exports) may leave this out. */
    private readonly deployer?: ServerDeployer,
    /** Only `addPinning` asks registries; without this it adds sources as given. */
    private readonly pinning?: SourcePinning,
  ) {}

  list(): ServerView[] {
    return this.store.servers.list().map((s) => this.view(s));
  }

  /** Throws FleetError('not_found') when no server has that name. */
  show(name: string): ServerView {
    return this.view(this.require(name));
  }

  /**
   * Adds a server definition with its source as given (callers that take a source from an operator use
   * addPinning). Throws invalid_input for a bad source, duplicate env keys, a bad root or cap, or roots on
   * a Dedicated server (the bridge would refuse to start); conflict for a taken name or port.
   */
  add(raw: ServerAddInput): ServerView {
    const input = this.checked(raw);
    const server = this.store.transaction(() => {
      const inserted = this.store.servers.insert({
        name: input.name,
        sourceKind: input.source.kind,
        sourceValue: input.source.value,
        args: input.args,
        env: input.env,
        mode: input.mode,
        port: input.port ?? null,
        roots: input.roots,
        bridgeLimits: input.bridgeLimits,
        ...(input.reach === undefined ? {} : { reach: input.reach }),
      });
      this.store.audit.append({
        actor: this.actor,
        action: 'servers.add',
        target: input.name,
        outcome: 'ok',
        // Keys only: values (secret or not) stay out of the audit log.
        detail: `${input.source.kind} ${input.source.value}, ${input.mode}, env ${input.env.map((e) => e.key).join(',') || '-'}, roots ${input.roots.length}, bridge ${bridgeLimitArgs(input.bridgeLimits).join(' ') || 'defaults'}`,
      });
      return inserted;
    });
    this.events.emit('store:changed', { domain: 'servers' });
    return this.view(server);
  }

  /**
   * Adds a server as `add` does, an npx/uvx source without an exact version (none, a tag, a range) first
   * pinned to the one its registry names (see SourcePinner.pin). Everything else is checked before the
   * registry is asked, and nothing is saved when it cannot answer. Throws as `add` does, and not_found or
   * unavailable (with how to pin by hand) when the registry has no such version or cannot be asked.
   */
  async addPinning(raw: ServerAddInput): Promise<ServerAdded> {
    const input = this.checked(raw);
    const { source, pinned } =
      this.pinning === undefined
        ? { source: input.source, pinned: null }
        : await this.pinning.pin(input.source);
    return { ...this.add({ ...raw, source }), pinned };
  }

  /**
   * Changes a server's bridge settings: its roots (Shared only) and its caps (replaced as a whole), then
   * deploys it again where it runs, one instance at a time as `servers update` does. Everything is
   * checked before anything is saved. Throws FleetError: not_found, invalid_input (a bad root or cap,
   * roots on a Dedicated server, no change given). A failed deploy does not throw: see deployError.
   */
  async set(raw: ServerSetInput, onProgress?: (line: string) => void): Promise<ServerChanged> {
    const parsed = ServerSetSchema.safeParse(raw);
    if (!parsed.success) throw new FleetError('invalid_input', describeZodError(parsed.error));
    const input = parsed.data;
    const server = this.require(input.server);
    const deployer = this.deployer;
    if (deployer === undefined) throw new FleetError('internal', 'this process cannot deploy servers');
    const patch: ServerPatch = {};
    if (input.roots !== undefined) {
      if (server.mode === 'dedicated' && input.roots.length > 0) {
        throw new FleetError('invalid_input', DEDICATED_ROOTS);
      }
      patch.roots = input.roots;
    }
    if (input.bridgeLimits !== undefined) {
      const problem = bridgeLimitsProblem(input.bridgeLimits);
      if (problem !== null) throw new FleetError('invalid_input', problem);
      patch.bridgeLimits = input.bridgeLimits;
    }
    if (Object.keys(patch).length === 0) {
      throw new FleetError('invalid_input', 'nothing to change: give roots or bridge limits');
    }
    const updated = this.store.transaction(() => {
      const next = this.store.servers.update(server.id, patch);
      this.store.audit.append({
        actor: this.actor,
        action: 'servers.set',
        target: server.name,
        outcome: 'ok',
        detail: [
          patch.roots === undefined ? '' : `roots ${patch.roots.length}`,
          patch.bridgeLimits === undefined
            ? ''
            : `bridge ${bridgeLimitArgs(patch.bridgeLimits).join(' ') || 'defaults'}`,
        ]
          .filter((part) => part !== '')
          .join(', '),
      });
      return next;
    });
    this.events.emit('store:changed', { domain: 'servers' });
    let deploys: DeployResult[] = [];
    let deployError: string | null = null;
    try {
      deploys = await deployer.update(server.name, onProgress);
    } catch (err) {
      deployError = err instanceof FleetError ? err.message : 'unexpected error; see the log';
    }
    return { server: this.view(updated), deploys, deployError };
  }

  /** Removes a server with its members. Throws not_found, or conflict while instances of it exist. */
  remove(name: string): void {
    const server = this.require(name);
    if (this.store.instances.listByServer(server.id).length > 0) {
      throw new FleetError('conflict', `server "${name}" still has instances; undeploy it first`);
    }
    this.store.transaction(() => {
      this.store.servers.remove(name);
      this.store.audit.append({
        actor: this.actor,
        action: 'servers.remove',
        target: name,
        outcome: 'ok',
        detail: '',
      });
    });
    this.events.emit('store:changed', { domain: 'servers' });
  }

  /** The input parsed and checked as `add` needs it; throws as `add` does. */
  private checked(raw: ServerAddInput): ReturnType<typeof ServerAddSchema.parse> {
    const input = ServerAddSchema.parse(raw);
    validateSource(input.source);
    const seen = new Set<string>();
    for (const e of input.env) {
      if (seen.has(e.key))
        throw new FleetError('invalid_input', `environment variable ${e.key} is given twice`);
      seen.add(e.key);
    }
    if (input.mode === 'dedicated' && input.roots.length > 0) {
      throw new FleetError('invalid_input', DEDICATED_ROOTS);
    }
    if (this.store.servers.getByName(input.name)) {
      throw new FleetError('conflict', `a server named "${input.name}" already exists`);
    }
    if (input.port !== undefined && this.store.servers.list().some((s) => s.port === input.port)) {
      throw new FleetError('conflict', `port ${input.port} is already pinned by another server`);
    }
    return input;
  }

  private require(name: string): ServerRecord {
    const server = this.store.servers.getByName(name);
    if (!server) throw new FleetError('not_found', `no server named "${name}"`);
    return server;
  }

  private view(s: ServerRecord): ServerView {
    return {
      name: s.name,
      source: { kind: s.sourceKind, value: s.sourceValue },
      args: s.args,
      env: s.env.map((e) => ({
        key: e.key,
        value: e.secret ? null : e.value,
        secret: e.secret,
        hasSecret: e.secret && e.value.length > 0,
      })),
      mode: s.mode,
      port: s.port,
      roots: s.roots,
      bridgeLimits: s.bridgeLimits,
      reach: s.reach,
      memberCount: this.store.members.listByServer(s.id).length,
      instanceCount: this.store.instances.listByServer(s.id).length,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}
