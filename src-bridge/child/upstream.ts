import { ChildProcessHandle, type ChildSpec, type ExitInfo } from './child';
import { describeError } from '../errors';
import { InternalRequests } from '../core/internal-requests';
import type { ChildCharge } from './stdin-queue';
import { classify, isObject, type JsonObject } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import { LATEST_VERSION } from '../wire/protocol-version';

export { UpstreamError } from '../core/internal-requests';

export type UpstreamState = 'starting' | 'ready' | 'backoff' | 'stopping' | 'stopped';

export interface InitializeResult extends JsonObject {
  protocolVersion: string;
  capabilities: JsonObject;
  serverInfo: JsonObject;
}

export interface UpstreamOptions {
  child: ChildSpec;
  initTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Running this long after initializing counts as stable and resets the backoff. */
  stableMs: number;
  stopGraceMs: number;
  clientVersion: string;
  /** Shared: the bridge answers roots/list from a fixed list, so the child is not promised listChanged. */
  mode: 'shared' | 'dedicated';
}

export interface UpstreamListener {
  onMessage(message: unknown): void;
  onExit(info: ExitInfo, generation: number): void;
  onReady(generation: number): void;
}

/** Runs the stdio server: spawn, initialize once, restart with backoff, and the bridge's own requests to it. */
export class Upstream {
  state: UpstreamState = 'starting';
  generation = 0;
  restarts = 0;
  consecutiveFailures = 0;
  lastExit: ExitInfo | undefined;
  initResult: InitializeResult | undefined;
  startedAt: number | undefined;
  private readyAt: number | undefined;
  private child: ChildProcessHandle | undefined;
  private nextRequestId = 0;
  private readonly internal = new InternalRequests();
  private readyWaiters: (() => void)[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  /** Whose messages send() is writing while onBehalfOf() runs; the bridge's own lane otherwise. */
  private owner: string | undefined;
  private listener: UpstreamListener = {
    onMessage: () => undefined,
    onExit: () => undefined,
    onReady: () => undefined,
  };

  constructor(
    private readonly options: UpstreamOptions,
    private readonly log: Logger,
  ) {}

  /** Where the child's messages and lifecycle events go; set before start(). */
  setListener(listener: UpstreamListener): void {
    this.listener = listener;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  get pid(): number | undefined {
    return this.child?.running ? this.child.pid : undefined;
  }

  /** Ids are never reused across restarts, so a late answer can never match a newer request. */
  nextId(): number {
    return ++this.nextRequestId;
  }

  start(): void {
    this.spawnChild();
  }

  /**
   * Sends one message to the child, in the owner's turn when stdin is backed up (the member's name;
   * without one, whoever onBehalfOf() names, else the bridge); false when no initialized child is
   * there to take it. A request's charge counts it against its member's share of the child until released.
   */
  send(message: object, owner?: string, charge?: ChildCharge): boolean {
    if (this.state !== 'ready' || this.child === undefined) return false;
    return this.child.write(JSON.stringify(message), owner ?? this.owner, charge);
  }

  /**
   * Runs fn with every send() in it (that names no owner) counted as the member's: what a client's
   * message makes the bridge send reaches the child in that member's turn, wherever in the
   * multiplexer it is sent from. Synchronous sends only; later ones must name their owner.
   */
  onBehalfOf<T>(owner: string, fn: () => T): T {
    const previous = this.owner;
    this.owner = owner;
    try {
      return fn();
    } finally {
      this.owner = previous;
    }
  }

  /** Characters of the owner's messages waiting for the child's stdin (0 when it keeps up). */
  queued(owner: string): number {
    return this.child?.queued(owner) ?? 0;
  }

  /** Characters of the owner's requests at the child and not yet answered (its share in use). */
  unanswered(owner: string): number {
    return this.child?.unanswered(owner) ?? 0;
  }

  /** A request of the bridge's own (initialize, subscriptions, log level); throws UpstreamError or Error. */
  request(method: string, params: JsonObject, timeoutMs: number, beforeReady = false): Promise<unknown> {
    const id = this.nextId();
    const line = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    const child = this.child;
    if (!child || !(beforeReady || this.state === 'ready') || !child.write(line))
      return Promise.reject(new Error('the MCP server is not running'));
    return this.internal.wait(id, method, timeoutMs);
  }

  /** Resolves true once a child is initialized, or false after timeoutMs or when stopping. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.state === 'ready') return Promise.resolve(true);
    if (this.state === 'stopping' || this.state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve(this.state === 'ready');
      };
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.readyWaiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    clearTimeout(this.restartTimer);
    this.wakeReadyWaiters();
    await this.child?.stop(this.options.stopGraceMs);
    this.state = 'stopped';
  }

  private spawnChild(): void {
    this.generation += 1;
    const generation = this.generation;
    this.state = 'starting';
    this.readyAt = undefined;
    this.startedAt = Date.now();
    const child = new ChildProcessHandle(
      this.options.child,
      { onLine: (line) => this.onLine(line), onExit: (info) => this.onChildExit(info, generation) },
      this.log,
    );
    this.child = child;
    this.log.info('child_started', {
      pid: child.pid ?? null,
      generation,
      command: this.options.child.command,
    });
    this.initialize(child, generation).catch((err: unknown) =>
      this.log.error('internal_error', { error: describeError(err) }),
    );
  }

  private async initialize(child: ChildProcessHandle, generation: number): Promise<void> {
    try {
      const result = await this.request(
        'initialize',
        {
          protocolVersion: LATEST_VERSION,
          // Everything a client could support is declared, because clients come and go after this one
          // handshake; a server request a session cannot serve is refused per session instead.
          capabilities: {
            sampling: {},
            elicitation: { form: {}, url: {} },
            roots: this.options.mode === 'shared' ? {} : { listChanged: true },
          },
          clientInfo: { name: 'mcp-fleet-bridge', version: this.options.clientVersion },
        },
        this.options.initTimeoutMs,
        true,
      );
      if (!isObject(result) || typeof result.protocolVersion !== 'string' || !isObject(result.capabilities)) {
        throw new Error('the MCP server answered initialize without a protocolVersion and capabilities');
      }
      if (generation !== this.generation || this.state !== 'starting') return;
      this.initResult = { serverInfo: {}, ...result } as InitializeResult;
      child.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      this.state = 'ready';
      this.readyAt = Date.now();
      this.log.info('child_ready', {
        pid: child.pid ?? null,
        generation,
        protocolVersion: result.protocolVersion,
      });
      this.wakeReadyWaiters();
      this.listener.onReady(generation);
    } catch (err) {
      if (generation !== this.generation || !child.running) return;
      this.log.error('child_initialize_failed', { error: describeError(err) });
      child.kill('SIGKILL');
    }
  }

  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      // The line may hold anything, secrets included: report its size, not its text.
      this.log.warn('child_stdout_not_json', { chars: line.length });
      return;
    }
    if (!Array.isArray(message)) return this.route(message);
    for (const item of message as unknown[]) this.route(item);
  }

  /** One message from the child: the answer to a request of the bridge's own, or the listener's. */
  private route(item: unknown): void {
    const classified = classify(item);
    if (classified.kind === 'response' && this.internal.settle(classified.message)) return;
    this.listener.onMessage(item);
  }

  private onChildExit(info: ExitInfo, generation: number): void {
    if (generation !== this.generation) return;
    this.lastExit = info;
    const stopping = this.state === 'stopping' || this.state === 'stopped';
    this.internal.failAll(new Error('the MCP server exited'));
    if (stopping) {
      this.log.info('child_exited', { ...info });
      this.listener.onExit(info, generation);
      return;
    }
    const stable = this.readyAt !== undefined && Date.now() - this.readyAt >= this.options.stableMs;
    this.consecutiveFailures = stable ? 1 : this.consecutiveFailures + 1;
    const delay = Math.min(
      this.options.backoffInitialMs * 2 ** (this.consecutiveFailures - 1),
      this.options.backoffMaxMs,
    );
    this.state = 'backoff';
    this.log.warn('child_exited', {
      ...info,
      restartInMs: delay,
      consecutiveFailures: this.consecutiveFailures,
    });
    this.listener.onExit(info, generation);
    this.restartTimer = setTimeout(() => {
      if (this.state !== 'backoff') return;
      this.restarts += 1;
      this.spawnChild();
    }, delay);
  }

  private wakeReadyWaiters(): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter();
  }
}
