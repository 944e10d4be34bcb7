/**
 * The tray as a plain function of the health summary: which icon, what tooltip, which menu items.
 * The Electron wrapper (src-main/app/tray.ts) only turns this into a Tray and a Menu.
 */
import type { HealthCounts, HealthState, HealthSummary, InstanceHealth } from '../../shared/contract';

/** Icon colours, by the worst state: red > amber > grey > green. Grey also while paused or empty. */
export type TrayColour = 'green' | 'amber' | 'red' | 'grey';

export type TrayAction =
  | { kind: 'open-window' }
  | { kind: 'open-instance'; instanceId: string }
  | { kind: 'toggle-pause' }
  | { kind: 'quit' };

export type TrayItem =
  | { type: 'item'; label: string; action: TrayAction }
  /** Shown, not clickable (counts, headings). */
  | { type: 'label'; label: string }
  | { type: 'separator' };

export interface TrayModel {
  colour: TrayColour;
  tooltip: string;
  items: TrayItem[];
}

export interface TrayMenuOptions {
  /** Problem instances listed before "and N more". */
  maxListed?: number;
  /** Longest menu label; longer reasons are cut with an ellipsis. */
  maxLabel?: number;
  /** Alerts raised in the last 24 hours; the line is left out when not given. */
  alertsLastDay?: number;
}

const STATES: HealthState[] = ['unhealthy', 'degraded', 'unknown', 'healthy'];
const TITLE = 'MCP Fleet';

export function trayMenu(summary: HealthSummary, options: TrayMenuOptions = {}): TrayModel {
  const maxListed = options.maxListed ?? 10;
  const maxLabel = options.maxLabel ?? 72;
  const { counts } = summary;
  const total = STATES.reduce((n, s) => n + counts[s], 0);
  const problems = summary.instances
    .filter((i) => i.state === 'unhealthy' || i.state === 'degraded')
    .sort((a, b) => rank(a) - rank(b) || name(a).localeCompare(name(b)));

  const items: TrayItem[] = [];
  for (const i of problems.slice(0, maxListed)) {
    items.push({
      type: 'item',
      label: cut(`${i.state === 'unhealthy' ? '✕' : '!'} ${name(i)} on ${i.host}: ${i.reason}`, maxLabel),
      action: { kind: 'open-instance', instanceId: i.instanceId },
    });
  }
  if (problems.length > maxListed) {
    items.push({
      type: 'item',
      label: `…and ${problems.length - maxListed} more`,
      action: { kind: 'open-window' },
    });
  }
  if (items.length > 0) items.push({ type: 'separator' });
  if (total === 0) items.push({ type: 'label', label: 'No instances deployed' });
  else for (const s of STATES) items.push({ type: 'label', label: `${capital(s)}: ${counts[s]}` });
  if (summary.paused) items.push({ type: 'label', label: 'Monitoring is paused' });
  if (options.alertsLastDay !== undefined && options.alertsLastDay > 0) {
    const n = options.alertsLastDay;
    items.push({ type: 'label', label: `${n} alert${n === 1 ? '' : 's'} in the last 24 hours` });
  }
  items.push(
    { type: 'separator' },
    { type: 'item', label: 'Open MCP Fleet', action: { kind: 'open-window' } },
    {
      type: 'item',
      label: summary.paused ? 'Resume monitoring' : 'Pause monitoring',
      action: { kind: 'toggle-pause' },
    },
    { type: 'separator' },
    { type: 'item', label: 'Quit', action: { kind: 'quit' } },
  );
  return { colour: colourOf(summary, total), tooltip: tooltip(summary, total), items };
}

function colourOf(summary: HealthSummary, total: number): TrayColour {
  const c = summary.counts;
  if (summary.paused || total === 0) return 'grey';
  if (c.unhealthy > 0) return 'red';
  if (c.degraded > 0) return 'amber';
  if (c.unknown > 0) return 'grey';
  return 'green';
}

function tooltip(summary: HealthSummary, total: number): string {
  if (total === 0) return `${TITLE}: no instances`;
  const paused = summary.paused ? ' (monitoring paused)' : '';
  if (summary.counts.healthy === total) {
    return `${TITLE}: ${total === 1 ? 'the instance is' : `all ${total} instances`} healthy${paused}`;
  }
  return `${TITLE}: ${countWords(summary.counts)}${paused}`;
}

/** "2 unhealthy, 1 degraded, 10 healthy": non-zero counts, worst first. */
export function countWords(counts: HealthCounts): string {
  return STATES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

function rank(i: InstanceHealth): number {
  return i.state === 'unhealthy' ? 0 : 1;
}

function name(i: InstanceHealth): string {
  return i.member === null ? i.server : `${i.server}/${i.member}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
