// Container entry: gives the bridge the container's defaults (all interfaces, port $PORT) unless the
// operator passed --host/--port, then runs it in this same process (one process, signals intact).
import { writeFileSync } from 'node:fs';

const bridge = new URL('./bridge.mjs', import.meta.url);
const args = process.argv.slice(2);
const end = args.indexOf('--');
const flags = end === -1 ? args : args.slice(0, end);

function flagValue(name) {
  for (let i = 0; i < flags.length; i += 1) {
    const arg = flags[i];
    if (arg === name) return flags[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

const defaults = [];
let port = flagValue('--port');
if (port === undefined) {
  port = process.env.PORT || '8080';
  defaults.push('--port', port);
}
// Inside a container the published port arrives on the container's own interface, not on loopback.
if (flagValue('--host') === undefined) defaults.push('--host', '0.0.0.0');

// The health check runs in a separate exec and cannot see our arguments; leave it the port.
try {
  writeFileSync('/tmp/.mcp-fleet-port', `${port}\n`);
} catch {
  // No writable /tmp: the health check falls back to $PORT.
}

process.argv = [process.argv[0], bridge.pathname, ...defaults, ...args];
await import(bridge.href);
