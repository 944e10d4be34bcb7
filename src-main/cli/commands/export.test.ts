// The `export` command's own handling of --ca-file and of the notes beside an export, against a
// recording render function (export-import.test.ts runs the command over the real services).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExportRenderInput, ExportResult } from '../../services/export/export-schema';
import type { CommandContext } from '../context';
import { exportCommand } from './export';

describe('export command: --ca-file and notes', () => {
  let dir = '';
  const printed: string[] = [];
  const asked: ExportRenderInput[] = [];
  const result: ExportResult = {
    format: 'claude',
    filename: 'claude_desktop_config.json',
    content: '{}\n',
    containsSecrets: false,
    notes: ['first note', 'second note'],
  };
  const render = (input: ExportRenderInput) => {
    asked.push(input);
    return Promise.resolve(result);
  };
  const ctx = (json: boolean): CommandContext => ({
    output: { json, out: (text) => void printed.push(text) },
    home: dir,
    services: () => Promise.reject(new Error('not used')),
    close: () => undefined,
    call: () => Promise.reject(new Error('not used')),
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'export-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands the service an absolute --ca-file and prints the notes after the file it wrote', async () => {
    const out = path.join(dir, 'claude.json');
    await exportCommand(
      ctx(false),
      ['memory', '--format', 'claude', '--ca-file', 'certs/ca.pem', '--out', out],
      render,
    );
    assert.equal(asked.pop()?.caFile, path.resolve('certs/ca.pem'));
    assert.equal(await readFile(out, 'utf8'), '{}\n');
    assert.deepEqual(printed.splice(0), [
      `wrote claude export of memory to ${out} (mode 0600)`,
      'note: first note',
      'note: second note',
    ]);

    await exportCommand(ctx(true), ['memory', '--format', 'claude', '--out', out], render);
    assert.equal(asked.pop()?.caFile, undefined, 'absent: the service picks the default');
    assert.deepEqual(JSON.parse(printed.splice(0).join('')), {
      format: 'claude',
      file: out,
      notes: ['first note', 'second note'],
    });
  });

  it('keeps stdout to the content and writes the notes to stderr', async (t) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    t.mock.method(process.stdout, 'write', (chunk: string) => stdout.push(chunk) > 0);
    t.mock.method(process.stderr, 'write', (chunk: string) => stderr.push(chunk) > 0);
    await exportCommand(ctx(false), ['memory', '--format', 'claude'], render);
    t.mock.restoreAll();
    assert.deepEqual(stdout, ['{}\n']);
    assert.deepEqual(stderr, ['note: first note\n', 'note: second note\n']);
  });

  it('refuses an empty --ca-file before calling the service', async () => {
    const never = () => Promise.reject(new Error('must not be called'));
    await assert.rejects(
      exportCommand(ctx(false), ['memory', '--format', 'claude', '--ca-file', ''], never),
      /--ca-file needs a path/,
    );
  });
});
