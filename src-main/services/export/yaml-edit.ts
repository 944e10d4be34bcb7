/**
 * Edits a YAML document as text: one entry of a top-level block mapping (goose's `extensions`) or
 * one item of a top-level block sequence (Continue's `mcpServers`) is replaced or added, spliced in
 * at the offsets the `yaml` parser reports, so comments and every other entry keep their bytes.
 * Flow-style collections other than an empty `{}` or `[]` are refused rather than rewritten.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, stringify, type Document, type Pair } from 'yaml';

export class YamlEditError extends Error {}

/** Where an entry goes: `key` of the top-level mapping `container`, or its sequence item whose `idField` is `id`. */
export type YamlSlot =
  | { kind: 'map'; container: string; key: string }
  | { kind: 'list'; container: string; idField: string; id: string };

/** The parsed document (null when empty); throws YamlEditError for a syntax error or more than one document. */
export function parseYamlText(text: string): unknown {
  return parseOne(text)?.toJS() ?? null;
}

function parseOne(text: string): Document.Parsed | null {
  const docs = parseAllDocuments(text);
  if (docs.length > 1) throw new YamlEditError('it holds more than one YAML document');
  const doc = docs[0];
  if (doc === undefined) return null;
  const error = doc.errors[0];
  if (error !== undefined) throw new YamlEditError(error.message.split('\n')[0] ?? 'a YAML syntax error');
  return doc;
}

/** The text with `value` placed at `slot`; the same text when it is already there. */
export function setYamlEntry(text: string, slot: YamlSlot, value: unknown): string {
  const doc = parseOne(text);
  const root = doc?.contents ?? null;
  const entryLines = (indent: number): string[] =>
    blockLines(slot.kind === 'map' ? { [slot.key]: value } : [value], indent);
  if (doc === null || root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return appendTopLevel(text, slot.container, entryLines(2));
  }
  if (!isMap(root) || root.flow === true) throw new YamlEditError('its top level is not a block mapping');
  const pair = root.items.findLast((p) => isPair(p) && isScalar(p.key) && p.key.value === slot.container);
  if (pair === undefined) return appendTopLevel(text, slot.container, entryLines(2));
  const keyEnd = rangeOf(pair.key)[1];
  const container = pair.value;
  if (isEmptyValue(container)) {
    const after = container === null ? text.indexOf(':', keyEnd) + 1 : rangeOf(container)[1];
    return text.slice(0, keyEnd) + ':\n' + entryLines(2).join('\n') + text.slice(after);
  }
  if (slot.kind === 'map') {
    if (!isMap(container) || container.flow === true) {
      throw new YamlEditError(`"${slot.container}" is not a block mapping`);
    }
    const items: Pair[] = container.items;
    const existing = items.findLast((p) => isScalar(p.key) && p.key.value === slot.key);
    const column = items[0] ? columnOf(text, rangeOf(items[0].key)[0]) : 2;
    if (existing !== undefined) {
      const current: unknown =
        isMap(existing.value) || isSeq(existing.value) || isScalar(existing.value)
          ? (existing.value.toJS(doc) as unknown)
          : null;
      if (isDeepStrictEqual(current, value)) return text;
      const lines = blockLines(value, column + 2);
      const from = rangeOf(existing.key)[1];
      const to = existing.value === null ? from + 1 : rangeOf(existing.value)[1];
      const newline = text[to - 1] === '\n' ? '\n' : '';
      return `${text.slice(0, from)}:\n${lines.join('\n')}${newline}${text.slice(to)}`;
    }
    const last = items.at(-1);
    return insertAfter(
      text,
      last === undefined ? rangeOf(container)[1] : endOf(last),
      blockLines({ [slot.key]: value }, column),
    );
  }
  if (!isSeq(container) || container.flow === true) {
    throw new YamlEditError(`"${slot.container}" is not a block sequence`);
  }
  const dash = columnOf(text, rangeOf(container)[0]);
  const existing = container.items.findLast(
    (item) => isMap(item) && (item.get(slot.idField) as unknown) === slot.id,
  );
  if (existing !== undefined && isMap(existing)) {
    if (isDeepStrictEqual(existing.toJS(doc), value)) return text;
    const [from, to] = rangeOf(existing);
    const lines = blockLines(value, dash + 2);
    const newline = text[to - 1] === '\n' ? '\n' : '';
    return `${text.slice(0, from)}${lines.join('\n').trimStart()}${newline}${text.slice(to)}`;
  }
  const last = container.items.at(-1);
  const lines = blockLines([value], dash);
  return insertAfter(
    text,
    last === undefined || last === null ? rangeOf(container)[1] : fullEnd(last),
    lines,
  );
}

/** Lines of `value` as block YAML, each indented by `indent` spaces. */
function blockLines(value: unknown, indent: number): string[] {
  const body = stringify(value, { indent: 2, lineWidth: 0, indentSeq: true });
  return body
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => ' '.repeat(indent) + line);
}

function appendTopLevel(text: string, container: string, lines: string[]): string {
  const head = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${head}${container}:\n${lines.join('\n')}\n`;
}

/** Inserts whole lines at the start of the line after `pos` (the end of the previous entry). */
function insertAfter(text: string, pos: number, lines: string[]): string {
  const at = text[pos - 1] === '\n' || pos === 0 ? pos : lineEnd(text, pos);
  const block = lines.join('\n');
  if (at >= text.length && !text.endsWith('\n')) return `${text}\n${block}\n`;
  return `${text.slice(0, at)}${block}\n${text.slice(at)}`;
}

function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}

/** The end of a pair, with the comment lines that follow it indented under it. */
function endOf(pair: Pair): number {
  return pair.value === null ? rangeOf(pair.key)[2] : fullEnd(pair.value);
}

function fullEnd(node: unknown): number {
  return rangeOf(node)[2];
}

function isEmptyValue(node: unknown): boolean {
  if (node === null) return true;
  if (isScalar(node)) return node.value === null;
  return (isMap(node) || isSeq(node)) && node.flow === true && node.items.length === 0;
}

function rangeOf(node: unknown): [number, number, number] {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  if (!range) throw new YamlEditError('a node without a source position');
  return range;
}

function columnOf(text: string, pos: number): number {
  return pos - (text.lastIndexOf('\n', pos - 1) + 1);
}
