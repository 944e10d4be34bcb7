import { FleetError } from '../../shared/errors';

/**
 * Quotes one word for a POSIX shell: wrapped in single quotes, inside which nothing is special, with
 * each `'` written as `'\''` (close, escaped quote, reopen). The one place a remote command line is
 * built; every word of it goes through here. Throws FleetError('invalid_input') for a NUL byte, which
 * no shell word can hold (it would silently cut the word short).
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new FleetError('invalid_input', 'a command argument contains a NUL byte');
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Joins argv into one command line for `sh -c` (what sshd runs), every word quoted. */
export function shellJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new FleetError('invalid_input', 'an empty command');
  return argv.map(shellQuote).join(' ');
}
