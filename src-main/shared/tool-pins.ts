/**
 * Tool pinning, declared once: which fields of a tool, a prompt and a resource template are pinned,
 * how their hash is made, and the shape of the approved-set file the bridge serves from (`--approved`).
 * The app records the hashes and writes the file with these; the bridge reads the file and checks what
 * the server lists with these (src-bridge/access/definition-pins.ts), so both hash the same bytes.
 * Free of zod and of `node:*` (the bridge bundles this file, the renderer may import it): the SHA-256
 * below is written out in full for that reason, and checked against node:crypto in the tests.
 */

/** The three kinds of definition that are pinned, named as the approved-set file's keys. */
export type PinKind = 'tools' | 'prompts' | 'resourceTemplates';
export const PIN_KINDS: readonly PinKind[] = ['tools', 'prompts', 'resourceTemplates'];

/** What a definition is known by in the file and in requests: a tool's or prompt's name, a template's uriTemplate. */
export const PIN_KEY_FIELD: Readonly<Record<PinKind, 'name' | 'uriTemplate'>> = {
  tools: 'name',
  prompts: 'name',
  resourceTemplates: 'uriTemplate',
};

/**
 * The fields that are pinned, per kind. Everything a client shows a model or a person about the entry
 * is in; `_meta`, `icons`, a tool's `execution` (task support), a template's `annotations` (audience and
 * priority hints) and any field a later revision adds are out, so that such a change, or a server
 * upgrade that adds one, does not quarantine a tool. A field the server leaves out is left out of the
 * hash; a field it sends is hashed with whatever value it has (`null` included).
 */
export const PINNED_FIELDS: Readonly<Record<PinKind, readonly string[]>> = {
  tools: ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompts: ['name', 'title', 'description', 'arguments'],
  resourceTemplates: ['uriTemplate', 'name', 'title', 'description', 'mimeType'],
};

/** A tool as pinned (MCP's Tool, pinned fields only). */
export interface PinnedTool {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** A prompt as pinned (MCP's Prompt, pinned fields only). */
export interface PinnedPrompt {
  name: string;
  title?: unknown;
  description?: unknown;
  arguments?: unknown;
}

/** A resource template as pinned (MCP's ResourceTemplate, pinned fields only). */
export interface PinnedResourceTemplate {
  uriTemplate: string;
  name?: unknown;
  title?: unknown;
  description?: unknown;
  mimeType?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key a list entry is known by (name or uriTemplate), or undefined when it has none as text. */
export function pinKeyOf(kind: PinKind, entry: unknown): string | undefined {
  if (!isPlainObject(entry)) return undefined;
  const key = entry[PIN_KEY_FIELD[kind]];
  return typeof key === 'string' ? key : undefined;
}

/**
 * The pinned part of one entry of a tools/list, prompts/list or resources/templates/list result: the
 * fields of PINNED_FIELDS it carries. Undefined when it is not an object or has no key as text.
 */
export function pinnedDefinition(kind: PinKind, entry: unknown): Record<string, unknown> | undefined {
  if (pinKeyOf(kind, entry) === undefined || !isPlainObject(entry)) return undefined;
  const out: Record<string, unknown> = {};
  for (const field of PINNED_FIELDS[kind]) {
    if (Object.hasOwn(entry, field) && entry[field] !== undefined) out[field] = entry[field];
  }
  return out;
}

/**
 * JSON in canonical form (RFC 8785, JCS, for values parsed from JSON): no whitespace, object keys sorted
 * by UTF-16 code units, strings and numbers as ECMAScript's JSON.stringify writes them, arrays in their
 * order. Properties whose value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of one list entry: SHA-256, as 64 lowercase hex digits, of the UTF-8 bytes of the canonical
 * JSON of its pinned definition. Undefined for an entry without a key (it cannot be pinned).
 */
export function definitionHash(kind: PinKind, entry: unknown): string | undefined {
  const definition = pinnedDefinition(kind, entry);
  return definition === undefined ? undefined : sha256Hex(canonicalJson(definition));
}

/** The approved-set file (`--approved FILE`): each kind's key → hash, and whether new entries are served. */
export interface ApprovedSet {
  tools: Record<string, string>;
  prompts: Record<string, string>;
  resourceTemplates: Record<string, string>;
  /** Serve a tool, prompt or template the set does not name (new), never one whose definition changed. */
  autoApproveNew: boolean;
}

const FILE_KEYS = new Set<string>([...PIN_KINDS, 'autoApproveNew']);
export const MAX_PINNED_PER_KIND = 10_000;
export const PIN_KEY_MAX = 2048;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Why `value` is not an approved set, or null. Every key is required and unknown keys are refused: a
 * missing or misspelt "prompts" would otherwise quarantine every prompt, or approve none, unnoticed.
 */
export function approvedSetProblem(value: unknown): string | null {
  if (!isPlainObject(value)) {
    return 'must hold a JSON object {"tools":{…},"prompts":{…},"resourceTemplates":{…},"autoApproveNew":false}';
  }
  const stray = Object.keys(value).find((key) => !FILE_KEYS.has(key));
  if (stray !== undefined) {
    return `has an unknown key ${JSON.stringify(stray.slice(0, 40))}; the keys are ${[...FILE_KEYS].join(', ')}`;
  }
  for (const kind of PIN_KINDS) {
    const pins = value[kind];
    const what = kind === 'resourceTemplates' ? 'uriTemplate' : 'name';
    if (!isPlainObject(pins)) return `"${kind}" must be an object of ${what} → SHA-256 hex ({} for none)`;
    const entries = Object.entries(pins);
    if (entries.length > MAX_PINNED_PER_KIND)
      return `"${kind}" holds more than ${MAX_PINNED_PER_KIND} entries`;
    for (const [key, hash] of entries) {
      const shown = JSON.stringify(key.slice(0, 80));
      if (key.length === 0 || key.length > PIN_KEY_MAX) {
        return `"${kind}" has a ${what} of ${key.length} characters (1-${PIN_KEY_MAX})`;
      }
      if (typeof hash !== 'string' || !HEX64.test(hash)) {
        return `"${kind}" ${shown} must map to a SHA-256 as 64 lowercase hex digits`;
      }
    }
  }
  if (typeof value.autoApproveNew !== 'boolean') return '"autoApproveNew" must be true or false';
  return null;
}

/** Reads an approved-set file's text. Throws an Error whose message names `source` and what is wrong. */
export function parseApprovedSet(text: string, source: string): ApprovedSet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const problem = approvedSetProblem(value);
  if (problem !== null) throw new Error(`${source} ${problem}`);
  return value as ApprovedSet;
}

/** The approved set that pins every entry of these lists as it is now (the app's first green deploy). */
export function approvedSetOf(
  lists: { tools?: readonly unknown[]; prompts?: readonly unknown[]; resourceTemplates?: readonly unknown[] },
  autoApproveNew = false,
): ApprovedSet {
  const set: ApprovedSet = { tools: {}, prompts: {}, resourceTemplates: {}, autoApproveNew };
  for (const kind of PIN_KINDS) {
    for (const entry of lists[kind] ?? []) {
      const key = pinKeyOf(kind, entry);
      const hash = definitionHash(kind, entry);
      if (key !== undefined && hash !== undefined) set[kind][key] = hash;
    }
  }
  return set;
}

/** How one listed definition stands against the set: the approved one, changed since, or not in it. */
export type PinStatus = 'approved' | 'changed' | 'new';

export function pinStatus(set: ApprovedSet, kind: PinKind, key: string, hash: string): PinStatus {
  const pins = set[kind];
  if (!Object.hasOwn(pins, key)) return 'new';
  return pins[key] === hash ? 'approved' : 'changed';
}

// SHA-256 (FIPS 180-4) over the UTF-8 bytes of a string.
const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const blocks = Math.ceil((bytes.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = bytes.length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 0x1_0000_0000));
  view.setUint32(padded.length - 4, bits >>> 0);
  const h = Uint32Array.from([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const at = (array: Uint32Array, i: number): number => array[i] ?? 0;
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i += 1) {
      const x = at(w, i - 15);
      const y = at(w, i - 2);
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w[i] = at(w, i - 16) + s0 + at(w, i - 7) + s1;
    }
    let [a, b, c, d, e, f, g, hh] = [
      at(h, 0),
      at(h, 1),
      at(h, 2),
      at(h, 3),
      at(h, 4),
      at(h, 5),
      at(h, 6),
      at(h, 7),
    ];
    for (let i = 0; i < 64; i += 1) {
      const t1 =
        (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + at(K, i) + at(w, i)) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = at(h, i) + v));
  }
  return Array.from(h, (v) => v.toString(16).padStart(8, '0')).join('');
}
