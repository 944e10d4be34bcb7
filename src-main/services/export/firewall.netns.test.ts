// The firewall export proven on a real network: an operator exports the rules for a server whose port
// dockerd publishes, applies the iptables part in the host's DOCKER-USER chain, and then the agent's
// subnet gets its HTTP answer while the outsider's connect times out (DROP). Real parts: network
// namespaces and veth pairs (e2e/fixtures/topology.ts), dockerd's DNAT, iptables, bash.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ensureLocalNodeBaseImage } from '../../../e2e/fixtures/base-image';
import { readTestbed } from '../../../e2e/fixtures/env';
import { createTopology, topologyOrSkip } from '../../../e2e/fixtures/topology';
import { type HttpContainer, httpGetFrom, startHttpContainer } from '../../../e2e/fixtures/topology-probes';
import { EventBus } from '../events';
import { ServerService } from '../server/server-service';
import type { Store } from '../store/store';
import { createTestStore } from '../../test-support/store';
import { ExportService } from './export-service';

const run = promisify(execFile);
type Tool = 'iptables' | 'ip6tables';

/** The DOCKER-USER chain as `iptables -S` prints it, or undefined where the tool has no such chain. */
async function chain(tool: Tool): Promise<string[] | undefined> {
  try {
    return (await run(tool, ['-S', 'DOCKER-USER'])).stdout.trim().split('\n');
  } catch {
    return undefined;
  }
}

/** What an operator does: a Shared server pinned to the port, one member, `export firewall --allow-cidr`. */
async function exportFirewall(store: Store, port: number, cidr: string): Promise<string> {
  new ServerService(store, new EventBus(), 'test').add({
    name: 'probe',
    source: { kind: 'npx', value: '@modelcontextprotocol/server-memory@2026.8.31' },
    mode: 'shared',
    port,
  });
  const server = store.servers.getByName('probe');
  assert.ok(server);
  const token = randomBytes(32).toString('base64url');
  const tokenSha256 = createHash('sha256').update(token).digest('hex');
  store.members.insert({ serverId: server.id, name: 'agent', token, tokenSha256, tools: ['*'] });
  const refuse = (what: string) => () =>
    Promise.reject(new Error(`the firewall export must not need ${what}`));
  const exports = new ExportService({
    store,
    runtimeImage: refuse('the runtime image'),
    inspectSourceImage: refuse('the source image'),
    tlsFor: refuse('TLS material'),
    actor: 'firewall.netns.test',
  });
  const result = await exports.render({ server: 'probe', format: 'firewall', allowCidrs: [cidr] });
  assert.equal(result.filename, 'probe-firewall.sh');
  return result.content;
}

/** The rules for `port` in the chain now that were not there before, in chain order. */
function added(before: readonly string[], now: readonly string[], port: number): string[] {
  const left = [...before];
  return now.filter((rule) => {
    const at = left.indexOf(rule);
    if (at >= 0) left.splice(at, 1);
    return at < 0 && rule.includes(` --ctorigdstport ${port} `);
  });
}

/** iptables -D of each rule for `port` added since `before`; only those, so other rules stay. */
async function removeAdded(before: ReadonlyMap<Tool, string[]>, port: number): Promise<void> {
  for (const [tool, rules] of before) {
    for (const rule of added(rules, (await chain(tool)) ?? [], port)) {
      await run(tool, ['-D', ...rule.split(' ').slice(1)]);
    }
  }
}

void describe('firewall export on a real network (namespaces, dockerd, iptables)', () => {
  void test("admits the agent's subnet to the published port and drops the outsider", async (t) => {
    if (!topologyOrSkip(t)) return;
    if (!readTestbed()?.docker) return t.skip('the testbed has no Docker engine');
    const before = new Map<Tool, string[]>();
    for (const tool of ['iptables', 'ip6tables'] as const) {
      const rules = await chain(tool);
      if (rules) before.set(tool, rules);
    }
    if (!before.has('iptables'))
      return t.skip('no iptables DOCKER-USER chain here (dockerd without iptables)');
    await ensureLocalNodeBaseImage();
    const topo = await createTopology();
    const store = await createTestStore();
    let web: HttpContainer | undefined;
    try {
      web = await startHttpContainer(topo.hostAddress);
      const { port, marker } = web;
      const answer = (ns: { address: string }) => ({
        kind: 'answer',
        status: 200,
        body: `${marker} ${ns.address}`,
      });
      // Open to both before the rules: whatever the outsider meets later is the rules' doing.
      assert.deepEqual(
        await httpGetFrom(topo.agent, topo.hostAddress, port, { retryUntilMs: 30_000 }),
        answer(topo.agent),
      );
      assert.deepEqual(await httpGetFrom(topo.outsider, topo.hostAddress, port), answer(topo.outsider));

      const script = await exportFirewall(store.store, port, topo.agent.cidr);
      try {
        // As the operator runs it: the whole script, twice (the same rules, in the same order).
        const file = path.join(tmpdir(), `fleet-firewall-${port}.sh`);
        writeFileSync(file, script, { mode: 0o600 });
        try {
          await run('sh', [file, 'iptables']);
          await run('sh', [file, 'iptables']);
        } finally {
          rmSync(file, { force: true });
        }
        const match = `-p tcp -m conntrack --ctorigdstport ${port} --ctdir ORIGINAL`;
        assert.deepEqual(added(before.get('iptables') ?? [], (await chain('iptables')) ?? [], port), [
          `-A DOCKER-USER -s ${topo.agent.cidr} ${match} -j RETURN`,
          `-A DOCKER-USER ${match} -j DROP`,
        ]);

        assert.deepEqual(await httpGetFrom(topo.agent, topo.hostAddress, port), answer(topo.agent));
        const outsider = await httpGetFrom(topo.outsider, topo.hostAddress, port, {
          connectTimeoutMs: 2_000,
        });
        assert.equal(
          outsider.kind,
          'timeout',
          `the outsider should meet a DROP, got ${JSON.stringify(outsider)}`,
        );
      } finally {
        await removeAdded(before, port);
      }
      for (const [tool, rules] of before)
        assert.deepEqual(await chain(tool), rules, `${tool} DOCKER-USER is restored`);
      assert.deepEqual(await httpGetFrom(topo.outsider, topo.hostAddress, port), answer(topo.outsider));
    } finally {
      await web?.stop();
      store.cleanup();
      await topo.dispose();
    }
  });
});
