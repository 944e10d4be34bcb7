/**
 * Fixed instance specs for the export tests: a Shared server with a state volume and a Dedicated one
 * with two members, with or without a reach. Tokens and names are fixed, so an export of these specs
 * is the same text on every run; testdata/empty-reach/ holds each format's text from before exports
 * rendered a reach, which an empty reach must still give byte for byte.
 */
import type { ServerReach } from '../../shared/server-mounts';
import { buildInstanceSpec } from '../instance-spec/instance-spec';
import { containerName, instanceConfigDir } from '../instance-spec/names';
import type { InstanceSpec } from '../instance-spec/types';
import type { MemberRecord, ServerRecord } from '../store/types';
import { memberRecord, serverRecord } from '../../test-support/records';
import { renderCompose } from './compose';
import { renderDockerRunScript } from './docker-run-script';
import { renderK8s } from './k8s';
import { renderSwarm } from './swarm';

export const FIXTURE_IMAGE = 'mcp-fleet/runtime:0123456789abcdef';
export const FIXTURE_HOME = '/home/op';

const members = (server: string): MemberRecord[] => [
  { ...memberRecord('alice', ['*'], `${server}-token-of-alice-0123456789abcdef`), serverId: server },
  {
    ...memberRecord('bob', ['read_graph', 'search_*'], `${server}-token-of-bob-0123456789abcdef`),
    serverId: server,
  },
];

function specsOf(record: ServerRecord, port: number, reach: ServerReach): InstanceSpec[] {
  const all = members(record.id);
  const targets: (MemberRecord | null)[] = record.mode === 'shared' ? [null] : all;
  return targets.map((member, index) => {
    const name = containerName(record.name, member?.name ?? null);
    return buildInstanceSpec({
      server: { ...record, reach },
      members: member === null ? all : [member],
      image: FIXTURE_IMAGE,
      port: port + index,
      publishAddress: '',
      configDir: instanceConfigDir(FIXTURE_HOME, name),
      allowCidrs: record.mode === 'shared' ? ['10.0.0.0/8'] : [],
      tls: null,
    });
  });
}

/** "memory": Shared, a state volume, a plain and a secret env value, members alice and bob. */
export function sharedSpecs(reach: ServerReach): InstanceSpec[] {
  const record = serverRecord({
    id: 'memory',
    name: 'memory',
    env: [
      { key: 'LOG', value: 'info', secret: false },
      { key: 'GITHUB_TOKEN', value: 'ghp_fixture', secret: true },
    ],
    mode: 'shared',
    port: 18100,
  });
  return specsOf(record, 18100, reach);
}

/** "Every.thing_": Dedicated, one instance per member (alice, bob), no state volume. */
export function dedicatedSpecs(reach: ServerReach): InstanceSpec[] {
  const record = serverRecord({
    id: 'everything',
    name: 'Every.thing_',
    sourceValue: '@modelcontextprotocol/server-everything@2026.8.31',
    mode: 'dedicated',
    port: null,
  });
  return specsOf(record, 18200, reach);
}

/** Every export format of both servers, by reference and inline, named as the files in testdata/empty-reach/. */
export function renderAllFormats(reach: ServerReach): { file: string; content: string }[] {
  const out: { file: string; content: string }[] = [];
  for (const [server, specs] of [
    ['memory', sharedSpecs(reach)],
    ['everything', dedicatedSpecs(reach)],
  ] as const) {
    for (const inlineSecrets of [false, true]) {
      const base = `${server}${inlineSecrets ? '-inline' : ''}`;
      const title = `server ${server} (fixture)`;
      out.push(
        {
          file: `${base}-docker-run.sh`,
          content: renderDockerRunScript({ specs, build: null, inlineSecrets, title }),
        },
        { file: `${base}-compose.yaml`, content: renderCompose({ specs, inlineSecrets, title }) },
        { file: `${base}-stack.yaml`, content: renderSwarm({ specs, inlineSecrets, title }) },
        {
          file: `${base}-k8s.yaml`,
          content: renderK8s({
            specs,
            allowCidrs: server === 'memory' ? ['10.0.0.0/8'] : [],
            inlineSecrets,
            title,
            ...(inlineSecrets ? { namespace: 'mcp' } : {}),
          }),
        },
      );
    }
  }
  return out;
}
