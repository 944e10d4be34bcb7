/**
 * A small, strict argument parser. Unlike node:util parseArgs, a value-taking option always consumes
 * the next word, so `--arg --verbose` passes "--verbose" to the server as the operator meant.
 */
import {
  LIMIT_TEXT,
  checkRootRules,
  limitProblem,
  splitRootFlag,
  type BridgeRoot,
} from '../shared/bridge-settings';
import { FleetError } from '../shared/errors';

export type OptionSpec = Record<string, 'flag' | 'string' | 'multi'>;

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  multi: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), multi: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('--') || word === '--') {
      if (word.startsWith('-') && word.length > 1) throw usage(`unknown option ${word}`);
      out.positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw usage(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq !== -1) throw usage(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    let value: string;
    if (eq !== -1) value = word.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw usage(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (kind === 'string') {
      if (out.values.has(name)) throw usage(`--${name} given twice`);
      out.values.set(name, value);
    } else {
      out.multi.set(name, [...(out.multi.get(name) ?? []), value]);
    }
  }
  return out;
}

export function usage(message: string): FleetError {
  return new FleetError('invalid_input', message);
}

/** A comma-separated option value (`--tools a,b`) as its non-empty, trimmed items. */
export function listValue(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `--root URI[=NAME]` read and checked as the bridge reads it, so the message names the flag. */
export function rootFlag(text: string): BridgeRoot {
  const checked = checkRootRules(splitRootFlag(text));
  if (!checked.ok) throw usage(checked.message);
  return checked.root;
}

/** A cap or rate given on the command line; throws a usage error naming the flag. */
export function limitValue(flag: string, text: string, whole: boolean): number {
  // "1e3", "-1" or "0x10" are refused as the bridge refuses them, not read as a number they might mean.
  const value = LIMIT_TEXT.test(text) ? Number(text) : NaN;
  const problem = limitProblem(value, whole);
  if (problem !== null) throw usage(`${flag} ${problem}, got ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

/** A cap or rate that may also be `default` (drop the override, so the default applies): null then. */
export function limitOrDefault(flag: string, text: string, whole: boolean): number | null {
  return text === 'default' ? null : limitValue(flag, text, whole);
}
