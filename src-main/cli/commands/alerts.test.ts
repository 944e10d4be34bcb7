// Integration: the real `mcp-fleet` CLI as a subprocess against a fresh encrypted store, and a webhook
// receiver on loopback (node:http) in this process; no Docker, no sshd.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startReceiver, type Receiver } from '../../services/alerts/webhook-receiver.fixture';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const SECRET = 'Bearer cli-s3cr3t-5d2e';

function cli(
  home: string,
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, MCP_FLEET_PASSPHRASE: 'correct horse battery staple' };
  const child = spawn(process.execPath, [BIN, '--home', home, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(stdin);
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

void describe('mcp-fleet alerts', { timeout: 120_000 }, () => {
  let home: string;
  let receiver: Receiver;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'fleet-alerts-cli-'));
    receiver = await startReceiver([500], 200, '/hook/secretpath');
  });
  after(async () => {
    await receiver.close();
    rmSync(home, { recursive: true, force: true });
  });

  void it('adds a webhook with a header from stdin, tests it, lists it masked, removes it; bad input changes nothing', async () => {
    const add = await cli(
      home,
      ['alerts', 'add-webhook', 'ops', receiver.url, '--format', 'slack', '--header-stdin'],
      `Authorization: ${SECRET}\n`,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stdout,
      /^added webhook ops \(slack\) to http:\/\/127\.0\.0\.1:\d+\/•••• with header Authorization: ••••$/m,
    );

    const test = await cli(home, ['alerts', 'test', 'ops']);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /^ops: HTTP 200; delivered to 127\.0\.0\.1:\d+ \(HTTP 200\)$/m);
    assert.deepEqual(
      receiver.requests.map((r) => r.status),
      [500, 200],
    );
    assert.equal(receiver.requests[1]?.headers.authorization, SECRET);
    assert.match((receiver.requests[1]?.body as { text: string }).text, /test alert/);

    const refused = [
      [['alerts', 'add-webhook', 'ops', 'https://other.example.com/'], 1, /a webhook named "ops" exists/],
      [
        ['alerts', 'add-webhook', 'x', 'https://u:pw@hooks.example.com/'],
        2,
        /credentials in the URL are refused/,
      ],
      [['alerts', 'add-webhook', 'x', 'http://hooks.example.com/'], 2, /use https, or --allow-http/],
      [
        ['alerts', 'add-webhook', 'x', 'https://hooks.example.com/', '--format', 'teams'],
        2,
        /--format is generic or slack/,
      ],
      [
        ['alerts', 'add-webhook', 'x', 'https://hooks.example.com/', '--header', `Authorization ${SECRET}`],
        2,
        /NAME:VALUE/,
      ],
    ] as const;
    for (const [args, code, message] of refused) {
      const r = await cli(home, [...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes('s3cr3t') && !r.stderr.includes('pw@'), r.stderr);
    }

    const list = await cli(home, ['alerts', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ops\s+slack\s+http:\/\/127\.0\.0\.1:\d+\/••••\s+Authorization: ••••$/m);
    assert.match(list.stdout, /alerts \(0 in the last 24 hours\):\nno alerts/);
    const json = await cli(home, ['--json', 'alerts', 'list']);
    const listing = JSON.parse(json.stdout) as { webhooks: { name: string; headers: string[] }[] };
    assert.deepEqual(
      listing.webhooks.map((w) => [w.name, w.headers]),
      [['ops', ['Authorization']]],
    );
    for (const out of [add, test, list, json]) {
      assert.ok(!(out.stdout + out.stderr).includes('s3cr3t'), out.stdout);
      assert.ok(!(out.stdout + out.stderr).includes('secretpath'), out.stdout);
    }
    // The store is encrypted: the secret is nowhere in the data folder's bytes.
    const bytes = Buffer.concat(readdirSync(home).map((f) => readFileSync(join(home, f))));
    assert.equal(bytes.indexOf('s3cr3t'), -1);

    const removed = await cli(home, ['alerts', 'remove', 'ops']);
    assert.equal(removed.code, 0, removed.stderr);
    const again = await cli(home, ['alerts', 'remove', 'ops']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no webhook named "ops"/);
  });

  void it('fails a test that the webhook refuses, naming the status', async () => {
    const refusing = await startReceiver([], 403);
    try {
      assert.equal((await cli(home, ['alerts', 'add-webhook', 'strict', refusing.url])).code, 0);
      const r = await cli(home, ['alerts', 'test', 'strict']);
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        /^strict: HTTP 403; not delivered to .* after 1 try: HTTP 403: refused, not retried$/m,
      );
      assert.equal(refusing.requests.length, 1);
    } finally {
      await refusing.close();
    }
  });
});
