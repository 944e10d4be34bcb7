// Copied next to the extracted out/main/index.js by main-imports.mjs and run there, so that
// import.meta.resolve and import('./index.js') resolve exactly as the packed app does. Argument: JSON
// [hooks URL, electron stand-in URL, bare specifiers]. Prints one `@@result {...}` line.
import { register } from 'node:module';

const [hooksUrl, stubUrl, specifiers] = JSON.parse(process.argv[2] ?? '[]');
register(hooksUrl, { data: { stubUrl } });

const unresolved = [];
for (const specifier of specifiers) {
  try {
    import.meta.resolve(specifier);
  } catch (err) {
    unresolved.push({ specifier, code: err.code ?? err.message });
  }
}

let loadError = null;
try {
  await import('./index.js');
} catch (err) {
  // A missing module says all in its message; anything else gets the top of its stack.
  loadError =
    err?.code === 'ERR_MODULE_NOT_FOUND'
      ? err.message
      : String(err?.stack ?? err)
          .split('\n')
          .slice(0, 6)
          .join('\n');
}
process.stdout.write(`\n@@result ${JSON.stringify({ unresolved, loadError })}\n`);
// Main may have started timers or sockets while loading; the check is done.
process.exit(0);
