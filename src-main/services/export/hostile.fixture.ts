/**
 * Seeded generators of hostile input for property tests of generated shell text: words with quotes,
 * `$()`, backticks, newlines, spaces, `;`, `&&`, globs, unicode and leading dashes. The same seed
 * always gives the same cases, so a failure can be replayed.
 */
import { HOSTILE_WORDS } from '../../test-support/hostile-words';

export type Rng = () => number;

/** mulberry32: small, fast, good enough to spread cases; not for secrets. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

// Everything a POSIX shell, a here-document, Docker's CSV --mount parser or the env-file format could
// trip on, plus multi-byte text (accents, CJK, emoji as a surrogate pair, right-to-left, zero-width).
const PIECES = [
  "'",
  '"',
  '`',
  '$',
  '$(',
  ')',
  '${',
  '}',
  '\\',
  '\n',
  '\r',
  '\t',
  ' ',
  ';',
  '&&',
  '||',
  '|',
  '&',
  '<',
  '>',
  '>>',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  '~',
  '#',
  '!',
  '%',
  '=',
  ',',
  ':',
  '-',
  '--',
  '\\n',
  '\\"',
  "'\\''",
  'é',
  '中文',
  '🙂',
  '\u202e',
  '\u200d',
  'MCP_FLEET_EOF',
  '\nMCP_FLEET_EOF\n',
  'EOF',
  "<<'X'",
  '$(id)',
  '`id`',
  'a',
  'b',
  'z',
  '0',
  '9',
  '_',
  '.',
  '/',
];

/** A hostile word (may be empty); never a NUL, which no argv can carry. */
export function hostileWord(rng: Rng): string {
  if (chance(rng, 0.3)) return pick(rng, HOSTILE_WORDS);
  let word = chance(rng, 0.2) ? pick(rng, ['-', '--', '-rf ', '--rm']) : '';
  const count = int(rng, 0, 8);
  for (let i = 0; i < count; i += 1) word += pick(rng, PIECES);
  return word;
}

/** A hostile word that still makes a legal folder-name part (Docker's --mount refuses , " and line breaks). */
export function hostileDirPart(rng: Rng): string {
  const word = hostileWord(rng).replace(/[,"\r\n/]/g, '_');
  return word === '' || word === '.' || word === '..' ? `d${int(rng, 0, 99)}` : word;
}

const NAME_FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const NAME_REST = `${NAME_FIRST}_.-`;

/** A name the contract accepts (Docker's container-name alphabet), often with "-" "." "_" runs. */
export function validName(rng: Rng): string {
  let name = pick(rng, [...NAME_FIRST]);
  const length = int(rng, 0, 20);
  for (let i = 0; i < length; i += 1) name += pick(rng, [...NAME_REST]);
  return name;
}

/** A name Docker forbids: a bad first character, a forbidden character, or too long. */
export function forbiddenName(rng: Rng): string {
  switch (int(rng, 0, 3)) {
    case 0:
      return pick(rng, ['-', '.', '_', ' ', '']) + validName(rng);
    case 1: {
      const good = validName(rng);
      const at = int(rng, 1, good.length);
      return (
        good.slice(0, at) +
        pick(rng, [' ', '/', ':', "'", '"', '$', '(', '\n', 'é', '🙂', ';', '&', '*', '\0']) +
        good.slice(at)
      );
    }
    case 2:
      return validName(rng).padEnd(64, 'x');
    default:
      return hostileWord(rng).replace(/^[A-Za-z0-9]/, '-') || '-';
  }
}

export function envKey(rng: Rng): string {
  return (
    pick(rng, ['A', 'B', 'TOKEN', 'API_KEY', 'x', '_', 'MCP_FLEET_EOF', 'PATH_X']) + String(int(rng, 0, 999))
  );
}
