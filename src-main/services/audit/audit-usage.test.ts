// Unit, real part: an encrypted SQLite store. `audit:usage` counts calls and errors per member and UTC
// day in SQL, honours the server, member and tool filters, and refuses a window over 90 days back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import type { HostAccess } from '../bridge-client/host-access';
import type { AuditCallRow } from '../store/audit-calls-repository';
import { createTestStore, type TestStore } from '../../test-support/store';
import { AuditCollector } from './audit-collector';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');

function row(
  at: string,
  member: string | null,
  outcome: string,
  server = 'notes',
  target = 'read',
): AuditCallRow {
  return {
    at,
    server,
    instance: `mcp-fleet-${server}`,
    member,
    session: null,
    method: 'tools/call',
    target,
    outcome,
    ms: 1,
    correlationId: null,
  };
}

void describe('audit usage', () => {
  let t: TestStore;
  let collector: AuditCollector;
  before(async () => {
    t = await createTestStore();
    collector = new AuditCollector({ store: t.store, access: {} as HostAccess, clock: () => NOW });
    const rows = [
      row('2026-03-10T11:00:00.000Z', 'alice', 'ok'),
      row('2026-03-10T00:00:00.000Z', 'alice', 'error', 'notes', 'write'),
      row('2026-03-09T23:59:59.999Z', 'alice', 'ok'),
      row('2026-03-10T10:00:00.000Z', 'bob', 'denied', 'files', 'read_file'),
      row('2026-03-10T10:00:01.000Z', 'bob', 'ok', 'files', 'read_file'),
      row('2026-03-08T10:00:00.000Z', null, 'ok'),
      row('2026-01-01T10:00:00.000Z', 'alice', 'ok'),
    ];
    const to = { containerId: 'c1', instance: 'mcp-fleet-notes', lastTs: 'x', sameTsCount: 1 };
    assert.equal(t.store.auditCalls.append(null, to, rows, new Date(NOW).toISOString()), true);
  });
  after(() => t.cleanup());

  void it('counts calls and errors per member and UTC day, oldest day first', () => {
    assert.deepEqual(collector.usage({ since: '2026-03-01T00:00:00Z' }), [
      { day: '2026-03-08', member: null, calls: 1, errors: 0 },
      { day: '2026-03-09', member: 'alice', calls: 1, errors: 0 },
      { day: '2026-03-10', member: 'alice', calls: 2, errors: 1 },
      { day: '2026-03-10', member: 'bob', calls: 2, errors: 1 },
    ]);
  });

  void it('filters by server and member, and by since', () => {
    assert.deepEqual(collector.usage({ since: '2026-03-01T00:00:00Z', server: 'files' }), [
      { day: '2026-03-10', member: 'bob', calls: 2, errors: 1 },
    ]);
    assert.deepEqual(
      collector.usage({ since: '2026-03-10T00:00:00Z', member: 'alice' }).map((r) => r.calls),
      [2],
    );
  });

  void it('filters by tool: the exact name, with the other filters', () => {
    assert.deepEqual(collector.usage({ since: '2026-03-01T00:00:00Z', tool: 'read' }), [
      { day: '2026-03-08', member: null, calls: 1, errors: 0 },
      { day: '2026-03-09', member: 'alice', calls: 1, errors: 0 },
      { day: '2026-03-10', member: 'alice', calls: 1, errors: 0 },
    ]);
    assert.deepEqual(collector.usage({ since: '2026-03-01T00:00:00Z', tool: 'write' }), [
      { day: '2026-03-10', member: 'alice', calls: 1, errors: 1 },
    ]);
    assert.deepEqual(collector.usage({ since: '2026-03-01T00:00:00Z', tool: 'read_file', server: 'files' }), [
      { day: '2026-03-10', member: 'bob', calls: 2, errors: 1 },
    ]);
    assert.deepEqual(
      collector.usage({ since: '2026-03-01T00:00:00Z', tool: 'read_file', member: 'alice' }),
      [],
    );
  });

  void it('refuses a window more than 90 days back, naming the limit', () => {
    assert.throws(
      () => collector.usage({ since: '2025-12-01T00:00:00Z' }),
      (err: unknown) =>
        err instanceof FleetError && err.code === 'invalid_input' && err.message.includes('90 days'),
    );
  });
});
