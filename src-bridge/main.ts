import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startBridge, type RunningBridge } from './bridge';
import { parseCliArgs, USAGE } from './ops/cli-args';
import { parseEnvFile } from './child/env-file';
import { BridgeError, describeError } from './errors';
import { isLogLevel } from './ops/log';
import { parseMembersJson } from './access/members';
import { BRIDGE_VERSION } from './ops/version';

export { startBridge } from './bridge';
export type { BridgeOptions, RunningBridge } from './bridge';

function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new BridgeError('invalid_input', `cannot read the ${what} ${path}: ${describeError(err)}`);
  }
}

/** Runs the command-line bridge until SIGTERM or SIGINT. Bad flags: one line on stderr, exit code 2. */
export async function runCli(argv: readonly string[]): Promise<void> {
  let bridge: RunningBridge;
  try {
    const parsed = parseCliArgs(argv);
    if (parsed.kind === 'help') {
      process.stdout.write(USAGE + '\n');
      return;
    }
    if (parsed.kind === 'version') {
      process.stdout.write(BRIDGE_VERSION + '\n');
      return;
    }
    const args = parsed.args;
    if (args.logLevel !== undefined && !isLogLevel(args.logLevel)) {
      throw new BridgeError('invalid_input', '--log-level must be debug, info, warn or error');
    }
    bridge = await startBridge({
      port: args.port,
      host: args.host,
      tokenSha256: args.tokenSha256,
      members:
        args.membersFile === undefined
          ? []
          : parseMembersJson(readConfigFile(args.membersFile, 'members file'), args.membersFile),
      ...(args.approvedFile === undefined ? {} : { approvedFile: args.approvedFile }),
      mode: args.mode,
      allowCidr: args.allowCidr,
      allowGateway: args.allowGateway,
      trustedProxy: args.trustedProxy,
      allowOrigin: args.allowOrigin,
      roots: args.roots,
      ...(args.tlsCert === undefined || args.tlsKey === undefined
        ? {}
        : { tls: { certFile: args.tlsCert, keyFile: args.tlsKey } }),
      env:
        args.envFile === undefined
          ? {}
          : parseEnvFile(readConfigFile(args.envFile, 'env file'), args.envFile),
      command: args.command,
      args: args.args,
      limits: { ...args.fairShare },
      ...(args.logLevel !== undefined && isLogLevel(args.logLevel) ? { logLevel: args.logLevel } : {}),
    });
  } catch (err) {
    const message = err instanceof BridgeError ? err.message : describeError(err);
    process.stderr.write(`mcp-fleet-bridge: ${message.replace(/\s+/g, ' ')}\n`);
    process.exitCode = err instanceof BridgeError ? 2 : 1;
    return;
  }
  const stop = (): void => {
    void bridge.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // With --approved, SIGHUP reads the approved set again; without it, SIGHUP stays the default.
  const reload = bridge.reloadApproved;
  if (reload !== undefined) process.on('SIGHUP', () => void reload());
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

// Run directly (the bundled out/bridge/bridge.mjs in the runtime image), start; imported by the bin
// shim or a test, wait to be called.
if (isEntryPoint()) void runCli(process.argv.slice(2));
