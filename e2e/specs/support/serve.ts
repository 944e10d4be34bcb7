/**
 * `mcp-fleet serve` as a subprocess on a data directory the spec owns, so a spec can restart it on the
 * same store, start it without a passphrase (locked, as an operator on a jump box does), or give it the
 * offline deploy settings of the testbed. Stopped with its whole process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../../..');

export interface Served {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** As printed, with `#token=…`. */
  loginUrl: string;
  token: string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** MCP_FLEET_PASSPHRASE; without it the store starts locked. */
  passphrase?: string;
  /** Extra environment (deploy settings). */
  env?: NodeJS.ProcessEnv;
}

/** A fresh data directory; `removeHome` deletes it. */
export function freshHome(): string {
  return join(mkdtempSync(join(tmpdir(), 'mcp-fleet-e2e-')), 'home');
}

export function removeHome(home: string): void {
  rmSync(join(home, '..'), { recursive: true, force: true });
}

export async function startServe(home: string, options: ServeOptions = {}): Promise<Served> {
  const env = { ...process.env, ...options.env };
  delete env['MCP_FLEET_PASSPHRASE'];
  if (options.passphrase !== undefined) env['MCP_FLEET_PASSPHRASE'] = options.passphrase;
  // Its own process group, so stopping it also stops the node process npx starts.
  const child = spawn('npx', ['--no-install', 'mcp-fleet', '--home', home, 'serve', '--port', '0'], {
    cwd: repo,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const loginUrl = await new Promise<string>((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^MCP Fleet web mode: (\S+)$/m.exec(stdout);
      if (match?.[1]) resolvePromise(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`mcp-fleet serve exited with ${code}: ${stderr.trim()}`)));
  });
  const parsed = new URL(loginUrl);
  return {
    url: `${parsed.origin}/`,
    loginUrl,
    token: decodeURIComponent(parsed.hash.replace(/^#token=/, '')),
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}
