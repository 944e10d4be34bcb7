// The decision from injected bus answers, and the real probe (dbus-send) against a private dbus-daemon
// that the test starts, with the watcher name owned by a minimal D-Bus client written below.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import {
  STATUS_NOTIFIER_WATCHER,
  detectTraySupport,
  probeStatusNotifierWatcher,
  sessionBusAddress,
  traySupport,
} from './tray-support';

describe('the decision', () => {
  test('Windows and macOS always show the tray, without asking any bus', async () => {
    for (const platform of ['win32', 'darwin'] as const) {
      assert.equal(traySupport(platform).visible, true);
      assert.equal(traySupport(platform, { kind: 'absent' }).visible, true);
      // A bus that does not exist is never asked there.
      const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
      assert.equal(
        (await detectTraySupport(platform, { env, command: '/nonexistent/dbus-send' })).visible,
        true,
      );
    }
  });

  test('Linux shows it only when a StatusNotifier host is on the session bus', () => {
    assert.deepEqual(traySupport('linux', { kind: 'present' }), {
      visible: true,
      reason: `tray: shown (${STATUS_NOTIFIER_WATCHER} is on the session bus)`,
    });
    for (const state of [
      { kind: 'absent' },
      { kind: 'no-bus' },
      { kind: 'unknown', why: 'dbus-send is not installed' },
      undefined,
    ] as const) {
      const support = traySupport('linux', state);
      assert.equal(support.visible, false, JSON.stringify(state));
      assert.match(support.reason, /^tray: none, .*; closing the last window quits the app$/);
    }
    assert.match(traySupport('linux', { kind: 'absent' }).reason, /AppIndicator extension/);
    assert.match(traySupport('freebsd', { kind: 'present' }).reason, /shown/);
  });

  test('the session bus is DBUS_SESSION_BUS_ADDRESS, else the user bus socket, else none', () => {
    const exists = (file: string) => file === '/run/user/1000/bus';
    assert.equal(
      sessionBusAddress(
        { DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/x', XDG_RUNTIME_DIR: '/run/user/1000' },
        exists,
      ),
      'unix:abstract=/tmp/x',
    );
    assert.equal(
      sessionBusAddress({ XDG_RUNTIME_DIR: '/run/user/1000' }, exists),
      'unix:path=/run/user/1000/bus',
    );
    assert.equal(sessionBusAddress({ XDG_RUNTIME_DIR: '/run/user/1001' }, exists), undefined);
    assert.equal(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: '' }, exists), undefined);
  });

  test('no bus at all is said without running anything', async () => {
    const state = await probeStatusNotifierWatcher({ env: {}, command: '/nonexistent/dbus-send' });
    assert.deepEqual(state, { kind: 'no-bus' });
  });

  test('a missing dbus-send is "unknown", which shows no tray', async () => {
    const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const state = await probeStatusNotifierWatcher({ env, command: '/nonexistent/dbus-send' });
    assert.deepEqual(state, { kind: 'unknown', why: 'dbus-send is not installed' });
  });
});

const haveDbus = ['dbus-daemon', 'dbus-send'].every(
  (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0,
);

describe(
  'the probe against a real session bus (dbus-daemon, dbus-send)',
  { skip: !haveDbus && 'no dbus-daemon' },
  () => {
    test('says absent until a client owns the watcher name, then present', async (t) => {
      const address = await privateBus(t);
      const env = { DBUS_SESSION_BUS_ADDRESS: address };
      assert.deepEqual(await probeStatusNotifierWatcher({ env }), { kind: 'absent' });
      assert.equal((await detectTraySupport('linux', { env })).visible, false);

      await ownName(t, address, STATUS_NOTIFIER_WATCHER);
      assert.deepEqual(await probeStatusNotifierWatcher({ env }), { kind: 'present' });
      assert.equal((await detectTraySupport('linux', { env })).visible, true);
    });

    test('a bus address nobody listens on is "unknown"', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'fleet-nobus-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const state = await probeStatusNotifierWatcher({
        env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${dir}/bus` },
      });
      assert.equal(state.kind, 'unknown');
    });
  },
);

/** Starts a dbus-daemon of the test's own on a fresh socket; stopped (by its pid) after the test. */
async function privateBus(t: TestContext): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-'));
  const daemon = spawn(
    'dbus-daemon',
    ['--session', '--nofork', '--nopidfile', `--address=unix:path=${join(dir, 'bus')}`, '--print-address=1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  // The daemon prints its address once it listens: that line is the signal to go on.
  return new Promise((resolve, reject) => {
    let out = '';
    let complaints = '';
    daemon.stderr.on('data', (chunk: Buffer) => (complaints += chunk.toString()));
    daemon.once('error', reject);
    daemon.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}: ${complaints}`)));
    daemon.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
  });
}

/**
 * A D-Bus client that owns `name` until the test ends: SASL EXTERNAL, Hello, RequestName, then it waits
 * for the bus's NameAcquired signal for that name. Just enough of the wire format for these two calls.
 */
async function ownName(t: TestContext, address: string, name: string): Promise<void> {
  const socketPath = /^unix:path=([^,]+)/.exec(address)?.[1];
  if (socketPath === undefined) throw new Error(`not a unix:path address: ${address}`);
  const socket: Socket = connect(socketPath);
  t.after(() => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const uid = String(process.getuid?.() ?? 0);
  socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`);
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (reply: Buffer) =>
      reply.toString().startsWith('OK ') ? resolve() : reject(new Error(`bus refused: ${reply.toString()}`)),
    );
  });
  const bus = {
    destination: 'org.freedesktop.DBus',
    path: '/org/freedesktop/DBus',
    iface: 'org.freedesktop.DBus',
  };
  socket.write('BEGIN\r\n');
  socket.write(methodCall(1, { ...bus, member: 'Hello' }));
  socket.write(methodCall(2, { ...bus, member: 'RequestName', signature: 'su', body: [name, 4] }));
  await new Promise<void>((resolve) => {
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes('NameAcquired') && seen.includes(name)) resolve();
    });
  });
}

interface Call {
  destination: string;
  path: string;
  iface: string;
  member: string;
  signature?: string;
  body?: (string | number)[];
}

/** A little-endian METHOD_CALL message; strings are 's', numbers 'u'. */
function methodCall(serial: number, call: Call): Buffer {
  const body = new Writer();
  for (const value of call.body ?? []) {
    if (typeof value === 'string') body.string(value);
    else body.uint32(value);
  }
  const m = new Writer();
  m.bytes([0x6c, 1, 0, 1]);
  m.uint32(body.length);
  m.uint32(serial);
  const fields: [number, string, string][] = [
    [1, 'o', call.path],
    [2, 's', call.iface],
    [3, 's', call.member],
    [6, 's', call.destination],
  ];
  if (call.signature !== undefined) fields.push([8, 'g', call.signature]);
  const lengthAt = m.length;
  m.uint32(0);
  m.align(8);
  const start = m.length;
  for (const [code, type, value] of fields) {
    m.align(8);
    m.bytes([code]);
    m.signature(type);
    if (type === 'g') m.signature(value);
    else m.string(value);
  }
  m.patchUint32(lengthAt, m.length - start);
  m.align(8);
  return Buffer.concat([m.buffer(), body.buffer()]);
}

class Writer {
  private readonly out: number[] = [];
  get length(): number {
    return this.out.length;
  }
  bytes(values: number[]): void {
    this.out.push(...values);
  }
  align(n: number): void {
    while (this.out.length % n !== 0) this.out.push(0);
  }
  uint32(value: number): void {
    this.align(4);
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.out.push(...b);
  }
  patchUint32(at: number, value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.out.splice(at, 4, ...b);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.uint32(bytes.length);
    this.out.push(...bytes, 0);
  }
  signature(value: string): void {
    this.out.push(value.length, ...Buffer.from(value, 'ascii'), 0);
  }
  buffer(): Buffer {
    return Buffer.from(this.out);
  }
}
