// Docker HEALTHCHECK: asks the bridge's /healthz over loopback. Node's own fetch, so no curl needed.
import { readFileSync } from 'node:fs';

let port = process.env.PORT || '8080';
try {
  port = readFileSync('/tmp/.mcp-fleet-port', 'utf8').trim() || port;
} catch {
  // Written by the entrypoint; absent when /tmp was not writable.
}

try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
