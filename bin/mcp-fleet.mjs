#!/usr/bin/env node
// Runs the CLI from its TypeScript source through tsx in a checkout; needs Node 22 (npm scripts and npx
// put it first on PATH through the per-platform node-* optionalDependencies).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `mcp-fleet: needs Node 22 or newer (this is ${process.version}); run it as \`npx mcp-fleet\`\n`,
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
