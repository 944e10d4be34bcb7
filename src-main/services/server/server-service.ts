import type {
  ModeChange,
  ServerAdded,
  ServerAddInput,
  ServerSetInput,
  ServerView,
  ToolDiff,
  VersionPin,
} from '../../shared/contract';
import { ServerAddInput as ServerAddSchema, ServerSetInput as ServerSetSchema } from '../../shared/contract';
import { bridgeLimitArgs, bridgeLimitsProblem } from '../../shared/bridge-settings';
import { FleetError, describeZodError } from '../../shared/errors';
import { mountFlag, type ServerReach } from '../../shared/server-mounts';
import type { DeployResult } from '../deploy/types';
import type { EventBus } from '../events';
import type { PinnedSource } from '../registry/source-pinner';
import type { ServerPatch } from '../store/server-repository';
import type { Store } from '../store/store';
import type { EnvEntry, ServerRecord } from '../store/types';
import { pinnedPorts } from '../host-ops/ports';
import { reachProblem } from '../../shared/server-mounts';
import { diffTools, toolDiffReport } from '../../shared/tool-diff';
import { modeChangeReport } from '../../shared/mode-change-report';
import { planModeChange, type ModePlan } from './mode-change';
import { validateSource, withVersion } from './source';
import type { ToolLists } from './tool-probe';

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

/** How a version change's tools are listed before it is saved: ToolProbe.compare. */
export interface ToolLister {
  compare(current: ServerRecord, next: ServerRecord, onProgress: (line: string) => void): Promise<ToolLists>;
}

export interface ServerChanged {
  server: ServerView;
  deploys: DeployResult[];
  /** Why the deploy that carries the change failed; the change is saved regardless. */
  deployError: string | null;
  /** What a version change does to the tools; null when the version stayed. */
  toolDiff: ToolDiff | null;
  /** The exact version a registry gave a tag or range; null when none was asked. */
  pinned: VersionPin | null;
  /** What a mode change removes and makes; null when the mode stayed. */
  modeChange: ModeChange | null;
  /** Nothing was saved or deployed. */
  dryRun: boolean;
}

/** Servers: definitions of what to run (source, version, args, env, mode) and their bridge settings. */
export class ServerService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly actor: string,
    /** Only `set` deploys; processes that never call it (imports, exports) may leave this out. */
    private readonly deployer?: ServerDeployer,
    /** Only `addPinning` and `set` ask registries; without this they take sources as given. */
    private readonly pinning?: SourcePinning,
    /** Only `set` of a version lists tools; without this it refuses a version change. */
    private readonly tools?: ToolLister,
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
        detail: `${input.source.kind} ${input.source.value}, ${input.mode}, env ${input.env.map((e) => e.key).join(',') || '-'}, roots ${input.roots.length}, bridge ${bridgeLimitArgs(input.bridgeLimits).join(' ') || 'defaults'}${reachDetail(input.reach)}`,
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
   * Changes a server: its version, arguments, env (added, replaced, removed), port, roots (Shared only),
   * caps and reach, each replaced as given, fields not given kept. A version change first lists the tools
   * of both versions on the first host that runs the server (see ToolProbe) and reports what changes
   * (onProgress hears it before the rollout). Then it is saved and deployed where the server runs, one
   * instance at a time as `servers update` does; with dryRun nothing is saved or deployed. Members and
   * their tokens are never touched. A mode change (see planModeChange) clears what only the old shape had
   * (the server's port going Dedicated; the members' ports, and their own values with dropMemberEnv,
   * going Shared) and its deploy removes the old instances and makes the new ones. Everything but the
   * version's registry and the probe is checked before anything else happens. Throws FleetError: not_found, invalid_input (a bad value, an env key given twice
   * or not set, nothing to change, what a new mode cannot keep), conflict (a port another server pins), the registry's errors for a
   * tag or range, and the probe's. A failed deploy does not throw: see deployError.
   */
  async set(raw: ServerSetInput, onProgress: (line: string) => void = () => {}): Promise<ServerChanged> {
    const parsed = ServerSetSchema.safeParse(raw);
    if (!parsed.success) throw new FleetError('invalid_input', describeZodError(parsed.error));
    const input = parsed.data;
    const server = this.require(input.server);
    const deployer = this.deployer;
    if (deployer === undefined && input.dryRun !== true) {
      throw new FleetError('internal', 'this process cannot deploy servers');
    }
    const modePlan =
      input.mode === undefined
        ? null
        : planModeChange(this.store, server, {
            mode: input.mode,
            roots: input.roots,
            port: input.port,
            reach: input.reach,
            dropMemberEnv: input.dropMemberEnv === true,
            freshVolumes: input.freshVolumes === true,
          });
    const patch = this.setPatch(server, input, modePlan);
    const modeChange = modePlan?.view ?? null;
    let source: ServerAddInput['source'] | null =
      input.version === undefined
        ? null
        : withVersion({ kind: server.sourceKind, value: server.sourceValue }, input.version);
    if (source !== null && this.tools === undefined) {
      throw new FleetError('internal', 'this process cannot list the tools of a version');
    }
    let pinned: ServerChanged['pinned'] = null;
    if (source !== null && this.pinning !== undefined) ({ source, pinned } = await this.pinning.pin(source));
    if (source !== null) patch.sourceValue = source.value;
    const next: ServerRecord = {
      ...server,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    };
    let toolDiff: ServerChanged['toolDiff'] = null;
    if (source !== null && this.tools !== undefined) {
      const lists = await this.tools.compare(server, next, onProgress);
      toolDiff = {
        from: server.sourceValue,
        to: next.sourceValue,
        host: lists.host,
        ...diffTools(lists.before, lists.after),
      };
      // Told before the rollout starts; a dry run leaves the telling to its caller.
      if (input.dryRun !== true) toolDiffReport(server.name, toolDiff).forEach((line) => onProgress(line));
    }
    if (input.dryRun === true) {
      return {
        server: this.view(next),
        deploys: [],
        deployError: null,
        toolDiff,
        pinned,
        modeChange,
        dryRun: true,
      };
    }
    const updated = this.store.transaction(() => {
      const saved = this.store.servers.update(server.id, patch);
      // Members and tokens stay; what only the old shape had goes with it.
      for (const id of modePlan?.dropEnvOf ?? []) this.store.deployState.setMember(id, { env: [] });
      for (const id of modePlan?.clearPortOf ?? []) this.store.deployState.setMember(id, { port: null });
      this.store.audit.append({
        actor: this.actor,
        action: 'servers.set',
        target: server.name,
        outcome: 'ok',
        detail: setDetail(server, patch, input, modePlan),
      });
      return saved;
    });
    this.events.emit('store:changed', { domain: 'servers' });
    if (modePlan !== null) {
      this.events.emit('store:changed', { domain: 'members' });
      modeChangeReport(server.name, modePlan.view).forEach((line) => onProgress(line));
    }
    let deploys: DeployResult[] = [];
    let deployError: string | null = null;
    try {
      deploys = await (deployer as ServerDeployer).update(server.name, onProgress);
    } catch (err) {
      deployError = err instanceof FleetError ? err.message : 'unexpected error; see the log';
    }
    // Tool pinning: what the new version changed or added is not served until it is approved.
    const unapproved = (toolDiff?.added.length ?? 0) + (toolDiff?.changed.length ?? 0);
    if (unapproved > 0 && this.store.pins.state(server.id).recordedAt !== null && deploys.length > 0) {
      onProgress(
        `${unapproved} tool(s) changed or added: quarantined for every member until approved ` +
          `(mcp-fleet tools list ${server.name} --diff, then mcp-fleet tools approve ${server.name})`,
      );
    }
    return { server: this.view(updated), deploys, deployError, toolDiff, pinned, modeChange, dryRun: false };
  }

  /** The checked patch of a set, without the version. Throws as `set` does; touches nothing. */
  private setPatch(
    server: ServerRecord,
    input: ReturnType<typeof ServerSetSchema.parse>,
    modePlan: ModePlan | null,
  ): ServerPatch {
    const patch: ServerPatch = {};
    const mode = modePlan?.mode ?? server.mode;
    if (input.dropMemberEnv === true && modePlan?.mode !== 'shared') {
      throw new FleetError('invalid_input', "dropping the members' own values goes with a change to Shared");
    }
    if (input.freshVolumes === true && modePlan === null) {
      throw new FleetError('invalid_input', 'fresh volumes go with a change of mode');
    }
    if (input.args !== undefined) patch.args = input.args;
    if (input.env !== undefined || input.unsetEnv !== undefined) {
      patch.env = changedEnv(server, input.env ?? [], input.unsetEnv ?? []);
    }
    if (input.port !== undefined) {
      if (mode === 'dedicated' && input.port !== null) {
        throw new FleetError(
          'invalid_input',
          "a Dedicated server's instances take one port per member: give the first with `deploy --port`",
        );
      }
      const own = new Set([server.port, ...this.store.instances.listByServer(server.id).map((i) => i.port)]);
      if (input.port !== null && !own.has(input.port) && pinnedPorts(this.store).has(input.port)) {
        throw new FleetError(
          'conflict',
          `port ${input.port} is already pinned by another server or member: pick another`,
        );
      }
      patch.port = input.port;
    }
    if (input.roots !== undefined) {
      if (mode === 'dedicated' && input.roots.length > 0) {
        throw new FleetError('invalid_input', DEDICATED_ROOTS);
      }
      patch.roots = input.roots;
    }
    if (input.bridgeLimits !== undefined) {
      const problem = bridgeLimitsProblem(input.bridgeLimits);
      if (problem !== null) throw new FleetError('invalid_input', problem);
      patch.bridgeLimits = input.bridgeLimits;
    }
    if (input.reach !== undefined) {
      const problem = reachProblem(input.reach);
      if (problem !== null) throw new FleetError('invalid_input', problem);
      patch.reach = input.reach;
    }
    if (modePlan !== null) {
      patch.mode = modePlan.mode;
      patch.port = modePlan.port;
    }
    if (Object.keys(patch).length === 0 && input.version === undefined) {
      throw new FleetError(
        'invalid_input',
        input.mode === server.mode
          ? `nothing to change: server "${server.name}" is already ${server.mode === 'shared' ? 'Shared' : 'Dedicated'}`
          : 'nothing to change: give a version, arguments, env, a port, roots, bridge limits, the reach or a mode',
      );
    }
    return patch;
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

/** The reach in the audit line, when there is one: its mounts as flags, networks and extra hosts. */
function reachDetail(reach: ServerReach | undefined): string {
  if (reach === undefined) return '';
  const parts = [
    ...reach.mounts.map((m) => `${m.kind === 'bind' ? '--mount' : '--volume'} ${mountFlag(m)}`),
    ...reach.networks.map((n) => `--network ${n}`),
    ...reach.extraHosts.map((h) => `--add-host ${h.name}:${h.ip}`),
    ...(reach.allowDockerSocket ? ['--allow-docker-socket'] : []),
  ];
  return parts.length === 0 ? '' : `, reach ${parts.join(' ')}`;
}

/** The server's env with `set` applied in place (replaced keys keep their place, new ones go last). */
function changedEnv(server: ServerRecord, given: readonly EnvEntry[], unset: readonly string[]): EnvEntry[] {
  const seen = new Set<string>();
  for (const e of given) {
    if (seen.has(e.key))
      throw new FleetError('invalid_input', `environment variable ${e.key} is given twice`);
    seen.add(e.key);
  }
  const removed = new Set<string>();
  for (const key of unset) {
    if (seen.has(key) || removed.has(key)) {
      throw new FleetError('invalid_input', `environment variable ${key} is given twice`);
    }
    if (!server.env.some((e) => e.key === key)) {
      throw new FleetError(
        'invalid_input',
        `server "${server.name}" has no environment variable ${key} to unset`,
      );
    }
    removed.add(key);
  }
  const replaced = new Map(given.map((e) => [e.key, { key: e.key, value: e.value, secret: e.secret }]));
  const kept = server.env.filter((e) => !removed.has(e.key)).map((e) => replaced.get(e.key) ?? e);
  return [...kept, ...given.filter((e) => !server.env.some((old) => old.key === e.key))];
}

/** The audit line of a set: what changed, env by key only (values, secret or not, stay out). */
function setDetail(
  server: ServerRecord,
  patch: ServerPatch,
  input: ReturnType<typeof ServerSetSchema.parse>,
  modePlan: ModePlan | null,
): string {
  const parts = [
    modePlan === null ? '' : `mode ${server.mode} -> ${modePlan.mode}`,
    modePlan === null || modePlan.dropEnvOf.length === 0
      ? ''
      : `members' own values dropped (${modePlan.dropEnvOf.length} members)`,
    patch.sourceValue === undefined ? '' : `source ${server.sourceValue} -> ${patch.sourceValue}`,
    patch.args === undefined ? '' : `args ${patch.args.length}`,
    input.env === undefined || input.env.length === 0
      ? ''
      : `env set ${input.env.map((e) => e.key).join(',')}`,
    input.unsetEnv === undefined || input.unsetEnv.length === 0
      ? ''
      : `env unset ${input.unsetEnv.join(',')}`,
    patch.port === undefined ? '' : `port ${patch.port ?? 'auto'}`,
    patch.roots === undefined ? '' : `roots ${patch.roots.length}`,
    patch.bridgeLimits === undefined
      ? ''
      : `bridge ${bridgeLimitArgs(patch.bridgeLimits).join(' ') || 'defaults'}`,
    patch.reach === undefined
      ? ''
      : `reach ${patch.reach.mounts.length} mounts, ${patch.reach.networks.length} networks, ${patch.reach.extraHosts.length} extra hosts${patch.reach.allowDockerSocket ? ', docker socket allowed' : ''}`,
  ];
  return parts.filter((part) => part !== '').join(', ');
}
