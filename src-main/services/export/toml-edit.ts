/**
 * Edits a TOML file as text: the table `[<container>.<name>]` (Codex's `[mcp_servers.NAME]`) is
 * replaced, with any sub-tables of it, or appended at the end; every other line keeps its bytes,
 * comments included. The file is parsed first (smol-toml) so one that does not parse is refused, and
 * an entry written some other way (dotted keys, an inline table) is refused rather than duplicated.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';

export class TomlEditError extends Error {}

/** The parsed file; throws TomlEditError with the parser's first line. */
export function parseTomlText(text: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (err) {
    throw new TomlEditError(
      (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'a TOML error',
    );
  }
}

/** The text with table `[container.name]` holding `value`; the same text when it already does. */
export function setTomlTable(
  text: string,
  container: string,
  name: string,
  value: Record<string, unknown>,
): string {
  const parsed = parseTomlText(text);
  const current = (parsed[container] as Record<string, unknown> | undefined)?.[name];
  if (isDeepStrictEqual(normalise(current), value)) return text;
  const table = renderTomlTable([container, name], value);
  const lines = splitLines(text);
  const headers = tableHeaders(lines);
  const own = headers.filter((h) => h.path[0] === container && h.path[1] === name);
  if (current !== undefined && own.length === 0) {
    throw new TomlEditError(
      `${container}.${name} is written there without its own [${container}.${name}] table; edit or remove it by hand`,
    );
  }
  // A table runs to the last line with content before the next header.
  const spanOf = (h: Header) => {
    const next = headers.find((o) => o.line > h.line)?.line ?? lines.length;
    let end = next;
    while (end > h.line + 1 && /^\s*(#.*)?$/.test(lines[end - 1]?.text ?? '')) end--;
    return { from: h.line, to: end };
  };
  if (own.length === 0) {
    // After the other servers' tables when there are some, else at the end.
    const sibling = headers.findLast((h) => h.path[0] === container);
    const at = sibling === undefined ? lines.length : spanOf(sibling).to;
    const head = joinLines(lines.slice(0, at));
    const tail = joinLines(lines.slice(at));
    const lead = head === '' ? '' : head.endsWith('\n') ? head : `${head}\n`;
    const gap = lead === '' || lead.endsWith('\n\n') ? '' : '\n';
    const after = tail === '' || /^[ \t]*\r?\n/.test(tail) ? '' : '\n';
    return `${lead}${gap}${table}${after}${tail}`;
  }
  // The first of the entry's tables becomes the new table; the others (its sub-tables) go.
  const spans = own.map(spanOf);
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const span = spans.find((s) => i >= s.from && i < s.to);
    if (span === undefined) out.push(line.text + line.eol);
    else if (span === spans[0] && i === span.from) out.push(table);
  }
  return out.join('');
}

/** smol-toml returns its own objects; compared as plain data. */
function normalise(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** `[a.b]` and its keys: strings, numbers, booleans, string lists, and inline tables of those. */
export function renderTomlTable(path: readonly string[], value: Record<string, unknown>): string {
  const lines = [`[${path.map(tomlKey).join('.')}]`];
  for (const [key, v] of Object.entries(value)) lines.push(`${tomlKey(key)} = ${tomlValue(v)}`);
  return lines.join('\n') + '\n';
}

function tomlValue(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  throw new TomlEditError(`a value TOML cannot hold: ${String(value)}`);
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A basic string: JSON's escapes are TOML's, plus DEL, which TOML wants escaped too. */
function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\x7f/g, '\\u007f');
}

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}

interface Line {
  text: string;
  eol: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /([^\n]*)(\n|$)/g;
  for (const m of text.matchAll(re)) {
    if (m[0] === '') break;
    const body = m[1] as string;
    const cr = body.endsWith('\r');
    lines.push({ text: cr ? body.slice(0, -1) : body, eol: (cr ? '\r' : '') + (m[2] as string) });
  }
  return lines;
}

interface Header {
  line: number;
  path: string[];
}

/** Table and array-of-tables headers, skipping lines inside multi-line strings. */
function tableHeaders(lines: readonly Line[]): Header[] {
  const headers: Header[] = [];
  let open: '"""' | "'''" | null = null;
  for (const [i, { text }] of lines.entries()) {
    if (open === null) {
      const m = /^\s*\[\[?(.*?)\]\]?\s*(#.*)?$/.exec(text);
      const path = m ? keyPath(m[1] as string) : null;
      if (path !== null) headers.push({ line: i, path });
    }
    open = multilineState(text, open);
  }
  return headers;
}

/** Whether a multi-line string is still open after this line. */
function multilineState(text: string, open: '"""' | "'''" | null): '"""' | "'''" | null {
  let state = open;
  let i = 0;
  while (i < text.length) {
    if (state !== null) {
      const close = text.indexOf(state, i);
      if (close === -1) return state;
      i = close + 3;
      state = null;
      continue;
    }
    const c = text[i];
    if (c === '#') return null;
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      state = text.slice(i, i + 3) as '"""' | "'''";
      i += 3;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      i = close === -1 ? text.length : close + 1;
    } else i++;
  }
  return state;
}

/** `a."b.c".d` → ["a", "b.c", "d"]; null when it is not a key. */
function keyPath(text: string): string[] | null {
  const parts: string[] = [];
  let i = 0;
  const skip = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  for (;;) {
    skip();
    if (text[i] === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
      if (!m) return null;
      try {
        parts.push(JSON.parse(m[0]) as string);
      } catch {
        return null;
      }
      i += m[0].length;
    } else if (text[i] === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return null;
      parts.push(text.slice(i + 1, close));
      i = close + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
      if (!m) return null;
      parts.push(m[0]);
      i += m[0].length;
    }
    skip();
    if (i >= text.length) return parts;
    if (text[i] !== '.') return null;
    i++;
  }
}
