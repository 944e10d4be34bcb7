import assert from 'node:assert/strict';
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FleetError } from '../../shared/errors';
import { dockerMissing, mapDockerError } from './docker-errors';

const here = { hostName: 'this machine', login: 'ops' };

/** The error Node raises when connecting to `path` fails. */
function connectError(path: string): Promise<Error> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`${path} accepted a connection`));
    });
    socket.once('error', resolve);
  });
}

test('a missing socket names the socket that was tried, with advice for the OS', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-nodocker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socket = join(dir, 'docker.sock');
  const err = mapDockerError(await connectError(socket), here);
  assert.ok(err instanceof FleetError);
  assert.equal(err.code, 'unavailable');
  assert.match(
    err.message,
    new RegExp(`^no Docker engine answers on this machine \\(${socket} is missing\\): `),
  );
});

test('a socket file nobody listens on says so rather than "missing"', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-stale-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socket = join(dir, 'docker.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  // Node removes its socket file on close; a second name for it stays behind, as after an engine crash.
  const stale = join(dir, 'stale.sock');
  linkSync(socket, stale);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const err = mapDockerError(await connectError(stale), here);
  assert.match(err.message, new RegExp(`\\(nothing listens on ${stale}\\)`));
});

test('the advice fits where the engine was asked', () => {
  const socket = '//./pipe/docker_engine';
  assert.equal(
    dockerMissing(here, socket, 'win32').message,
    'no Docker engine answers on this machine (//./pipe/docker_engine is missing): start Docker Desktop, or set DOCKER_HOST to the engine to use',
  );
  assert.match(
    dockerMissing(here, '/Users/ops/.docker/run/docker.sock', 'darwin').message,
    /start Docker Desktop \(or Colima, OrbStack\)/,
  );
  // An SSH host is a Linux server whatever the app runs on.
  assert.match(
    dockerMissing({ hostName: 'db-1', login: 'deploy' }, '/var/run/docker.sock').message,
    /\(\/var\/run\/docker\.sock is missing\): install Docker or start its service$/,
  );
});
