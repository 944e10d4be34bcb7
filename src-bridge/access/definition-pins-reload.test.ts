// The approved set read again on SIGHUP: the bridge's command line (main.ts, --approved, --members,
// --env-file) in its own process in front of the stand-in server, which is never restarted for it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { definitionHash } from '../../src-main/shared/tool-pins';
import { connectClient, raw, sha256, waitFor } from '../test-helpers';
import {
  approvedSetFor,
  callsSeen,
  events,
  FIXTURE,
  statelessClient,
  VERSION_A,
  VERSION_B,
} from './definition-pins-test-helpers';

const TOKEN = 'pins-reload-token-0123456789';
const MAIN = new URL('../main.ts', import.meta.url).pathname;

describe('the approved set, reloaded on SIGHUP', () => {
  let dir: string;
  let approvedFile: string;
  let callLog: string;
  let bridge: ChildProcess;
  let exited: Promise<void>;
  const logs: string[] = [];
  let url = '';

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bridge-pins-reload-'));
    approvedFile = path.join(dir, 'approved.json');
    callLog = path.join(dir, 'calls.log');
    const membersFile = path.join(dir, 'members.json');
    const envFile = path.join(dir, 'server.env');
    await writeFile(approvedFile, JSON.stringify(await approvedSetFor(VERSION_A)));
    await writeFile(
      membersFile,
      JSON.stringify([{ name: 'alice', tokenSha256: sha256(TOKEN), tools: ['*'] }]),
    );
    // The server runs version B: every description differs from what the file approves.
    const env = { ...VERSION_B, PIN_CALL_LOG: callLog };
    await writeFile(
      envFile,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    bridge = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--members',
        membersFile,
        '--approved',
        approvedFile,
        '--env-file',
        envFile,
        '--',
        process.execPath,
        FIXTURE,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    exited = new Promise((resolve) => bridge.once('exit', () => resolve()));
    let partial = '';
    bridge.stdout?.setEncoding('utf8');
    bridge.stdout?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      logs.push(...lines.filter((l) => l !== ''));
    });
    await waitFor(() => events(logs, 'listening').length === 1, 'the bridge process to listen');
    url = `http://127.0.0.1:${String(events(logs, 'listening')[0]?.port)}/mcp`;
  });
  after(async () => {
    bridge.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  async function childPid(): Promise<{ pid: number | null; restarts: number }> {
    const res = await raw(url.replace(/\/mcp$/, '/status'), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const { pid, restarts } = (JSON.parse(res.text) as { child: { pid: number | null; restarts: number } })
      .child;
    return { pid, restarts };
  }

  /** Writes the file, sends SIGHUP, and waits for the bridge's answer to it (loaded or refused). */
  async function reload(
    text: string,
    expected: 'approved_set_loaded' | 'approved_set_refused',
  ): Promise<void> {
    const before = events(logs, expected).length;
    await writeFile(approvedFile, text);
    bridge.kill('SIGHUP');
    await waitFor(() => events(logs, expected).length === before + 1, expected);
  }

  it('surveys every list at start, before any client, logging each quarantined definition', async () => {
    // No client has listed anything yet: the lines come from the bridge's own survey.
    await waitFor(() => events(logs, 'definitions_surveyed').length >= 1, 'the survey');
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(events(logs, 'definitions_surveyed')[0] ?? {}).filter(([k]) =>
          ['tools', 'prompts', 'resourceTemplates', 'failed'].includes(k),
        ),
      ),
      { tools: 1, prompts: 1, resourceTemplates: 1 },
    );
    const greet = events(logs, 'tool_quarantined').find((e) => e.name === 'greet');
    assert.equal(greet?.reason, 'changed');
    const definition = greet?.definition as Record<string, unknown> | undefined;
    assert.equal(definition?.description, VERSION_B.PIN_TOOL_DESCRIPTION, 'the changed text, for the diff');
    // The logged definition hashes to the hash on the same line: the app can check one by the other.
    assert.equal(definitionHash('tools', definition), greet?.hash);
    assert.equal(
      (events(logs, 'prompt_quarantined')[0]?.definition as { description?: string }).description,
      VERSION_B.PIN_PROMPT_DESCRIPTION,
    );
    assert.deepEqual(await callsSeen(callLog), [], 'nothing was called by the survey');
  });

  it('serves the new set without restarting the server, keeps it when the next file is bad', async () => {
    const legacy = await connectClient(url, TOKEN);
    let listChanged = 0;
    legacy.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void (listChanged += 1));
    const stateless = await statelessClient(url, TOKEN);
    const greet = { name: 'greet', arguments: { who: 'Ada' } };
    try {
      assert.deepEqual((await legacy.client.listTools()).tools, []);
      await assert.rejects(stateless.callTool(greet), /quarantined: its definition changed/);
      await waitFor(async () => (await childPid()).pid !== null, 'the server to run');
      const server = await childPid();

      // The operator approves version B: the file is rewritten and the bridge told.
      await reload(JSON.stringify(await approvedSetFor(VERSION_B)), 'approved_set_loaded');
      await waitFor(() => listChanged === 1, 'the session to be told its tool list changed');
      for (const tools of [(await legacy.client.listTools()).tools, (await stateless.listTools()).tools])
        assert.deepEqual(
          tools.map((t) => [t.name, t.description]),
          [['greet', VERSION_B.PIN_TOOL_DESCRIPTION]],
        );
      await legacy.client.callTool(greet);
      await stateless.callTool(greet);
      assert.deepEqual(await callsSeen(callLog), ['tools/call greet', 'tools/call greet']);
      assert.deepEqual(await childPid(), server, 'the same server process, never restarted');

      // A file that is not an approved set is refused; version B stays approved.
      await reload('{"tools":{}}', 'approved_set_refused');
      assert.match(String(events(logs, 'approved_set_refused')[0]?.error), /"prompts" must be an object/);
      await stateless.callTool(greet);
      assert.equal((await legacy.client.listTools()).tools.length, 1);
      assert.equal((await callsSeen(callLog)).length, 3);

      // Back to version A's set: greet is quarantined again, still without a restart.
      await reload(JSON.stringify(await approvedSetFor(VERSION_A)), 'approved_set_loaded');
      await assert.rejects(legacy.client.callTool(greet), /quarantined: its definition changed/);
      assert.deepEqual((await stateless.listTools()).tools, []);
      assert.equal((await callsSeen(callLog)).length, 3);
      assert.deepEqual(await childPid(), server);
    } finally {
      await stateless.close();
      await legacy.transport.terminateSession();
      await legacy.client.close();
    }
  });

  it('refuses to start on a bad approved file, with one line naming it', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...(await approvedSetFor(VERSION_A)), autoApproveNewTools: true }));
    for (const file of [bad, path.join(dir, 'missing.json')]) {
      const started = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          MAIN,
          '--port',
          '0',
          '--token-sha256',
          sha256(TOKEN),
          '--approved',
          file,
          '--',
          'true',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      started.stderr?.setEncoding('utf8');
      started.stderr?.on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => started.once('exit', resolve));
      assert.equal(code, 2, stderr);
      assert.equal(stderr.trimEnd().split('\n').length, 1);
      assert.ok(stderr.includes(file), stderr);
      assert.match(stderr, /unknown key "autoApproveNewTools"|cannot read the approved set/);
    }
  });
});
