/**
 * Words for POSIX shell text the operator reads (the docker-run export). Every value goes through the
 * one quoting function, services/ssh/shell-quote.ts; a word made only of characters no POSIX shell
 * treats specially anywhere in a word is left bare so the command stays readable.
 */
import { shellQuote } from '../ssh/shell-quote';

// Not special in any position of a word that is not the command name: no quoting, expansion,
// globbing, tilde (not first: `~` is excluded), comment (`#` is excluded), or operator character.
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, quoted unless it is plainly safe. Throws FleetError('invalid_input') for a NUL byte. */
export function shellWord(word: string): string {
  return BARE.test(word) ? word : shellQuote(word);
}

/** A command line: every word through shellWord. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

/**
 * The same command folded over lines with ` \` continuations for reading: a new line before each
 * `--option` and before the word at each index in `breakBefore`. Breaking only between words keeps it
 * the same command in every shell.
 */
export function shellLineFolded(
  argv: readonly string[],
  indent = '  ',
  breakBefore: ReadonlySet<number> = new Set(),
): string {
  const lines: string[] = [];
  let current: string[] = [];
  argv.forEach((word, i) => {
    if ((word.startsWith('--') || breakBefore.has(i)) && current.length > 0) {
      lines.push(current.join(' '));
      current = [];
    }
    current.push(shellWord(word));
  });
  if (current.length > 0) lines.push(current.join(' '));
  return lines.join(` \\\n${indent}`);
}
