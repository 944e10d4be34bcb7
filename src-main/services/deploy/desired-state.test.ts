import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { LABELS } from '../instance-spec/constants';
import { memberRecord, serverRecord } from '../../test-support/records';
import { plannedInstances, type MemberWithState } from './desired-state';

const noState = { env: [], port: null, previousTokenSha256: null };

function plan(members: MemberWithState[], mode: 'shared' | 'dedicated' = 'shared') {
  return plannedInstances({
    server: serverRecord({ mode, env: [{ key: 'API', value: 'server-secret', secret: true }] }),
    members,
    image: { tag: 'mcp-fleet/runtime:0123456789abcdef' },
    home: '/home/ops',
    portOf: (id) => (id === null ? 18080 : 18081 + members.findIndex((m) => m.record.id === id)),
    options: {},
  });
}

void describe('plannedInstances', () => {
  void it('accepts both hashes of a member while its token rotates, and changes the config hash twice', () => {
    const alice = memberRecord('alice');
    const before = plan([{ record: alice, state: noState }])[0];
    const old = createHash('sha256').update('old-token').digest('hex');
    const during = plan([{ record: alice, state: { ...noState, previousTokenSha256: old } }])[0];
    assert.ok(before && during);
    const entries = JSON.parse(during.spec.files.members.content) as { tokenSha256: string[] }[];
    assert.deepEqual(entries[0]?.tokenSha256, [alice.tokenSha256, old]);
    assert.notEqual(during.configHash, before.configHash);
    assert.equal(during.spec.container.labels[LABELS.configHash], during.configHash);
    assert.equal(
      plan([{ record: alice, state: noState }])[0]?.configHash,
      before.configHash,
      'finishing goes back',
    );
  });

  void it('gives Dedicated members their own instance, token and values, and masks every secret', () => {
    const a = memberRecord('a');
    const b = memberRecord('b');
    const own = [{ key: 'PERSONAL', value: 'b-only-value', secret: true }];
    const [pa, pb] = plan(
      [
        { record: a, state: noState },
        { record: b, state: { ...noState, env: own } },
      ],
      'dedicated',
    );
    assert.ok(pa && pb);
    assert.deepEqual([pa.member, pa.token, pa.spec.port], ['a', a.token, 18081]);
    assert.ok(pb.spec.files.env.content.includes('b-only-value'));
    assert.ok(!pa.spec.files.env.content.includes('b-only-value'));
    assert.deepEqual(pb.secrets, ['server-secret', 'b-only-value']);
  });

  void it('tests a Shared instance with a member allowed every tool', () => {
    const reader = memberRecord('reader', ['read_*']);
    const admin = memberRecord('admin', ['*']);
    const [shared] = plan([
      { record: reader, state: noState },
      { record: admin, state: noState },
    ]);
    assert.equal(shared?.token, admin.token);
  });
});
