// The bridge's Shared-mode settings in the instance spec, read back by the bridge's own parsers
// (src-bridge/cli-args.ts, members.ts, config.ts) and found in every export rendered from the spec.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { parseCliArgs } from '../../../src-bridge/ops/cli-args';
import { resolveConfig } from '../../../src-bridge/ops/config';
import { parseMembersJson } from '../../../src-bridge/access/members';
import { FleetError } from '../../shared/errors';
import { parseMembersFile } from '../../shared/members-file';
import { renderCompose } from '../export/compose';
import { renderDockerRunScript } from '../export/docker-run-script';
import { renderK8s } from '../export/k8s';
import { renderSwarm } from '../export/swarm';
import { memberRecord, serverRecord } from '../../test-support/records';
import { buildInstanceSpec, type InstanceSpecInput } from './instance-spec';

const IMAGE = 'mcp-fleet/runtime:0123456789abcdef';
// Fixed tokens: the hashes below were computed with the code before these settings existed.
const alice = memberRecord('alice', ['*'], 'token-alice-fixed');
const bob = memberRecord('bob', ['read_graph'], 'token-bob-fixed');
const HASH_BEFORE = {
  shared: '88227afc58ae15cc4bb18e0bcdab2a27e0dc95c9024480ef55ed9de6566339ed',
  dedicated: 'ab3c85723e6dc7db44499292a07f40cbe41e527030578ff8537908b9629b758c',
};

function shared(overrides: Partial<InstanceSpecInput> = {}): InstanceSpecInput {
  return {
    server: serverRecord(),
    members: [alice, bob],
    image: IMAGE,
    port: 18080,
    configDir: '/home/ops/.mcp-fleet/instances/mcp-fleet-memory',
    allowCidrs: ['10.0.0.0/8'],
    ...overrides,
  };
}

function dedicated(overrides: Partial<InstanceSpecInput> = {}): InstanceSpecInput {
  return {
    server: serverRecord({ mode: 'dedicated' }),
    members: [alice],
    image: IMAGE,
    port: 18081,
    configDir: '/home/ops/.mcp-fleet/instances/x',
    ...overrides,
  };
}

const roots = [{ uri: 'file:///srv/data' }, { uri: 'file:///srv/my%20docs', name: 'Shared docs' }];
const bridgeLimits = {
  memberSessions: 8,
  memberInflight: 4,
  memberRps: 2.5,
  maxConnections: 300,
  maxConnectionsPerSource: 40,
};

function bridgeArgs(cmd: readonly string[]) {
  const parsed = parseCliArgs(cmd);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') throw new Error('unreachable');
  return parsed.args;
}

void describe('the bridge settings in the instance spec', () => {
  void it('leave a server without them exactly as it was: same argv, members file and config hash', () => {
    const before = buildInstanceSpec(shared());
    assert.equal(before.configHash, HASH_BEFORE.shared);
    assert.equal(
      before.files.members.content,
      `[{"name":"alice","tokenSha256":"${alice.tokenSha256}","tools":["*"]},` +
        `{"name":"bob","tokenSha256":"${bob.tokenSha256}","tools":["read_graph"]}]\n`,
    );
    assert.equal(buildInstanceSpec(dedicated()).configHash, HASH_BEFORE.dedicated);
    const words = before.container.cmd.join(' ');
    assert.doesNotMatch(words, /--root|--member-|--max-connections/);
  });

  void it('pass roots and caps as bridge flags that the bridge reads back, and change the hash', () => {
    const spec = buildInstanceSpec(shared({ server: serverRecord({ roots, bridgeLimits }) }));
    const args = bridgeArgs(spec.container.cmd);
    assert.deepEqual(args.roots, roots);
    assert.deepEqual(args.fairShare, bridgeLimits);
    assert.equal(args.command, 'npx', 'the flags come before the server command');
    assert.notEqual(spec.configHash, HASH_BEFORE.shared);
    // The bridge's own config check (mode, roots, caps together) accepts what it would be started with.
    const config = resolveConfig({
      port: 0,
      members: parseMembersJson(spec.files.members.content, 'members'),
      mode: args.mode,
      roots: args.roots,
      command: args.command,
      limits: { ...args.fairShare },
    });
    assert.deepEqual(config.roots, roots);
    assert.equal(config.limits.maxConnectionsPerSource, 40);
    assert.equal(config.limits.memberRps, 2.5);

    // One cap alone renders only its own flag.
    const one = buildInstanceSpec(shared({ server: serverRecord({ bridgeLimits: { memberRps: 0.5 } }) }));
    assert.deepEqual(bridgeArgs(one.container.cmd).fairShare, { memberRps: 0.5 });
    assert.deepEqual(bridgeArgs(one.container.cmd).roots, []);
  });

  void it("write a member's own limits into the members file, and only that member's", () => {
    const batch = { ...bob, limits: { sessions: 2, inflight: 1, rps: 0.25 } };
    const spec = buildInstanceSpec(shared({ members: [alice, batch] }));
    const members = parseMembersJson(spec.files.members.content, 'members');
    assert.deepEqual(
      members.map((m) => [m.name, m.limits]),
      [
        ['alice', undefined],
        ['bob', { sessions: 2, inflight: 1, rps: 0.25 }],
      ],
    );
    assert.notEqual(spec.configHash, HASH_BEFORE.shared);
    // Dedicated: the one member's limits, beside caps the bridge takes in that mode too.
    const ded = buildInstanceSpec(
      dedicated({
        server: serverRecord({ mode: 'dedicated', bridgeLimits: { memberSessions: 3 } }),
        members: [{ ...alice, limits: { rps: 7 } }],
      }),
    );
    assert.deepEqual(parseMembersJson(ded.files.members.content, 'members')[0]?.limits, { rps: 7 });
    const args = bridgeArgs(ded.container.cmd);
    assert.deepEqual([args.mode, args.fairShare], ['dedicated', { memberSessions: 3 }]);
  });

  void it("write a member's own resources and prompts, and only when they are not all", () => {
    const reader = { ...bob, tools: [], resources: ['file:///docs/*', 'memo://team'], prompts: [] };
    const spec = buildInstanceSpec(shared({ members: [alice, reader] }));
    assert.equal(
      spec.files.members.content,
      `[{"name":"alice","tokenSha256":"${alice.tokenSha256}","tools":["*"]},` +
        `{"name":"bob","tokenSha256":"${bob.tokenSha256}","tools":[],` +
        `"resources":["file:///docs/*","memo://team"],"prompts":[]}]\n`,
    );
    assert.notEqual(spec.configHash, HASH_BEFORE.shared);
    // Both readers take it: the shared rule the app writes with, and the bridge's own parser.
    assert.deepEqual(
      parseMembersFile(spec.files.members.content, 'members').map((m) => [m.name, m.resources, m.prompts]),
      [
        ['alice', undefined, undefined],
        ['bob', ['file:///docs/*', 'memo://team'], []],
      ],
    );
    assert.deepEqual(
      parseMembersJson(spec.files.members.content, 'members').map((m) => m.name),
      ['alice', 'bob'],
    );
    // Allowed all again: the file and the hash are what they were before these settings existed.
    const back = buildInstanceSpec(
      shared({ members: [alice, { ...reader, tools: ['read_graph'], resources: ['*'], prompts: ['*'] }] }),
    );
    assert.equal(back.configHash, HASH_BEFORE.shared);
  });

  void it('refuse roots on a Dedicated server rather than render a bridge that exits 2', () => {
    assert.throws(
      () => buildInstanceSpec(dedicated({ server: serverRecord({ mode: 'dedicated', roots }) })),
      (err) =>
        err instanceof FleetError && err.code === 'invalid_input' && /Shared servers only/.test(err.message),
    );
  });

  void it('reach every container export rendered from the spec', () => {
    const spec = buildInstanceSpec(shared({ server: serverRecord({ roots, bridgeLimits }) }));
    const want = bridgeArgs(spec.container.cmd);
    const title = 'server memory (shared)';
    const check = (cmd: unknown, format: string) => {
      assert.ok(Array.isArray(cmd), `${format}: no command list`);
      const got = bridgeArgs(cmd as string[]);
      assert.deepEqual([got.roots, got.fairShare], [want.roots, want.fairShare], format);
    };

    const compose = parse(renderCompose({ specs: [spec], inlineSecrets: false, title })) as {
      services: Record<string, { command?: unknown }>;
    };
    check(compose.services['mcp-fleet-memory']?.command, 'compose');

    const swarm = parse(renderSwarm({ specs: [spec], inlineSecrets: false, title })) as {
      services: Record<string, { command?: unknown }>;
    };
    check(Object.values(swarm.services)[0]?.command, 'swarm');

    const k8s = parseAllDocuments(
      renderK8s({ specs: [spec], allowCidrs: ['10.0.0.0/8'], inlineSecrets: false, title }),
    ).map((d) => d.toJS() as { kind?: string; spec?: unknown });
    const workload = k8s.find((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet') as
      { spec: { template: { spec: { containers: { args?: unknown }[] } } } } | undefined;
    check(workload?.spec.template.spec.containers[0]?.args, 'k8s');

    const script = renderDockerRunScript({ specs: [spec], build: null, inlineSecrets: false, title });
    for (const word of [
      '--root',
      'file:///srv/my%20docs=Shared docs',
      '--member-rps',
      '--max-connections-per-source',
    ])
      assert.ok(script.includes(word), `docker-run: ${word}`);
  });
});
