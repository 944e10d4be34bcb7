// The runtime image's HEALTHCHECK script (resources/runtime/healthcheck.mjs) run with this Node against
// real bridges, over HTTPS and over plain HTTP, in front of the real server-sequential-thinking.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { certificateDir, makeTestCertificate } from '../test-certificates';
import { serverCommand, sha256, startTestBridge, type TestBridge } from '../test-helpers';

const SCRIPT = fileURLToPath(new URL('../../resources/runtime/healthcheck.mjs', import.meta.url));

describe('runtime image health check', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await certificateDir());
  });
  after(() => cleanup());

  /** Runs the script as Docker would, the port handed over in the entrypoint's port file. */
  async function check(port: number): Promise<number> {
    const portFile = path.join(dir, `port-${port}`);
    await writeFile(portFile, `${port}\n`);
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [SCRIPT],
        { env: { PATH: process.env.PATH ?? '', MCP_FLEET_PORT_FILE: portFile }, timeout: 15_000 },
        (err) => resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : -1),
      );
    });
  }

  async function withBridge(tls: boolean, work: (bridge: TestBridge) => Promise<void>): Promise<void> {
    const certificate = tls ? await makeTestCertificate(dir) : undefined;
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256('healthcheck-token-0123456789')],
      // The allowlist leaves loopback out: the health check must work whatever it says.
      allowCidr: ['10.0.0.0/8'],
      ...(certificate ? { tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } } : {}),
    });
    try {
      await work(bridge);
    } finally {
      await bridge.close();
    }
  }

  it('passes against a bridge serving HTTPS, and its handshake is not a TLS error', async () => {
    await withBridge(true, async (bridge) => {
      assert.equal(await check(bridge.port), 0);
      assert.ok(!bridge.logs.some((l) => l.includes('tls_plain_http_refused')));
    });
  });

  it('passes against a bridge serving plain HTTP', async () => {
    await withBridge(false, async (bridge) => assert.equal(await check(bridge.port), 0));
  });

  it('fails when nothing listens', async () => {
    let port = 0;
    await withBridge(false, async (bridge) => {
      port = bridge.port;
    });
    assert.equal(await check(port), 1);
  });
});
