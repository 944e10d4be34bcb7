/**
 * The dashboards' rows: instances from the health summary joined with the server definitions, filtered
 * and sorted. A server without an instance still gets a row, so nothing defined goes unseen.
 */
import { useMemo } from 'react';
import type {
  HealthCounts,
  HealthState,
  InstanceHealth,
  ServerView,
} from '../../../../src-main/shared/contract';
import type { DashboardView } from '../../../lib/router';
import { restartCount } from '../components/format';

export type SortKey = 'name' | 'health' | 'latency' | 'restarts' | 'uptime';

export type DashRow =
  | { kind: 'group'; key: string; server: ServerView; instances: number; unhealthy: number }
  | {
      kind: 'instance';
      key: string;
      server: ServerView | undefined;
      serverName: string;
      health: InstanceHealth;
    }
  | { kind: 'empty'; key: string; server: ServerView };

export interface DashFilter {
  text: string;
  state: HealthState | 'all';
  sort: SortKey;
}

const SEVERITY: Record<HealthState, number> = { unhealthy: 0, degraded: 1, unknown: 2, healthy: 3 };

function compare(sort: SortKey): (a: InstanceHealth, b: InstanceHealth) => number {
  const byName = (a: InstanceHealth, b: InstanceHealth) =>
    a.server.localeCompare(b.server) ||
    (a.member ?? '').localeCompare(b.member ?? '') ||
    a.host.localeCompare(b.host);
  switch (sort) {
    case 'name':
      return byName;
    case 'health':
      return (a, b) => SEVERITY[a.state] - SEVERITY[b.state] || byName(a, b);
    case 'latency':
      return (a, b) => (b.latencyMs ?? -1) - (a.latencyMs ?? -1) || byName(a, b);
    case 'restarts':
      return (a, b) => (restartCount(b.restarts) ?? -1) - (restartCount(a.restarts) ?? -1) || byName(a, b);
    case 'uptime':
      return (a, b) => (a.uptimeSeconds ?? Infinity) - (b.uptimeSeconds ?? Infinity) || byName(a, b);
  }
}

function matches(i: InstanceHealth, text: string): boolean {
  if (text === '') return true;
  return [i.server, i.member ?? '', i.host, i.containerName].some((f) => f.toLowerCase().includes(text));
}

export function useDashboardRows(
  view: DashboardView,
  instances: readonly InstanceHealth[] | undefined,
  servers: readonly ServerView[] | undefined,
  filter: DashFilter,
): { rows: DashRow[]; total: number; counts: HealthCounts } {
  return useMemo(() => {
    const text = filter.text.trim().toLowerCase();
    const ofView = (servers ?? []).filter((s) => s.mode === view);
    const byName = new Map(ofView.map((s) => [s.name, s]));
    const all = (instances ?? []).filter((i) =>
      view === 'shared'
        ? i.member === null && byName.has(i.server)
        : i.member !== null || byName.get(i.server)?.mode === 'dedicated',
    );
    const counts: HealthCounts = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
    for (const i of all) counts[i.state] += 1;
    const shown = all.filter((i) => matches(i, text) && (filter.state === 'all' || i.state === filter.state));
    shown.sort(compare(filter.sort));
    const withInstances = new Set(all.map((i) => i.server));
    const idle = ofView.filter(
      (s) =>
        !withInstances.has(s.name) &&
        filter.state === 'all' &&
        (text === '' || s.name.toLowerCase().includes(text)),
    );

    if (view === 'shared') {
      const rows: DashRow[] = shown.map((health) => ({
        kind: 'instance',
        key: health.instanceId,
        server: byName.get(health.server),
        serverName: health.server,
        health,
      }));
      for (const server of idle) rows.push({ kind: 'empty', key: `empty:${server.name}`, server });
      return { rows, total: all.length, counts };
    }

    // Dedicated: grouped by server, groups in name order, rows within a group in the chosen order.
    const groups = new Map<string, InstanceHealth[]>();
    for (const i of shown) {
      const list = groups.get(i.server) ?? [];
      list.push(i);
      groups.set(i.server, list);
    }
    const names = [...new Set([...groups.keys(), ...idle.map((s) => s.name)])].sort();
    const rows: DashRow[] = [];
    for (const name of names) {
      const server = byName.get(name);
      const members = groups.get(name) ?? [];
      if (!server) continue;
      rows.push({
        kind: 'group',
        key: `group:${name}`,
        server,
        instances: members.length,
        unhealthy: members.filter((m) => m.state === 'unhealthy').length,
      });
      if (members.length === 0) rows.push({ kind: 'empty', key: `empty:${name}`, server });
      for (const health of members)
        rows.push({ kind: 'instance', key: health.instanceId, server, serverName: name, health });
    }
    return { rows, total: all.length, counts };
  }, [view, instances, servers, filter.text, filter.state, filter.sort]);
}
