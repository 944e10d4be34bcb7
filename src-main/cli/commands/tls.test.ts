// Integration: `mcp-fleet tls ca` as a subprocess against a fresh encrypted store.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const PASS = 'tls cli passphrase';
const dir = mkdtempSync(join(tmpdir(), 'fleet-tls-cli-'));
const home = join(dir, 'home');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], {
    env: { ...process.env, MCP_FLEET_PASSPHRASE: PASS },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

after(() => rmSync(dir, { recursive: true, force: true }));

void describe('mcp-fleet tls ca', () => {
  void it('prints the CA PEM, the same one every time, and --json adds its fingerprint and expiry', () => {
    const first = cli(['tls', 'ca']);
    assert.equal(first.code, 0, first.stderr);
    const cert = new X509Certificate(first.stdout);
    assert.equal(cert.ca, true);
    assert.match(first.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.equal(cli(['tls', 'ca']).stdout, first.stdout);
    const json = cli(['--json', 'tls', 'ca']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      pem: first.stdout,
      fingerprint256: cert.fingerprint256,
      notAfter: cert.validToDate.toISOString(),
    });
  });

  void it('writes --out FILE with mode 0644, also over an existing private file', () => {
    const file = join(dir, 'mcp-fleet-ca.pem');
    writeFileSync(file, 'old', { mode: 0o600 });
    const r = cli(['tls', 'ca', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    const pem = readFileSync(file, 'utf8');
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.equal(new X509Certificate(pem).ca, true);
    assert.match(r.stdout, new RegExp(`SHA-256 fingerprint ${new X509Certificate(pem).fingerprint256}`));
    assert.ok(!r.stdout.includes('BEGIN CERTIFICATE'));
  });

  void it('answers bad usage with one line and exit 2', () => {
    for (const args of [['tls'], ['tls', 'leaf'], ['tls', 'ca', 'extra'], ['tls', 'ca', '--key']]) {
      const r = cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    const r = cli(['tls', 'ca', '--out', join(dir, 'no-such-dir', 'ca.pem')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mcp-fleet: could not write .*ca\.pem: ENOENT\n$/);
    assert.match(cli(['--help']).stdout, /mcp-fleet tls ca \[--out FILE\]/);
  });
});
