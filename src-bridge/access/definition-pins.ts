import { readFileSync } from 'node:fs';
import { BridgeError, describeError } from '../errors';
import { ErrorCodes, isObject, type JsonObject, type JsonRpcErrorObject } from '../wire/jsonrpc';
import type { LogFields, Logger } from '../ops/log';
import type { Upstream } from '../child/upstream';
import {
  canonicalJson,
  definitionHash,
  parseApprovedSet,
  pinnedDefinition,
  pinKeyOf,
  pinStatus,
  PIN_KINDS,
  type ApprovedSet,
  type PinKind,
} from '../../src-main/shared/tool-pins';

/**
 * Tool pinning at the bridge (`--approved FILE`): only definitions the operator approved are served.
 * A tool, prompt or resource template whose pinned definition (src-main/shared/tool-pins.ts) hashes to
 * something other than its approved hash (changed), or that the set does not name (new; served when the
 * set says autoApproveNew), is left out of the lists and refused before the server sees a request for
 * it. The bridge learns the definitions from the server's own list results as they pass through, and
 * asks the server itself when a request names something it has not seen listed.
 */

/** The list methods whose entries are pinned, the kind each lists, and where the entries are. */
const LISTS: Readonly<Record<string, PinKind>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/templates/list': 'resourceTemplates',
};
const LIST_METHOD: Readonly<Record<PinKind, string>> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resourceTemplates: 'resources/templates/list',
};
const NOUN: Readonly<Record<PinKind, string>> = {
  tools: 'Tool',
  prompts: 'Prompt',
  resourceTemplates: 'Resource template',
};
/** Log events: tool_quarantined, prompt_quarantined, resource_template_quarantined (and _auto_approved). */
const EVENT: Readonly<Record<PinKind, string>> = {
  tools: 'tool',
  prompts: 'prompt',
  resourceTemplates: 'resource_template',
};
const FIELD: Readonly<Record<PinKind, string>> = {
  tools: 'name',
  prompts: 'name',
  resourceTemplates: 'uriTemplate',
};

/** Pages of a list the bridge reads when it fetches one itself; a longer list cannot be checked. */
const MAX_PAGES = 100;
/** Remembered keys (log lines written, first-served hashes of auto-approved entries) are bounded by this. */
const MAX_REMEMBERED = 10_000;
/**
 * A definition longer than this (canonical JSON, UTF-16 units) is not written into its log line: the
 * line says how long it was instead, and the app shows the hash alone.
 */
export const MAX_LOGGED_DEFINITION = 65_536;
/** The server capability that offers each kind (initialize's result). */
const CAPABILITY: Readonly<Record<PinKind, string>> = {
  tools: 'tools',
  prompts: 'prompts',
  resourceTemplates: 'resources',
};

/**
 * Why a request is refused: `changed` and `new` as pinStatus says; `unlisted` when the server's full
 * list does not hold it (no definition to check); `unchecked` when the list could not be had.
 */
export type QuarantineReason = 'changed' | 'new' | 'unlisted' | 'unchecked';

export interface Quarantine {
  reason: QuarantineReason;
  /** The JSON-RPC error the client gets. */
  error: JsonRpcErrorObject;
}

/** Reads and checks the approved-set file; throws BridgeError naming the file and what is wrong. */
export function loadApprovedFile(path: string): ApprovedSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BridgeError('invalid_input', `cannot read the approved set ${path}: ${describeError(err)}`);
  }
  try {
    return parseApprovedSet(text, `the approved set ${path}`);
  } catch (err) {
    throw new BridgeError('invalid_input', describeError(err));
  }
}

/** The kind and key a request names, for the requests that use a pinned definition. */
function targetOf(
  method: string,
  params: JsonObject | undefined,
): { kind: PinKind; key: unknown } | undefined {
  switch (method) {
    case 'tools/call':
      return { kind: 'tools', key: params?.name };
    case 'prompts/get':
      return { kind: 'prompts', key: params?.name };
    case 'completion/complete': {
      const ref = params?.ref;
      if (!isObject(ref)) return undefined;
      if (ref.type === 'ref/prompt') return { kind: 'prompts', key: ref.name };
      if (ref.type === 'ref/resource') return { kind: 'resourceTemplates', key: ref.uri };
      return undefined;
    }
    default:
      return undefined;
  }
}

interface Known {
  /** Key → hash of the definition last listed under it. */
  byKey: Map<string, string>;
  /** Whether byKey holds the server's whole list (the bridge fetched every page itself). */
  complete: boolean;
}

export class DefinitionPins {
  private readonly known: Partial<Record<PinKind, Known>> = {};
  private readonly loading: Partial<Record<PinKind, Promise<void>>> = {};
  /** Bumped whenever a kind's definitions are forgotten, so a fetch begun before is not kept. */
  private readonly epoch: Record<PinKind, number> = { tools: 0, prompts: 0, resourceTemplates: 0 };
  /** The hash first served of each auto-approved new entry: a later, different one is a change. */
  private readonly firstServed = new Map<string, string>();
  private readonly logged = new Set<string>();

  constructor(
    private set: ApprovedSet,
    private readonly upstream: Upstream,
    private readonly timing: { readyWaitMs: number; timeoutMs: number },
    private readonly log: Logger,
  ) {}

  /** Counts for log lines: how many of each kind the set approves, and autoApproveNew. */
  summary(): Record<string, number | boolean> {
    const { tools, prompts, resourceTemplates, autoApproveNew } = this.set;
    return {
      tools: Object.keys(tools).length,
      prompts: Object.keys(prompts).length,
      resourceTemplates: Object.keys(resourceTemplates).length,
      autoApproveNew,
    };
  }

  /** Serves from a new approved set from now on (what is quarantined is logged again, once). */
  replace(set: ApprovedSet): void {
    this.set = set;
    this.logged.clear();
  }

  /** The server's lists may have changed (its list_changed notice): learn them again before deciding. */
  forget(kind: PinKind): void {
    this.epoch[kind] += 1;
    delete this.known[kind];
    delete this.loading[kind];
  }

  /** A restarted server: everything it lists is learnt again. */
  forgetAll(): void {
    for (const kind of PIN_KINDS) this.forget(kind);
  }

  /**
   * Reads the whole list of every kind the server offers (its initialize capabilities), as soon as it
   * is ready, so that what it offers is decided and logged (auto-approved or quarantined, with the
   * definition) without waiting for a client to list it: the app pins and alerts from these lines.
   * Ends with `definitions_surveyed` (the counts per kind, and which lists could not be read).
   */
  async survey(capabilities: JsonObject): Promise<void> {
    const counts: Record<string, number> = {};
    const failed: string[] = [];
    for (const kind of PIN_KINDS) {
      if (capabilities[CAPABILITY[kind]] === undefined) continue;
      try {
        await this.fetch(kind);
        counts[kind] = this.known[kind]?.byKey.size ?? 0;
      } catch (err) {
        failed.push(LIST_METHOD[kind]);
        this.log.warn('approved_check_failed', { list: LIST_METHOD[kind], error: describeError(err) });
      }
    }
    this.log.info('definitions_surveyed', { ...counts, ...(failed.length > 0 ? { failed } : {}) });
  }

  /**
   * A list result from the server (one page, to any member): its definitions are learnt, and it is
   * returned without the entries that are not served. An entry without a key cannot be pinned and is
   * left out too. Other results unchanged.
   */
  screen(method: string, result: unknown): unknown {
    // The entries are under the kind's own name: `tools`, `prompts`, `resourceTemplates`.
    const kind = LISTS[method];
    const entries: unknown = kind === undefined || !isObject(result) ? undefined : result[kind];
    if (kind === undefined || !isObject(result) || !Array.isArray(entries)) return result;
    const known = (this.known[kind] ??= { byKey: new Map(), complete: false });
    return { ...result, [kind]: this.learn(kind, entries, known.byKey) };
  }

  /**
   * Whether a request may use what it names (tools/call, prompts/get, and completion/complete of a
   * prompt or template): undefined when it may, the quarantine when not, or a promise of either when
   * the server's list must be fetched first (nothing of that kind has been listed since it last changed).
   */
  check(
    method: string,
    params: JsonObject | undefined,
  ): Quarantine | undefined | Promise<Quarantine | undefined> {
    const target = targetOf(method, params);
    if (target === undefined) return undefined;
    const { kind } = target;
    // Without a name as text nothing can be matched: refused, as an entry the server does not list.
    if (typeof target.key !== 'string') return this.quarantine(kind, '', 'unlisted', null);
    const key = target.key;
    const now = this.decide(kind, key);
    if (now !== 'fetch') return now;
    return (async () => {
      // Twice at most: a list change during the first fetch makes its answer stale.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        try {
          await this.fetch(kind);
        } catch (err) {
          this.log.warn('approved_check_failed', { list: LIST_METHOD[kind], error: describeError(err) });
          break;
        }
        const decided = this.decide(kind, key);
        if (decided !== 'fetch') return decided;
      }
      return this.quarantine(kind, key, 'unchecked', null);
    })();
  }

  private decide(kind: PinKind, key: string): Quarantine | undefined | 'fetch' {
    const known = this.known[kind];
    const hash = known?.byKey.get(key);
    if (hash === undefined) return known?.complete ? this.quarantine(kind, key, 'unlisted', null) : 'fetch';
    const verdict = this.verdict(kind, key, hash);
    return verdict === 'served' ? undefined : this.quarantine(kind, key, verdict, hash);
  }

  /** The entries that are served; each entry's hash is recorded in byKey, a refused one over a served one. */
  private learn(kind: PinKind, entries: readonly unknown[], byKey: Map<string, string>): unknown[] {
    const served: unknown[] = [];
    const refusedHere = new Set<string>();
    for (const entry of entries) {
      const key = pinKeyOf(kind, entry);
      const hash = definitionHash(kind, entry);
      if (key === undefined || hash === undefined) continue;
      const verdict = this.verdict(kind, key, hash, entry);
      // Two entries under one key: a call by that key is decided by the one that is not served.
      if (!refusedHere.has(key)) byKey.set(key, hash);
      if (verdict === 'served') served.push(entry);
      else {
        refusedHere.add(key);
        this.report(kind, key, hash, verdict, entry);
      }
    }
    return served;
  }

  private verdict(kind: PinKind, key: string, hash: string, entry?: unknown): 'served' | 'changed' | 'new' {
    const status = pinStatus(this.set, kind, key, hash);
    if (status === 'approved') return 'served';
    if (status === 'changed' || !this.set.autoApproveNew) return status;
    const id = `${kind}\n${key}`;
    const first = this.firstServed.get(id);
    if (first !== undefined) return first === hash ? 'served' : 'changed';
    if (this.firstServed.size >= MAX_REMEMBERED) return 'new';
    this.firstServed.set(id, hash);
    this.log.info(`${EVENT[kind]}_auto_approved`, {
      [FIELD[kind]]: key,
      hash,
      ...definitionField(kind, entry),
    });
    return 'served';
  }

  /** One log line per kind, key, hash and reason while this set is served. */
  private report(
    kind: PinKind,
    key: string,
    hash: string | null,
    reason: QuarantineReason,
    entry?: unknown,
  ): void {
    const id = `${kind}\n${key}\n${hash ?? ''}\n${reason}`;
    if (this.logged.has(id)) return;
    if (this.logged.size >= MAX_REMEMBERED) this.logged.clear();
    this.logged.add(id);
    const pins = this.set[kind];
    this.log.warn(`${EVENT[kind]}_quarantined`, {
      [FIELD[kind]]: key.slice(0, 200),
      reason,
      hash,
      approved: Object.hasOwn(pins, key) ? (pins[key] ?? null) : null,
      ...definitionField(kind, entry),
    });
  }

  private quarantine(kind: PinKind, key: string, reason: QuarantineReason, hash: string | null): Quarantine {
    const noun = NOUN[kind];
    const shown = JSON.stringify(key.slice(0, 200));
    const why = {
      changed: 'is quarantined: its definition changed since it was approved',
      new: 'is quarantined: it is new since the approved set was made, and new ones are not approved automatically',
      unlisted: 'is quarantined: the server does not list it, so its definition cannot be checked',
      unchecked: `cannot be checked against the approved set: the bridge could not get the server's ${LIST_METHOD[kind]}; try again`,
    }[reason];
    if (reason !== 'unchecked') this.report(kind, key, hash, reason);
    return {
      reason,
      error: {
        code: reason === 'unchecked' ? ErrorCodes.serverUnavailable : ErrorCodes.forbidden,
        message: `${noun} ${shown} ${why}.`,
        data: { quarantined: reason, kind, [FIELD[kind]]: key.slice(0, 200) },
      },
    };
  }

  /** Fetches the server's whole list of a kind once for every request waiting on it. */
  private fetch(kind: PinKind): Promise<void> {
    const running = this.loading[kind];
    if (running !== undefined) return running;
    const epoch = this.epoch[kind];
    const loading: Promise<void> = this.readList(kind)
      .then((known) => {
        // A list change since the fetch began makes its answer stale: not kept.
        if (this.epoch[kind] === epoch) this.known[kind] = known;
      })
      .finally(() => {
        if (this.loading[kind] === loading) delete this.loading[kind];
      });
    this.loading[kind] = loading;
    return loading;
  }

  /** Reads every page of the server's list of a kind with the bridge's own requests. */
  private async readList(kind: PinKind): Promise<Known> {
    // A server still starting (or restarting) is waited for, as a request to it would be.
    if (!(await this.upstream.whenReady(this.timing.readyWaitMs)))
      throw new Error('the MCP server is not running');
    const byKey = new Map<string, string>();
    let cursor: unknown;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await this.upstream.request(
        LIST_METHOD[kind],
        typeof cursor === 'string' ? { cursor } : {},
        this.timing.timeoutMs,
      );
      const entries: unknown = isObject(result) ? result[kind] : undefined;
      if (!isObject(result) || !Array.isArray(entries))
        throw new Error(`the server's ${LIST_METHOD[kind]} result holds no list`);
      this.learn(kind, entries, byKey);
      cursor = result.nextCursor;
      if (typeof cursor !== 'string') return { byKey, complete: true };
    }
    return { byKey, complete: false };
  }
}

/**
 * The pinned definition for a log line (`definition`), so the app can show what changed; one longer
 * than MAX_LOGGED_DEFINITION is left out and its length given (`definitionLength`). Nothing without an
 * entry (a request for something the server does not list).
 */
function definitionField(kind: PinKind, entry: unknown): LogFields {
  if (entry === undefined) return {};
  const definition = pinnedDefinition(kind, entry);
  if (definition === undefined) return {};
  const length = canonicalJson(definition).length;
  return length > MAX_LOGGED_DEFINITION ? { definitionLength: length } : { definition };
}
