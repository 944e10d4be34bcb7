/**
 * Edits a JSON (or JSONC: comments and trailing commas, as Zed, VS Code and Gemini CLI read their
 * settings) document as text: the value of one key, or one item of a list, is replaced or added, and
 * every other byte stays where it was, comments included. A small parser records where each value
 * starts and ends; the edits splice text at those offsets.
 */
import { isDeepStrictEqual } from 'node:util';

export interface JsonNode {
  kind: 'object' | 'array' | 'scalar';
  start: number;
  end: number;
  value: unknown;
  members: JsonMember[];
  items: JsonNode[];
}

export interface JsonMember {
  key: string;
  keyStart: number;
  value: JsonNode;
}

export class JsonSyntaxError extends Error {}

/** Parses the whole text; throws JsonSyntaxError with the offset of the first problem. */
export function parseJsonTree(text: string, jsonc: boolean): JsonNode {
  const p = new Parser(text, jsonc);
  p.space();
  const root = p.value();
  p.space();
  if (p.pos < text.length) p.fail('unexpected text after the document');
  return root;
}

/** Where an entry goes: the value of `key` in the object at `path`, or the item of the list at `path` whose `idField` is `id`. */
export type JsonSlot =
  | { kind: 'map'; path: readonly string[]; key: string }
  | { kind: 'list'; path: readonly string[]; idField: string; id: string };

/**
 * The text with `value` placed at `slot`; the same text when it is already there. Objects missing on
 * the path are added. Throws JsonSyntaxError when the text does not parse, Error when something on
 * the path is not an object (or the list not a list).
 */
export function setJsonEntry(text: string, jsonc: boolean, slot: JsonSlot, value: unknown): string {
  const root = parseJsonTree(text, jsonc);
  if (root.kind !== 'object') throw new Error('the top level is not a JSON object');
  const unit = indentUnit(text);
  let node = root;
  for (const [depth, segment] of slot.path.entries()) {
    const member = lastMember(node, segment);
    if (member === undefined) {
      const rest = slot.path.slice(depth + 1);
      const leaf = slot.kind === 'map' ? { [slot.key]: value } : [value];
      const nested = rest.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf);
      return insertMember(text, node, segment, nested, unit);
    }
    const isLast = depth === slot.path.length - 1;
    const wanted = isLast && slot.kind === 'list' ? 'array' : 'object';
    if (member.value.kind !== wanted) {
      throw new Error(
        `"${slot.path.slice(0, depth + 1).join('.')}" is not ${wanted === 'array' ? 'a list' : 'an object'}`,
      );
    }
    node = member.value;
  }
  if (slot.kind === 'map') {
    const existing = lastMember(node, slot.key);
    if (existing === undefined) return insertMember(text, node, slot.key, value, unit);
    if (isDeepStrictEqual(existing.value.value, value)) return text;
    return replaceValue(text, existing.value, value, lineLeading(text, existing.keyStart), unit);
  }
  const item = node.items.find((i) => {
    const v = i.value;
    return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[slot.idField] === slot.id;
  });
  if (item !== undefined) {
    if (isDeepStrictEqual(item.value, value)) return text;
    return replaceValue(text, item, value, lineLeading(text, item.start), unit);
  }
  return appendItem(text, node, value, unit);
}

function lastMember(node: JsonNode, key: string): JsonMember | undefined {
  // JSON.parse keeps the last of duplicate keys, and so do the clients; edit that one.
  return node.members.findLast((m) => m.key === key);
}

function render(value: unknown, indent: string, unit: string): string {
  return JSON.stringify(value, null, unit).replace(/\n/g, `\n${indent}`);
}

function replaceValue(text: string, node: JsonNode, value: unknown, indent: string, unit: string): string {
  return text.slice(0, node.start) + render(value, indent, unit) + text.slice(node.end);
}

function insertMember(text: string, obj: JsonNode, key: string, value: unknown, unit: string): string {
  const outer = lineLeading(text, obj.start);
  const first = obj.members[0];
  const indent = (first && lineIndent(text, first.keyStart)) ?? outer + unit;
  const member = `${JSON.stringify(key)}: ${render(value, indent, unit)}`;
  const last = obj.members.at(-1);
  return last === undefined
    ? intoEmpty(text, obj, `${indent}${member}`, outer)
    : afterLast(text, last.value.end, `${indent}${member}`);
}

function appendItem(text: string, list: JsonNode, value: unknown, unit: string): string {
  const outer = lineLeading(text, list.start);
  const first = list.items[0];
  const indent = (first && lineIndent(text, first.start)) ?? outer + unit;
  const item = render(value, indent, unit);
  const last = list.items.at(-1);
  return last === undefined
    ? intoEmpty(text, list, `${indent}${item}`, outer)
    : afterLast(text, last.end, `${indent}${item}`);
}

/** Into `{}` or `[]`: on its own line, the closing bracket on the next. */
function intoEmpty(text: string, node: JsonNode, line: string, outer: string): string {
  const inner = text.slice(node.start + 1, node.end - 1);
  if (inner.trim() === '') {
    return `${text.slice(0, node.start + 1)}\n${line}\n${outer}${text.slice(node.end - 1)}`;
  }
  // Only comments inside: keep them, after the new line.
  return `${text.slice(0, node.start + 1)}\n${line}${text.slice(node.start + 1)}`;
}

/**
 * After the last member or item ending at `end`: a comma there (unless a trailing one follows), and
 * the new line after whatever comments share that line, so they stay with the entry they describe.
 */
function afterLast(text: string, end: number, line: string): string {
  let pos = end;
  pos = skipInline(text, pos);
  const trailingComma = text[pos] === ',';
  if (trailingComma) pos = skipInline(text, pos + 1);
  const insertAt = text[pos] === '\n' || text[pos] === '\r' ? pos : trailingComma ? pos : end;
  const newLine = text.includes('\r\n') ? '\r\n' : '\n';
  const addition = `${newLine}${line}${trailingComma ? ',' : ''}`;
  if (trailingComma) return text.slice(0, insertAt) + addition + text.slice(insertAt);
  if (insertAt === end) return `${text.slice(0, end)},${addition}${text.slice(end)}`;
  return `${text.slice(0, end)},${text.slice(end, insertAt)}${addition}${text.slice(insertAt)}`;
}

/** Past spaces, tabs and comments that end on this line. */
function skipInline(text: string, from: number): number {
  let pos = from;
  for (;;) {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    if (text.startsWith('//', pos)) {
      while (pos < text.length && text[pos] !== '\n' && text[pos] !== '\r') pos++;
      return pos;
    }
    if (text.startsWith('/*', pos)) {
      const close = text.indexOf('*/', pos + 2);
      if (close === -1 || /[\r\n]/.test(text.slice(pos, close))) return pos;
      pos = close + 2;
      continue;
    }
    return pos;
  }
}

/** The whitespace that starts the line `pos` is on. */
function lineLeading(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, pos))?.[0] ?? '';
}

/** The whitespace before `pos` on its line, or undefined when something else precedes it there. */
function lineIndent(text: string, pos: number): string | undefined {
  const lineStart = Math.max(text.lastIndexOf('\n', pos - 1) + 1, 0);
  const before = text.slice(lineStart, pos);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The file's own indentation step: the shortest indentation of a line that starts a key or value. */
function indentUnit(text: string): string {
  let best: string | undefined;
  for (const match of text.matchAll(/^([ \t]+)["{[\d\-tfn]/gm)) {
    const ws = match[1] as string;
    if (ws.startsWith('\t')) return '\t';
    if (best === undefined || ws.length < best.length) best = ws;
  }
  return best ?? '  ';
}

class Parser {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly jsonc: boolean,
  ) {}

  fail(message: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    throw new JsonSyntaxError(`${message} at line ${line}`);
  }

  space(): void {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && ' \t\n\r'.includes(t[this.pos] as string)) this.pos++;
      if (this.jsonc && t.startsWith('//', this.pos)) {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (this.jsonc && t.startsWith('/*', this.pos)) {
        const close = t.indexOf('*/', this.pos + 2);
        if (close === -1) this.fail('an unclosed comment');
        this.pos = close + 2;
      } else return;
    }
  }

  value(): JsonNode {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    const start = this.pos;
    let value: unknown;
    if (c === '"') value = this.string();
    else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
        this.text.slice(this.pos),
      );
      if (m === null)
        this.fail(c === undefined ? 'unexpected end of text' : `unexpected ${JSON.stringify(c)}`);
      value = JSON.parse(m[0]);
      this.pos += m[0].length;
    }
    return { kind: 'scalar', start, end: this.pos, value, members: [], items: [] };
  }

  string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('an unclosed string');
      if (c === '\\') this.pos += 2;
      else if (c === '"') break;
      else this.pos++;
    }
    this.pos++;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      this.pos = start;
      return this.fail('an invalid string');
    }
  }

  object(): JsonNode {
    const start = this.pos;
    this.pos++;
    const members: JsonMember[] = [];
    // Built without a prototype so a "__proto__" key is data, as JSON.parse keeps it.
    const value: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    this.space();
    while (this.text[this.pos] !== '}') {
      if (this.text[this.pos] !== '"') this.fail('expected a key');
      const keyStart = this.pos;
      const key = this.string();
      this.space();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.space();
      const node = this.value();
      members.push({ key, keyStart, value: node });
      value[key] = node.value;
      this.space();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.space();
        if (this.text[this.pos] === '}' && !this.jsonc) this.fail('a trailing comma');
      } else if (this.text[this.pos] !== '}') this.fail('expected "," or "}"');
    }
    this.pos++;
    return { kind: 'object', start, end: this.pos, value: { ...value }, members, items: [] };
  }

  array(): JsonNode {
    const start = this.pos;
    this.pos++;
    const items: JsonNode[] = [];
    this.space();
    while (this.text[this.pos] !== ']') {
      const node = this.value();
      items.push(node);
      this.space();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.space();
        if (this.text[this.pos] === ']' && !this.jsonc) this.fail('a trailing comma');
      } else if (this.text[this.pos] !== ']') this.fail('expected "," or "]"');
    }
    this.pos++;
    return { kind: 'array', start, end: this.pos, value: items.map((i) => i.value), members: [], items };
  }
}
