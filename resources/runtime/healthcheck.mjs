// Docker HEALTHCHECK: asks the bridge's /healthz over loopback, with Node alone (no curl in the image).
// The bridge serves HTTPS when started with --tls-cert, plain HTTP otherwise, and this separate exec
// cannot see its flags: it tries HTTPS first and falls back to HTTP when the port does not speak TLS.
// The certificate is not verified: the probe never leaves the container's loopback, sends no token
// and reads nothing but /healthz, and the certificate names the address clients use, not 127.0.0.1.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

let port = process.env.PORT || '8080';
try {
  port = readFileSync(process.env.MCP_FLEET_PORT_FILE || '/tmp/.mcp-fleet-port', 'utf8').trim() || port;
} catch {
  // Written by the entrypoint; absent when /tmp was not writable. MCP_FLEET_PORT_FILE is for tests.
}

/** Resolves to the HTTP status of GET /healthz, or rejects with the connection's error. */
function probe(client, options = {}) {
  return new Promise((resolve, reject) => {
    const req = client.get(
      { host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 2000, ...options },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

async function status() {
  try {
    return await probe(https, { rejectUnauthorized: false });
  } catch (err) {
    // Nothing listens, or it hangs: plain HTTP would fare no better.
    if (err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT') throw err;
    // A plain-HTTP bridge answers the TLS hello with a 400, which the TLS client reads as a
    // protocol error: ask again without TLS.
    return probe(http);
  }
}

try {
  const code = await status();
  process.exit(code >= 200 && code < 300 ? 0 : 1);
} catch {
  process.exit(1);
}
