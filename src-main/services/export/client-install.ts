/**
 * Installs a client snippet into that client's configuration file on this machine: the snippet's
 * entries replace or join the file's own, as text edits that leave every other byte in place. A copy
 * of the file is kept first (FILE.bak-<UTC timestamp>); a file that already holds the entries is left
 * alone, with no copy; a file that does not parse, or that an edit would change anywhere else, is
 * refused untouched.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FleetError } from '../../shared/errors';
import type { ClientFormat } from './client-config';
import { CLIENT_FILES, type ClientSlot, type ClientSyntax } from './client-files';
import { parseJsonTree, setJsonEntry } from './json-edit';
import { parseTomlText, setTomlTable } from './toml-edit';
import { parseYamlText, setYamlEntry } from './yaml-edit';

export interface ClientInstallInput {
  format: ClientFormat;
  /** The file to edit; a symbolic link is followed, so a dotfile manager's link stays a link. */
  file: string;
  /** The snippet exactly as the export renders it. */
  content: string;
  /** The snippet holds the token: the file is narrowed to mode 0600. */
  containsSecrets: boolean;
  now?: Date;
}

export interface ClientInstallResult {
  file: string;
  outcome: 'created' | 'updated' | 'unchanged';
  /** The copy of the file as it was; null when nothing was changed or there was no file. */
  backup: string | null;
}

/** One entry of a snippet and where it goes. */
interface Entry {
  slot: ClientSlot;
  /** The map key, or the list item's id. */
  id: string;
  value: unknown;
}

/** Throws FleetError('invalid_input') for a file it cannot read, parse or edit; the file is then unchanged. */
export async function installClientConfig(input: ClientInstallInput): Promise<ClientInstallResult> {
  const layout = CLIENT_FILES[input.format];
  const entries = snippetEntries(layout.syntax, layout.slots, input.content);
  const target = await realpath(input.file).catch(() => input.file);
  const original = await readFile(target, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new FleetError('invalid_input', `could not read ${input.file}: ${err.code ?? 'error'}`, {
      cause: err,
    });
  });
  if (original === null) {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, input.content, { mode: 0o600, flag: 'wx' });
    return { file: target, outcome: 'created', backup: null };
  }
  const edited =
    original.trim() === '' ? input.content : editText(layout.syntax, original, entries, input.file);
  if (edited === original) return { file: target, outcome: 'unchanged', backup: null };
  const backup = await backUp(target, input.now ?? new Date());
  const mode = (await stat(target)).mode & 0o777;
  await replaceFile(target, edited, input.containsSecrets ? mode & 0o600 : mode);
  return { file: target, outcome: 'updated', backup };
}

function snippetEntries(syntax: ClientSyntax, slots: readonly ClientSlot[], content: string): Entry[] {
  const document = plain(parse(syntax, content)) as Record<string, unknown>;
  return slots.flatMap((slot): Entry[] => {
    const container = slot.path.reduce<unknown>(
      (node, key) => (node as Record<string, unknown>)?.[key],
      document,
    );
    if (container === undefined) return [];
    if (slot.kind === 'map') {
      return Object.entries(container as Record<string, unknown>).map(([id, value]) => ({ slot, id, value }));
    }
    return (container as Record<string, unknown>[]).map((value) => ({
      slot,
      id: String(value[slot.idField]),
      value,
    }));
  });
}

function parse(syntax: ClientSyntax, text: string): unknown {
  switch (syntax) {
    case 'json':
      return JSON.parse(text);
    case 'jsonc':
      return parseJsonTree(text, true).value;
    case 'yaml':
      return parseYamlText(text);
    case 'toml':
      return parseTomlText(text);
  }
}

function editText(syntax: ClientSyntax, original: string, entries: readonly Entry[], file: string): string {
  let text = original;
  let same: boolean;
  try {
    // The clients read these as strict JSON: a file with comments is one they could not read either.
    if (syntax === 'json') parseJsonTree(original, false);
    for (const { slot, id, value } of entries) text = editOne(syntax, text, slot, id, value);
    // Whatever the edit did, the file must now read as before plus the entries, and nothing else.
    const expected = plain(parse(syntax, original)) as Record<string, unknown>;
    for (const { slot, id, value } of entries) place(expected, slot, id, value);
    same = isDeepStrictEqual(plain(parse(syntax, text)), plain(expected));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FleetError('invalid_input', `could not edit ${file} (${why}); it is left unchanged`, {
      cause: err,
    });
  }
  if (!same) {
    throw new FleetError(
      'invalid_input',
      `could not add the entry to ${file} without changing other parts of it; it is left unchanged: add it by hand`,
    );
  }
  return text;
}

function editOne(syntax: ClientSyntax, text: string, slot: ClientSlot, id: string, value: unknown): string {
  const [container = ''] = slot.path;
  switch (syntax) {
    case 'json':
    case 'jsonc':
      return setJsonEntry(
        text,
        syntax === 'jsonc',
        slot.kind === 'map'
          ? { kind: 'map', path: slot.path, key: id }
          : { kind: 'list', path: slot.path, idField: slot.idField, id },
        value,
      );
    case 'yaml':
      return setYamlEntry(
        text,
        slot.kind === 'map'
          ? { kind: 'map', container, key: id }
          : { kind: 'list', container, idField: slot.idField, id },
        value,
      );
    case 'toml':
      return setTomlTable(text, container, id, value as Record<string, unknown>);
  }
}

/** The entry placed into a parsed document the way the edit places it into the text. */
function place(document: Record<string, unknown>, slot: ClientSlot, id: string, value: unknown): void {
  let node = document;
  for (const [i, key] of slot.path.entries()) {
    const last = i === slot.path.length - 1;
    if (node[key] === undefined || node[key] === null || isEmptyFlow(node[key])) {
      node[key] = last && slot.kind === 'list' ? [] : {};
    }
    node = node[key] as Record<string, unknown>;
  }
  if (slot.kind === 'map') {
    node[id] = value;
    return;
  }
  const list = node as unknown as Record<string, unknown>[];
  const at = list.findLastIndex(
    (item) => item !== null && typeof item === 'object' && item[slot.idField] === id,
  );
  if (at === -1) list.push(value as Record<string, unknown>);
  else list[at] = value as Record<string, unknown>;
}

function isEmptyFlow(value: unknown): boolean {
  return (
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/** Compared as data: dates as their text, objects without their prototypes. */
function plain(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

async function backUp(file: string, now: Date): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  for (let n = 1; ; n++) {
    const backup = `${file}.bak-${stamp}${n === 1 ? '' : `-${n}`}`;
    try {
      await copyFile(file, backup, constants.COPYFILE_EXCL);
      // The old file may hold tokens; its copy is for its owner only.
      await chmod(backup, 0o600);
      return backup;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FleetError(
          'invalid_input',
          `could not back up ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
          {
            cause: err,
          },
        );
      }
    }
  }
}

/** Written beside the file and renamed over it, so a reader never sees half of it. */
async function replaceFile(file: string, text: string, mode: number): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.mcp-fleet-${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new FleetError(
      'invalid_input',
      `could not write ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: err,
      },
    );
  }
}
