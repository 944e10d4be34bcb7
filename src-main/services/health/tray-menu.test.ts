// The tray's menu model as a plain function of the health summary (the Electron Tray only draws it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthState, HealthSummary, InstanceHealth } from '../../shared/contract';
import { countStates } from './health-monitor';
import { trayMenu } from './tray-menu';
import type { TrayItem } from './tray-menu';

function instance(
  id: string,
  state: HealthState,
  reason = 'fine',
  member: string | null = null,
): InstanceHealth {
  return {
    instanceId: id,
    server: 'memory',
    member,
    host: 'db-1',
    containerName: `mcp-memory-${id}`,
    plainHttp: false,
    state,
    reason,
    since: '2026-05-01T12:00:00.000Z',
    checkedAt: '2026-05-01T12:00:10.000Z',
    latencyMs: 3,
    restarts: { container: 0, child: 0 },
    uptimeSeconds: 60,
    sessions: 1,
  };
}

function summary(instances: InstanceHealth[], paused = false): HealthSummary {
  return {
    monitoring: true,
    paused,
    intervalMs: 10_000,
    lastSweepAt: null,
    counts: countStates(instances),
    instances,
  };
}

const labels = (items: TrayItem[]): string[] => items.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('trayMenu', () => {
  it('shows green with the count when everything is healthy', () => {
    const m = trayMenu(summary([instance('a', 'healthy'), instance('b', 'healthy')]));
    assert.equal(m.colour, 'green');
    assert.equal(m.tooltip, 'MCP Fleet: all 2 instances healthy');
    assert.deepEqual(labels(m.items), [
      'Unhealthy: 0',
      'Degraded: 0',
      'Unknown: 0',
      'Healthy: 2',
      '---',
      'Open MCP Fleet',
      'Pause monitoring',
      '---',
      'Quit',
    ]);
  });

  it('takes the worst state for the icon and lists unhealthy before degraded, each opening its instance', () => {
    const m = trayMenu(
      summary([
        instance('a', 'healthy'),
        instance('b', 'degraded', 'MCP ping took 1.8 s', 'bob'),
        instance('c', 'unhealthy', 'the container exited with code 1', 'carol'),
        instance('d', 'unknown', 'cannot reach host'),
      ]),
    );
    assert.equal(m.colour, 'red');
    assert.equal(m.tooltip, 'MCP Fleet: 1 unhealthy, 1 degraded, 1 unknown, 1 healthy');
    const [first, second] = m.items;
    assert.deepEqual(first, {
      type: 'item',
      label: '✕ memory/carol on db-1: the container exited with code 1',
      action: { kind: 'open-instance', instanceId: 'c' },
    });
    assert.deepEqual(second, {
      type: 'item',
      label: '! memory/bob on db-1: MCP ping took 1.8 s',
      action: { kind: 'open-instance', instanceId: 'b' },
    });
  });

  it('is amber for degraded, grey for unknown alone, grey while paused or with nothing deployed', () => {
    assert.equal(trayMenu(summary([instance('a', 'degraded'), instance('b', 'unknown')])).colour, 'amber');
    assert.equal(trayMenu(summary([instance('a', 'healthy'), instance('b', 'unknown')])).colour, 'grey');
    const paused = trayMenu(summary([instance('a', 'unhealthy')], true));
    assert.equal(paused.colour, 'grey');
    assert.match(paused.tooltip, /monitoring paused/);
    assert.ok(labels(paused.items).includes('Resume monitoring'));
    const empty = trayMenu(summary([]));
    assert.equal(empty.colour, 'grey');
    assert.equal(empty.tooltip, 'MCP Fleet: no instances');
    assert.ok(labels(empty.items).includes('No instances deployed'));
  });

  it('caps the list, cuts long reasons, and points the rest at the window', () => {
    const many = Array.from({ length: 14 }, (_, i) => instance(`i${i}`, 'unhealthy', 'x'.repeat(200)));
    const m = trayMenu(summary(many), { maxListed: 10, maxLabel: 40 });
    const listed = m.items.filter((i) => i.type === 'item' && i.action.kind === 'open-instance');
    assert.equal(listed.length, 10);
    for (const i of listed) assert.ok(i.type === 'item' && i.label.length <= 40 && i.label.endsWith('…'));
    assert.deepEqual(m.items[10], { type: 'item', label: '…and 4 more', action: { kind: 'open-window' } });
  });
});
