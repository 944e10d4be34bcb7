// The official MCP conformance suite (@modelcontextprotocol/conformance) against the bridge in front
// of a stdio server of the initialize era, for the 2025-11-25 revision (sessions) and the 2026-07-28
// revision (stateless, input_required). The suite cannot send Authorization, so a header-adding proxy
// sits in front of the bridge. Every scenario the revision requires must pass; the others may fail
// only as conformance-expected-failures.txt lists, each with its reason.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { fixtureCommand, sha256, startAuthProxy, startTestBridge, type TestBridge } from './test-helpers';

const require = createRequire(import.meta.url);
const suiteRoot = path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json'));
const TOKEN = 'conformance-suite-token-0123456789';
const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
const RUN_LIMIT_MS = 120_000;

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** The expected-failures file: revision → "scenario" or "scenario:check" → reason. */
async function expectedFailures(): Promise<Map<string, Map<string, string>>> {
  const text = await readFile(new URL('./conformance-expected-failures.txt', import.meta.url), 'utf8');
  const byRevision = new Map<string, Map<string, string>>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = /^(\S+) (\S+) -- (.+)$/.exec(line) ?? [];
    const [, revision = '', entry = '', reason = ''] = match;
    assert.ok(reason.trim(), `expected-failures line without a reason: ${line}`);
    if (!byRevision.has(revision)) byRevision.set(revision, new Map());
    byRevision.get(revision)?.set(entry, reason);
  }
  return byRevision;
}

/** Runs the suite's server scenarios for one revision; resolves to its exit code and checks by scenario. */
async function runSuite(
  url: string,
  revision: string,
): Promise<{ code: number; output: string; checks: Map<string, Check[]> }> {
  const outDir = await mkdtemp(path.join(tmpdir(), `conformance-${revision}-`));
  try {
    const child = spawn(
      process.execPath,
      [
        path.join(suiteRoot, 'dist', 'index.js'),
        'server',
        '--url',
        url,
        '--requirements',
        revision,
        '-o',
        outDir,
      ],
      { cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
    clearTimeout(timer);
    const checks = new Map<string, Check[]>();
    for (const dir of await readdir(outDir)) {
      const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(dir)?.[1];
      if (!scenario) continue;
      checks.set(
        scenario,
        JSON.parse(await readFile(path.join(outDir, dir, 'checks.json'), 'utf8')) as Check[],
      );
    }
    return { code, output, checks };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

describe('official conformance suite against the bridge', () => {
  let bridge: TestBridge | undefined;
  let proxy: Awaited<ReturnType<typeof startAuthProxy>>;
  before(async () => {
    proxy = await startAuthProxy(() => bridge?.port ?? 0, TOKEN);
    bridge = await startTestBridge({
      ...fixtureCommand(),
      tokenSha256: [sha256(TOKEN)],
      // The suite is one client, as a Dedicated bridge serves: it expects its own roots and log
      // lines, which a Shared bridge never takes from or gives to a client (shared-isolation.test.ts).
      mode: 'dedicated',
      // The suite's DNS-rebinding check sends the proxy's own origin and expects it to be accepted.
      allowOrigin: [`http://localhost:${proxy.port}`],
      // The suite is one member opening a session per scenario and sending bursts: it tests the protocol,
      // not the fair-share caps (fair-share.test.ts does), which it would otherwise run into (429).
      limits: { memberSessions: 10_000, memberInflight: 10_000, memberRps: 1_000_000 },
    });
  });
  after(async () => {
    await proxy.close();
    await bridge?.close();
  });

  for (const revision of REVISIONS) {
    it(`passes every scenario ${revision} requires, and fails only what is expected`, async () => {
      const expected = (await expectedFailures()).get(revision) ?? new Map<string, string>();
      const requirements = parse(
        await readFile(path.join(suiteRoot, 'requirements', `${revision}.yaml`), 'utf8'),
      ) as { server: string[] };
      const run = await runSuite(`http://localhost:${proxy.port}/mcp`, revision);
      assert.equal(run.code, 0, `the suite failed for ${revision}:\n${run.output.slice(-4000)}`);
      for (const scenario of requirements.server) {
        const checks = run.checks.get(scenario);
        assert.ok(checks, `${revision}: required scenario ${scenario} did not run`);
        assert.ok(
          !checks.some((c) => c.status === 'FAILURE' || c.status === 'WARNING'),
          `${revision}: ${scenario}`,
        );
      }
      const failing: string[] = [];
      for (const [scenario, checks] of run.checks) {
        for (const check of checks) {
          if (check.status !== 'FAILURE' && check.status !== 'WARNING') continue;
          if (expected.has(scenario) || expected.has(`${scenario}:${check.id}`)) continue;
          failing.push(`${scenario}:${check.id} ${check.errorMessage ?? ''}`);
        }
      }
      assert.deepEqual(failing, [], `${revision}: unexpected failures`);
      const stale = [...expected.keys()].filter((entry) => {
        const [scenario = '', checkId] = entry.split(':');
        const checks = run.checks.get(scenario) ?? [];
        return !checks.some(
          (c) =>
            (checkId === undefined || c.id === checkId) && (c.status === 'FAILURE' || c.status === 'WARNING'),
        );
      });
      assert.deepEqual(stale, [], `${revision}: expected failures that now pass (remove them)`);
    });
  }
});
