/**
 * Web mode started without a passphrase, against the real services: a real encrypted store in a temp
 * folder (scrypt and all), the real HTTP server on loopback, a real WebSocket client.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createServices, type Services } from '../app/composition-root';
import { PassphraseKeyProvider } from '../services/store/key-providers';
import { startWebServer } from './server';
import { MAX_FAILED_UNLOCKS } from '../services/store/store-gate';

const PASSPHRASE = 'correct horse battery staple';

interface Answer {
  ok: boolean;
  data?: unknown;
  error: { code: string; message: string };
}

let dir: string;
let rendererDir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-fleet-unlock-'));
  rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>MCP Fleet</title>');
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A locked web server on `home`, and the services its unlock opened (closed by stop()). */
async function lockedServer(home: string) {
  const opened: Services[] = [];
  const web = await startWebServer({
    unlock: {
      home,
      open: async (passphrase) => {
        const services = await createServices({
          home,
          keyProvider: new PassphraseKeyProvider(passphrase),
          transport: 'web',
          watchExternalChanges: true,
        });
        opened.push(services);
        return services;
      },
    },
    port: 0,
    rendererDir,
    log: () => {},
  });
  const base = `http://127.0.0.1:${web.port}`;
  const login = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: web.token }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.ok(cookie.startsWith('mcp_fleet_session_'));
  const post = async (path: string, body: unknown, headers: Record<string, string> = { Cookie: cookie }) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Answer };
  };
  const state = async () =>
    ((await (await fetch(`${base}/api/state`, { headers: { Cookie: cookie } })).json()) as { data: unknown })
      .data;
  return {
    web,
    base,
    cookie,
    post,
    state,
    opened,
    stop: async () => {
      await web.close();
      for (const services of opened) services.close();
    },
  };
}

function snapshot(home: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of ['fleet.db', 'fleet.db-wal', 'store.json']) {
    const path = join(home, name);
    out[name] = existsSync(path) ? readFileSync(path).toString('base64') : null;
  }
  return out;
}

describe('web mode with a locked store', () => {
  const home = () => join(dir, 'home');

  test('a new store: calls answer store_locked until a passphrase creates it, then work', async () => {
    const s = await lockedServer(home());
    try {
      assert.deepEqual(await s.state(), { locked: true, initialized: false });
      const locked = await s.post('/api/call/hosts:list', {});
      assert.equal(locked.status, 200);
      assert.deepEqual(locked.json, {
        ok: false,
        error: { code: 'store_locked', message: 'the store is locked: unlock it in the app' },
      });
      assert.equal(existsSync(join(home(), 'fleet.db')), false, 'a locked start creates no store');

      // Unlocking is an API call like any other: no session, no unlock.
      const anonymous = await s.post('/api/unlock', { passphrase: PASSPHRASE }, {});
      assert.equal(anonymous.status, 401);

      const short = await s.post('/api/unlock', { passphrase: 'short' });
      assert.equal(short.json.error.code, 'invalid_input');
      assert.match(short.json.error.message, /at least 8 characters/);
      assert.equal(existsSync(join(home(), 'fleet.db')), false);

      // The event socket connects while locked and relays events once the store opens.
      const ws = new WebSocket(`ws://127.0.0.1:${s.web.port}/api/events`, {
        headers: { Cookie: s.cookie, Origin: s.base },
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const firstEvent = new Promise<unknown>((resolve) =>
        ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))),
      );

      const created = await s.post('/api/unlock', { passphrase: PASSPHRASE });
      assert.deepEqual(created.json, { ok: true, data: { locked: false, initialized: true } });
      assert.deepEqual(await s.state(), { locked: false, initialized: true });
      assert.equal(existsSync(join(home(), 'fleet.db')), true);

      const added = await s.post('/api/call/hosts:add', { kind: 'local', name: 'lab' });
      assert.equal(added.json.ok, true);
      assert.deepEqual(await firstEvent, { event: 'store:changed', payload: { domain: 'hosts' } });
      ws.close();

      const again = await s.post('/api/unlock', { passphrase: PASSPHRASE });
      assert.equal(again.json.error.code, 'conflict');
    } finally {
      await s.stop();
    }
  });

  test('an existing store: a wrong passphrase is refused and changes no byte; the right one opens it', async () => {
    const s = await lockedServer(home());
    try {
      assert.deepEqual(await s.state(), { locked: true, initialized: true });
      const before = snapshot(home());
      const wrong = await s.post('/api/unlock', { passphrase: 'not the passphrase at all' });
      assert.equal(wrong.json.ok, false);
      assert.equal(wrong.json.error.code, 'store_locked');
      assert.match(wrong.json.error.message, /wrong passphrase/);
      assert.deepEqual(snapshot(home()), before, 'a wrong passphrase must leave the files as they were');
      assert.equal((await s.post('/api/call/hosts:list', {})).json.error.code, 'store_locked');

      const right = await s.post('/api/unlock', { passphrase: PASSPHRASE });
      assert.equal(right.json.ok, true);
      const hosts = await s.post('/api/call/hosts:list', {});
      assert.deepEqual(
        (hosts.json.data as { name: string }[]).map((h) => h.name),
        ['lab'],
      );
    } finally {
      await s.stop();
    }
  });

  test(`after ${MAX_FAILED_UNLOCKS} wrong passphrases further attempts get 429 without being tried`, async () => {
    const s = await lockedServer(home());
    try {
      for (let i = 0; i < MAX_FAILED_UNLOCKS; i++) {
        const wrong = await s.post('/api/unlock', { passphrase: `wrong passphrase ${i}` });
        assert.equal(wrong.json.error.code, 'store_locked');
      }
      const limited = await s.post('/api/unlock', { passphrase: PASSPHRASE });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error.code, 'unavailable');
      assert.match(limited.json.error.message, /too many wrong passphrases; wait \d+ s/);
      assert.deepEqual(await s.state(), { locked: true, initialized: true });
      assert.equal(s.opened.length, 0, 'the refused attempt did not open the store');
    } finally {
      await s.stop();
    }
  });
});
