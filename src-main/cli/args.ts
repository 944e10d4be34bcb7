/**
 * A small, strict argument parser. Unlike node:util parseArgs, a value-taking option always consumes
 * the next word, so `--arg --verbose` passes "--verbose" to the server as the operator meant.
 */
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
