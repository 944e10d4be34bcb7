/**
 * Web mode and its browser inside one namespace of a topology (e2e/fixtures/topology.ts), as they are
 * on an operator's own machine: `mcp-fleet serve` listens on 127.0.0.1 of that namespace only, so
 * Chromium runs there too, through a wrapper script around `ip netns exec`. Playwright drives the
 * browser over a pipe (inherited file descriptors), which passes through `ip netns exec` unchanged.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { IP } from '../../fixtures/topology-slots';
import type { Namespace } from '../../fixtures/topology';

const BIN = resolve(import.meta.dirname, '../../..', 'bin', 'mcp-fleet.mjs');
/** tsx compiles the CLI on start: seconds, more on a busy machine. */
const START_MS = 90_000;

export interface NamespacedServe {
  /** http://127.0.0.1:PORT/ inside the namespace. */
  url: string;
  /** As printed, with `#token=…`. */
  loginUrl: string;
  /** What it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after 10 s; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `mcp-fleet --home HOME serve --port 0` inside `ns` and resolves once it printed its URL. */
export async function startServeIn(
  ns: Namespace,
  home: string,
  env: NodeJS.ProcessEnv,
): Promise<NamespacedServe> {
  const child = ns.spawn(process.execPath, [BIN, '--home', home, 'serve', '--port', '0'], { env });
  let output = '';
  // Read both streams to the end, or a chatty server would block on a full pipe.
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const stop = () => stopChild(child);
  try {
    const loginUrl = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mcp-fleet serve printed no URL within ${START_MS} ms: ${output.trim()}`)),
        START_MS,
      );
      const onData = (): void => {
        const match = /^MCP Fleet web mode: (\S+)$/m.exec(output);
        if (!match?.[1]) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolveUrl(match[1]);
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mcp-fleet serve exited with ${code}: ${output.trim()}`));
      });
    });
    return { url: `${new URL(loginUrl).origin}/`, loginUrl, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(late);
}

/**
 * Launches Debian's Chromium inside `ns`: writes `DIR/chromium-in-<ns>` (a two-line wrapper) and
 * gives it to Playwright as the executable. The caller closes the browser.
 */
export async function launchChromiumIn(ns: Namespace, dir: string): Promise<Browser> {
  if (!IP) throw new Error('no `ip` command (apt-get install iproute2)');
  const browserPath = process.env['FLEET_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
  const wrapper = join(dir, `chromium-in-${ns.role}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ${IP} netns exec ${ns.name} ${browserPath} "$@"\n`, {
    mode: 0o755,
  });
  return chromium.launch({
    executablePath: wrapper,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
