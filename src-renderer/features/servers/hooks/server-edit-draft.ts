/**
 * The server page's Edit dialog as a form holds it: version, arguments, environment, port and host
 * access, prefilled from the stored server. What it sends (servers:set) holds only what changed; a
 * secret value is never prefilled (the renderer never receives one): it is kept, replaced or removed.
 */
import {
  EnvKey,
  Port,
  type Mode,
  ServerSetInput,
  type EnvEntryInput,
  type EnvEntryView,
  type ServerSource,
  type ServerView,
} from '../../../../src-main/shared/contract';
import { fieldErrors, numberOrUndefined, type FieldErrors } from '../../../lib/form-errors';
import {
  reachDraftOf,
  reachErrors,
  reachFieldOrder,
  reachInput,
  reachKey,
  type ReachDraft,
} from './reach-draft';

/** keep: as stored (a plain value may be edited in place); replace: a new secret value; remove: unset. */
export type EnvAction = 'keep' | 'replace' | 'remove';

export interface EnvEditRow {
  /** Stable React key; rows can be removed from the middle. */
  id: number;
  /** The stored entry the row shows; null for a row added here. */
  stored: EnvEntryView | null;
  key: string;
  /** A stored plain value, or what was typed; empty for a stored secret until it is replaced. */
  value: string;
  secret: boolean;
  action: EnvAction;
}

export interface ServerEditDraft {
  /** Empty for a command source, which has no version. */
  version: string;
  /** One argument per line. */
  args: string;
  env: EnvEditRow[];
  portMode: 'auto' | 'pinned';
  port: string;
  reach: ReachDraft;
  /** Shared or Dedicated; another than the stored one removes the old instances and makes new ones. */
  mode: Mode;
  /** With a change to Dedicated: clear the roots, which only Shared servers take. */
  dropRoots: boolean;
  /** With a change to Shared: drop the members' own values. */
  dropMemberEnv: boolean;
  /** With a mode change: go on although volume data does not carry over. */
  freshVolumes: boolean;
}

/** The version in a stored source: `pkg@1.2.3`, `pkg==1.2.3`, `image:tag`; null when it names none. */
export function versionOf(source: ServerSource): string | null {
  const { kind, value } = source;
  if (kind === 'npx') {
    const at = value.indexOf('@', value.startsWith('@') ? 1 : 0);
    return at === -1 ? null : value.slice(at + 1);
  }
  if (kind === 'uvx') return /^.*?(?:==|@)(.+)$/.exec(value)?.[1] ?? null;
  if (kind === 'image') {
    const digest = value.indexOf('@');
    if (digest !== -1) return value.slice(digest + 1);
    const colon = value.lastIndexOf(':');
    return colon > value.lastIndexOf('/') ? value.slice(colon + 1) : null;
  }
  return null;
}

export function serverEditDraftOf(server: ServerView): ServerEditDraft {
  return {
    version: versionOf(server.source) ?? '',
    args: server.args.join('\n'),
    env: server.env.map((entry, i) => ({
      id: i + 1,
      stored: entry,
      key: entry.key,
      value: entry.secret ? '' : (entry.value ?? ''),
      secret: entry.secret,
      action: 'keep',
    })),
    portMode: server.port === null ? 'auto' : 'pinned',
    port: server.port === null ? '' : String(server.port),
    reach: reachDraftOf(server.reach),
    mode: server.mode,
    dropRoots: false,
    dropMemberEnv: false,
    freshVolumes: false,
  };
}

/** The draft with another mode: a Dedicated server's ports are per member, so its port goes automatic. */
export function withMode(draft: ServerEditDraft, server: ServerView, mode: Mode): ServerEditDraft {
  const back = mode === server.mode ? serverEditDraftOf(server) : null;
  return {
    ...draft,
    mode,
    ...(mode === 'dedicated' ? { portMode: 'auto' as const, port: '' } : {}),
    ...(back === null ? {} : { portMode: back.portMode, port: back.port }),
    dropRoots: false,
    dropMemberEnv: false,
    freshVolumes: false,
  };
}

export function addEnvRow(draft: ServerEditDraft): ServerEditDraft {
  const id = draft.env.reduce((max, r) => Math.max(max, r.id), 0) + 1;
  return {
    ...draft,
    env: [...draft.env, { id, stored: null, key: '', value: '', secret: false, action: 'keep' }],
  };
}

function argsOf(draft: ServerEditDraft): string[] {
  return draft.args.split('\n').filter((line) => line.trim() !== '');
}

/** A version as the services take it: one word; a tag or range is pinned to an exact version by them. */
const VERSION = /^[A-Za-z0-9^~<>=*._+-]+$/;

/** Errors by field: `version`, `args`, `env.N`, `port`, and the host access fields (`reach.…`). */
export function serverEditErrors(draft: ServerEditDraft, server: ServerView): FieldErrors {
  const out: FieldErrors = {};
  if (server.source.kind !== 'command') {
    const version = draft.version.trim();
    if (version === '' && versionOf(server.source) !== null) {
      out['version'] = 'is required: the server runs one exact version';
    } else if (version !== '' && !VERSION.test(version)) {
      out['version'] =
        'must be a version such as 1.4.2, or a tag such as latest (no spaces, "@", ":" or "/")';
    }
  }
  const args = ServerSetInput.shape.args.safeParse(argsOf(draft));
  if (!args.success) out['args'] = Object.values(fieldErrors(args.error))[0] ?? 'are not valid';

  const taken = new Map<string, number>();
  draft.env.forEach((row, i) => {
    if (row.stored !== null) taken.set(row.key, i);
  });
  draft.env.forEach((row, i) => {
    if (row.stored !== null) {
      if (row.stored.secret && row.action === 'replace' && row.value === '') {
        out[`env.${i}`] = `${row.key} needs its new value (or keep the stored one)`;
      }
      return;
    }
    const key = row.key.trim();
    if (key === '') {
      out[`env.${i}`] = `variable ${i + 1} needs a name (or remove the row)`;
      return;
    }
    const checked = EnvKey.safeParse(key);
    if (!checked.success) {
      out[`env.${i}`] = `name ${checked.error.issues[0]?.message ?? 'is not valid'}`;
      return;
    }
    const first = taken.get(key);
    if (first !== undefined) {
      out[`env.${i}`] = `${key} is already set above (row ${first + 1}): change it there`;
      return;
    }
    taken.set(key, i);
  });

  if (draft.mode !== server.mode && draft.mode === 'dedicated') {
    if (server.roots.length > 0 && !draft.dropRoots) {
      out['mode'] =
        `${server.name} has ${server.roots.length} root(s), which only Shared servers take: tick Remove the roots, or keep it Shared`;
    }
    if (draft.portMode === 'pinned') {
      out['port'] = "a Dedicated server's instances take one port per member: choose Automatic";
    }
  }
  if (draft.portMode === 'pinned') {
    const port = numberOrUndefined(draft.port);
    if (port === undefined) out['port'] = 'is required when pinned (or choose Automatic)';
    else {
      const checked = Port.safeParse(port);
      if (!checked.success) out['port'] = Object.values(fieldErrors(checked.error))[0] ?? 'is not valid';
    }
  }
  return { ...out, ...reachErrors(draft.reach) };
}

/** The fields in the order the dialog shows them, for focusing the first one in error. */
export function serverEditFieldOrder(draft: ServerEditDraft): string[] {
  return [
    'version',
    'args',
    ...draft.env.map((_, i) => `env.${i}`),
    'mode',
    'port',
    ...reachFieldOrder(draft.reach),
  ];
}

/** What servers:set takes: the changed fields only, or null when nothing changed or a field is in error. */
export type ServerEditChange = Omit<ServerSetInput, 'server' | 'streamId' | 'dryRun'>;

export function serverEditChange(draft: ServerEditDraft, server: ServerView): ServerEditChange | null {
  if (Object.keys(serverEditErrors(draft, server)).length > 0) return null;
  const change: ServerEditChange = {};
  const version = draft.version.trim();
  if (server.source.kind !== 'command' && version !== '' && version !== versionOf(server.source)) {
    change.version = version;
  }
  const args = argsOf(draft);
  if (JSON.stringify(args) !== JSON.stringify(server.args)) change.args = args;

  const env: EnvEntryInput[] = [];
  const unsetEnv: string[] = [];
  for (const row of draft.env) {
    const stored = row.stored;
    if (stored === null) {
      env.push({ key: row.key.trim(), value: row.value, secret: row.secret });
    } else if (row.action === 'remove') {
      unsetEnv.push(stored.key);
    } else if (stored.secret) {
      if (row.action === 'replace') env.push({ key: stored.key, value: row.value, secret: row.secret });
    } else if (row.value !== (stored.value ?? '') || row.secret) {
      env.push({ key: stored.key, value: row.value, secret: row.secret });
    }
  }
  if (env.length > 0) change.env = env;
  if (unsetEnv.length > 0) change.unsetEnv = unsetEnv;

  const port = draft.portMode === 'auto' ? null : Number(draft.port.trim());
  const toDedicated = draft.mode !== server.mode && draft.mode === 'dedicated';
  // Going Dedicated clears the server's port by itself: its instances take one per member.
  if (port !== server.port && !toDedicated) change.port = port;
  if (draft.mode !== server.mode) {
    change.mode = draft.mode;
    if (toDedicated && draft.dropRoots && server.roots.length > 0) change.roots = [];
    if (draft.mode === 'shared' && draft.dropMemberEnv) change.dropMemberEnv = true;
    if (draft.freshVolumes) change.freshVolumes = true;
  }

  const reach = reachInput(draft.reach);
  if (reach !== null && reachKey(draft.reach) !== reachKey(reachDraftOf(server.reach))) change.reach = reach;
  return Object.keys(change).length > 0 ? change : null;
}
