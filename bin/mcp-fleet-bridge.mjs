#!/usr/bin/env node
// Runs the MCP Fleet bridge: the bundled build when there is one, else the TypeScript source via tsx.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundled = new URL('../out/bridge/bridge.mjs', import.meta.url);
let bridge;
if (existsSync(fileURLToPath(bundled))) {
  bridge = await import(bundled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  bridge = await import('../src-bridge/main.ts');
}

/** Programmatic entry: `const { port, close } = await startBridge({ port: 0, tokenSha256: [hex], command, args })`. */
export const startBridge = bridge.startBridge;

function isMain() {
  try {
    return pathToFileURL(realpathSync(process.argv[1] ?? '')).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) await bridge.runCli(process.argv.slice(2));
