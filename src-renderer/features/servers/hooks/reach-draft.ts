/**
 * What a server reaches on its host (bind mounts, named volumes, networks, extra hosts) as a form holds
 * it, checked with the shared rules of server-mounts.ts, so what the form accepts is what the services
 * and the deploy accept. Used by the Add server form, the wizard and the server's Edit dialog.
 */
import {
  DOCKER_SOCKET_PATHS,
  EMPTY_REACH,
  extraHostProblem,
  mountProblem,
  networkProblem,
  reachProblem,
  type ExtraHost,
  type MountSpec,
  type ServerReach,
} from '../../../../src-main/shared/server-mounts';
import type { FieldErrors } from '../../../lib/form-errors';

export interface MountRow {
  /** Stable React key; rows can be removed from the middle. */
  id: number;
  kind: MountSpec['kind'];
  /** A host path (bind) or a volume name (volume). */
  source: string;
  target: string;
  readOnly: boolean;
  /** Volumes of a Dedicated server: one for every member instead of one each. */
  shared: boolean;
}

export interface ExtraHostRow {
  id: number;
  name: string;
  ip: string;
}

export interface ReachDraft {
  mounts: MountRow[];
  /** Network names, separated by commas, spaces or new lines. */
  networks: string;
  extraHosts: ExtraHostRow[];
  allowDockerSocket: boolean;
}

/** The form's limits, the contract's (reachProblem says the same once it is sent). */
export const MAX_MOUNTS = 64;
export const MAX_EXTRA_HOSTS = 64;

export function emptyReach(): ReachDraft {
  return { mounts: [], networks: '', extraHosts: [], allowDockerSocket: false };
}

/** The form's values for a stored reach. */
export function reachDraftOf(reach: ServerReach): ReachDraft {
  return {
    mounts: reach.mounts.map((m, i) => ({
      id: i + 1,
      kind: m.kind,
      source: m.source,
      target: m.target,
      readOnly: m.readOnly,
      shared: m.kind === 'volume' ? m.shared : false,
    })),
    networks: reach.networks.join(', '),
    extraHosts: reach.extraHosts.map((h, i) => ({ id: i + 1, name: h.name, ip: h.ip })),
    allowDockerSocket: reach.allowDockerSocket,
  };
}

function nextId(rows: readonly { id: number }[]): number {
  return rows.reduce((max, r) => Math.max(max, r.id), 0) + 1;
}

/** A new bind mount is read-only: a server writes to the host only when the operator says so. */
export function addMountRow(draft: ReachDraft, kind: MountSpec['kind']): ReachDraft {
  const row: MountRow = {
    id: nextId(draft.mounts),
    kind,
    source: '',
    target: '',
    readOnly: kind === 'bind',
    shared: false,
  };
  return { ...draft, mounts: [...draft.mounts, row] };
}

export function addExtraHostRow(draft: ReachDraft): ReachDraft {
  return { ...draft, extraHosts: [...draft.extraHosts, { id: nextId(draft.extraHosts), name: '', ip: '' }] };
}

export function networkNames(text: string): string[] {
  return text.split(/[\s,]+/).filter((n) => n !== '');
}

function mountOf(row: MountRow): MountSpec {
  const source = row.source.trim();
  const target = row.target.trim();
  return row.kind === 'bind'
    ? { kind: 'bind', source, target, readOnly: row.readOnly }
    : { kind: 'volume', source, target, readOnly: row.readOnly, shared: row.shared };
}

function hostOf(row: ExtraHostRow): ExtraHost {
  return { name: row.name.trim(), ip: row.ip.trim() };
}

/** The shared rules speak of the CLI's flags; the form names its own controls instead. */
function formWords(problem: string): string {
  return problem
    .replace('add --allow-docker-socket if that is meant', 'tick "Allow the Docker socket" if that is meant')
    .replace(/^--add-host /, 'extra host ');
}

/**
 * Errors by field: `reach.mounts.N`, `reach.networks`, `reach.extraHosts.N` (sentences to show as they
 * are), and `reach` for what no single field holds (too many entries).
 */
export function reachErrors(draft: ReachDraft): FieldErrors {
  const out: FieldErrors = {};
  const targets = new Map<string, number>();
  draft.mounts.forEach((row, i) => {
    const m = mountOf(row);
    const what = row.kind === 'bind' ? 'a host path' : 'a volume name';
    if (m.source === '' || m.target === '') {
      out[`reach.mounts.${i}`] = `mount ${i + 1} needs ${what} and a container path (or remove the row)`;
      return;
    }
    const problem = mountProblem(m, draft.allowDockerSocket);
    if (problem !== null) out[`reach.mounts.${i}`] = formWords(problem);
    else if (targets.has(m.target)) {
      out[`reach.mounts.${i}`] =
        `mount ${i + 1} uses the container path ${m.target} of mount ${(targets.get(m.target) ?? 0) + 1}`;
    } else targets.set(m.target, i);
  });
  const seen = new Set<string>();
  for (const name of networkNames(draft.networks)) {
    const problem = networkProblem(name);
    if (problem !== null) {
      out['reach.networks'] = problem;
      break;
    }
    if (seen.has(name)) {
      out['reach.networks'] = `network "${name}" is given twice`;
      break;
    }
    seen.add(name);
  }
  const names = new Map<string, number>();
  draft.extraHosts.forEach((row, i) => {
    const h = hostOf(row);
    if (h.name === '' || h.ip === '') {
      out[`reach.extraHosts.${i}`] = `extra host ${i + 1} needs a name and an address (or remove the row)`;
      return;
    }
    const problem = extraHostProblem(h);
    if (problem !== null) out[`reach.extraHosts.${i}`] = formWords(problem);
    else if (names.has(h.name.toLowerCase()))
      out[`reach.extraHosts.${i}`] = `extra host ${h.name} is given twice`;
    else names.set(h.name.toLowerCase(), i);
  });
  if (Object.keys(out).length === 0) {
    const whole = reachProblem(reachOf(draft));
    if (whole !== null) out['reach'] = formWords(whole);
  }
  return out;
}

function reachOf(draft: ReachDraft): ServerReach {
  return {
    mounts: draft.mounts.map(mountOf),
    networks: networkNames(draft.networks),
    extraHosts: draft.extraHosts.map(hostOf),
    allowDockerSocket: draft.allowDockerSocket,
  };
}

/** What servers:add and servers:set take; null while a field is in error. */
export function reachInput(draft: ReachDraft): ServerReach | null {
  return Object.keys(reachErrors(draft)).length > 0 ? null : reachOf(draft);
}

/** The reach without row ids: equal keys, equal reach. */
export function reachKey(draft: ReachDraft): string {
  return JSON.stringify(reachOf(draft));
}

export function isEmptyReach(draft: ReachDraft): boolean {
  return reachKey(draft) === JSON.stringify(EMPTY_REACH);
}

/** The draft binds the Docker socket (allowed or not): the form says what that means. */
export function bindsDockerSocket(draft: ReachDraft): boolean {
  return draft.mounts.some((m) => m.kind === 'bind' && DOCKER_SOCKET_PATHS.includes(m.source.trim()));
}

/** Whether a field's error shows before the form is submitted: once something is typed in its row. */
export function reachTypedIn(draft: ReachDraft, field: string): boolean {
  const [, group, index] = field.split('.');
  if (group === 'networks') return draft.networks.trim() !== '';
  if (group === 'mounts') {
    const row = draft.mounts[Number(index)];
    return row !== undefined && (row.source.trim() !== '' || row.target.trim() !== '');
  }
  if (group === 'extraHosts') {
    const row = draft.extraHosts[Number(index)];
    return row !== undefined && (row.name.trim() !== '' || row.ip.trim() !== '');
  }
  return field === 'reach';
}

/** The fields in the order the form shows them, for focusing the first one in error. */
export function reachFieldOrder(draft: ReachDraft): string[] {
  return [
    ...draft.mounts.map((_, i) => `reach.mounts.${i}`),
    'reach.networks',
    ...draft.extraHosts.map((_, i) => `reach.extraHosts.${i}`),
    'reach',
  ];
}

/** One line per mount as the page lists them: "/srv/data → /data (read-only)". */
export function mountText(m: MountSpec): string {
  const mode = m.readOnly ? 'read-only' : 'read-write';
  if (m.kind === 'bind') return `${m.source} → ${m.target} (${mode})`;
  return `volume ${m.source} → ${m.target} (${mode}${m.shared ? ', shared by all members' : ''})`;
}
