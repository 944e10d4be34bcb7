import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FleetError } from '../../shared/errors';
import { HOSTILE_WORDS } from '../../test-support/hostile-words';
import { shellJoin, shellQuote } from './shell-quote';

test('shellQuote wraps in single quotes and writes a quote as close, escaped quote, reopen', () => {
  assert.equal(shellQuote('abc'), "'abc'");
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellJoin(['echo', 'a b']), `'echo' 'a b'`);
});

test('shellQuote refuses a NUL byte and shellJoin an empty command', () => {
  assert.throws(
    () => shellQuote('a\0b'),
    (err: unknown) => err instanceof FleetError && err.code === 'invalid_input',
  );
  assert.throws(() => shellJoin([]), FleetError);
});

test('a real /bin/sh reads every hostile word back exactly and runs none of it', () => {
  const marker = join(tmpdir(), `pwned-${process.pid}-${Date.now()}`);
  const words = [...HOSTILE_WORDS, `$(touch ${marker})`, `;touch ${marker}`, `\ntouch ${marker}\n`];
  const line = shellJoin(['printf', '%s\\0', ...words]);
  const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  assert.deepEqual(out.split('\0').slice(0, -1), words);
  assert.equal(existsSync(marker), false);
});
