// The main process as packed: every module specifier of out/main/*.js must resolve inside the
// packed app (so a package missing from "dependencies" shows here, not on an operator's machine),
// and out/main/index.js must load. Runs in a child Node process on the extracted archive, with
// `electron` resolved to a stand-in: the Electron binary cannot run here, so the stand-in is the
// mock at that boundary. It loads main, it does not run it (app.whenReady() never settles).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Parser } from 'acorn';

const BUILTINS = new Set(builtinModules);

/** Literal module specifiers in an ES module, and the names it imports from `electron`. */
export function scanModule(source) {
  const specifiers = new Set();
  const electronNames = new Set();
  let dynamic = 0;
  const literal = (node) =>
    node?.type === 'Literal' && typeof node.value === 'string'
      ? node.value
      : node?.type === 'TemplateLiteral' && node.expressions.length === 0
        ? node.quasis[0].value.cooked
        : null;
  const visit = (node) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node.type !== 'string') return;
    switch (node.type) {
      case 'ImportDeclaration':
        specifiers.add(node.source.value);
        if (node.source.value === 'electron') {
          for (const s of node.specifiers) {
            if (s.type === 'ImportSpecifier') electronNames.add(s.imported.name ?? s.imported.value);
            else if (s.type === 'ImportDefaultSpecifier') electronNames.add('default');
            else throw new Error('out/main imports electron as a namespace; the check needs named imports');
          }
        }
        break;
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        if (node.source) specifiers.add(node.source.value);
        break;
      case 'ImportExpression': {
        const spec = literal(node.source);
        if (spec === null) dynamic += 1;
        else specifiers.add(spec);
        break;
      }
      case 'CallExpression': {
        const spec =
          node.callee.type === 'Identifier' && node.callee.name === 'require'
            ? literal(node.arguments[0])
            : null;
        if (spec !== null) specifiers.add(spec);
        break;
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'type') visit(value);
  };
  visit(Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'module' }));
  return { specifiers, electronNames, dynamic };
}

/** Whether a specifier names a package (not a file, URL or Node built-in). */
export function isBare(spec) {
  return !/^(\.|\/|[a-z]+:)/i.test(spec) && !BUILTINS.has(spec) && spec !== 'electron';
}

/** The electron stand-in module: the names main imports, re-exported from electron-stand-in.mjs. */
function stubSource(names) {
  const base = pathToFileURL(path.join(import.meta.dirname, 'electron-stand-in.mjs')).href;
  const lines = [`import { app, inert } from ${JSON.stringify(base)};`];
  for (const name of [...names].sort()) {
    if (name === 'app') lines.push('export { app };');
    else if (name === 'default') lines.push('export default { app };');
    else lines.push(`export const ${name} = inert();`);
  }
  return `${lines.join('\n')}\n`;
}

/** Folders above `dir` whose node_modules Node could fall back to; the check must see none. */
function leakyAncestors(dir) {
  const found = [];
  for (let up = path.dirname(dir); up !== path.dirname(up); up = path.dirname(up)) {
    if (existsSync(path.join(up, 'node_modules'))) found.push(path.join(up, 'node_modules'));
  }
  return found;
}

/** Runs load-main.mjs in a child Node; resolves to { code, killed, output }. */
function runLoader(runner, argument, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runner, argument], { cwd, env });
    let output = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, output });
    });
  });
}

/** Checks the main process in the extracted app at `appDir`. Resolves to { problems, stats }. */
export async function checkMainImports({ appDir, scratch, timeoutMs = 60_000 }) {
  const mainDir = path.join(appDir, 'out', 'main');
  const problems = leakyAncestors(appDir).map(
    (p) => `${p} exists, so imports could resolve outside the package`,
  );
  const specifiers = new Set();
  const electronNames = new Set();
  let dynamic = 0;
  for (const file of readdirSync(mainDir).filter((f) => /\.[cm]?js$/.test(f))) {
    const scan = scanModule(readFileSync(path.join(mainDir, file), 'utf8'));
    scan.specifiers.forEach((s) => specifiers.add(s));
    scan.electronNames.forEach((n) => electronNames.add(n));
    dynamic += scan.dynamic;
  }
  const bare = [...specifiers].filter(isBare).sort();
  const stub = path.join(scratch, 'electron-stub.mjs');
  writeFileSync(stub, stubSource(electronNames));
  const runner = path.join(mainDir, '.package-check-load.mjs');
  copyFileSync(path.join(import.meta.dirname, 'load-main.mjs'), runner);
  const hooks = pathToFileURL(path.join(import.meta.dirname, 'electron-stub-hooks.mjs')).href;
  const env = { ...process.env, MCP_FLEET_HOME: path.join(scratch, 'home') };
  // NODE_PATH would let CommonJS dependencies find modules outside the package.
  delete env.NODE_PATH;
  const argument = JSON.stringify([hooks, pathToFileURL(stub).href, bare]);
  const { code, killed, output } = await runLoader(runner, argument, { cwd: scratch, env, timeoutMs });
  const marker = output.lastIndexOf('\n@@result ');
  if (code !== 0 || marker === -1) {
    const why = killed ? `stopped after ${timeoutMs / 1000}s` : `exit ${code}`;
    problems.push(`loading out/main/index.js did not finish (${why}):\n${output.trim()}`);
  } else {
    const { unresolved, loadError } = JSON.parse(output.slice(marker + '\n@@result '.length));
    for (const { specifier, code: why } of unresolved) {
      problems.push(`out/main imports "${specifier}", which does not resolve in the package (${why})`);
    }
    if (loadError !== null) problems.push(`out/main/index.js does not load: ${loadError}`);
  }
  return { problems, stats: { packages: bare, electronNames: [...electronNames].sort(), dynamic } };
}
