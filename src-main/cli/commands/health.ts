/** `mcp-fleet health [--watch] [--interval S]`: every instance with state, reason, latency and restarts. */
import type { HealthSummary, InstanceHealth } from '../../shared/contract';
import { countWords } from '../../services/health/tray-menu';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';

export const HEALTH_USAGE = `mcp-fleet health [--watch] [--interval SECONDS]   instance health (--watch: probe again every interval, print changes)`;

export async function healthCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { watch: 'flag', interval: 'string' });
  if (a.positionals.length > 0) throw usage(`unexpected argument "${a.positionals[0]}"`);
  const intervalText = a.values.get('interval') ?? '10';
  const intervalS = Number(intervalText);
  if (!/^\d+(\.\d+)?$/.test(intervalText) || intervalS < 1 || intervalS > 3600) {
    throw usage(`--interval must be 1-3600 seconds, got "${intervalText}"`);
  }
  if (a.values.has('interval') && !a.flags.has('watch')) throw usage('--interval goes with --watch');
  const { health } = await ctx.services();
  // A failed check counts only once repeated: look again at once rather than report half a verdict.
  let report = await health.sweep();
  for (let i = 1; i < health.options.failureThreshold && report.pending > 0; i++)
    report = await health.sweep();
  let last = health.summary();
  print(ctx, last);
  if (!a.flags.has('watch')) return;

  let stopped = false;
  let wake: () => void = () => {};
  const stop = (): void => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalS * 1000);
      });
      if (stopped) break;
      await health.sweep();
      const next = health.summary();
      printChanges(ctx, last, next);
      last = next;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function print(ctx: CommandContext, s: HealthSummary): void {
  if (ctx.output.json) return ctx.output.out(JSON.stringify(s));
  printTable(
    ctx.output,
    s.instances.map((i) => ({
      state: i.state,
      instance: name(i),
      host: i.host,
      latency: i.latencyMs === null ? '-' : `${i.latencyMs} ms`,
      restarts: restarts(i),
      reason: i.reason,
    })),
    ['state', 'instance', 'host', 'latency', 'restarts', 'reason'],
    'no instances: deploy a server with `mcp-fleet deploy SERVER --host HOST`',
  );
  if (s.instances.length > 0) ctx.output.out(`\n${countWords(s.counts)}`);
}

/** --watch: one line per instance whose state changed (JSON: the whole summary, one line per sweep). */
function printChanges(ctx: CommandContext, before: HealthSummary, after: HealthSummary): void {
  if (ctx.output.json) return ctx.output.out(JSON.stringify(after));
  const was = new Map(before.instances.map((i) => [i.instanceId, i.state]));
  const time = new Date().toTimeString().slice(0, 8);
  for (const i of after.instances) {
    const previous = was.get(i.instanceId);
    if (previous === i.state) continue;
    ctx.output.out(`${time}  ${name(i)} on ${i.host}: ${previous ?? 'new'} → ${i.state}: ${i.reason}`);
  }
}

function name(i: InstanceHealth): string {
  return i.member === null ? i.server : `${i.server}/${i.member}`;
}

function restarts(i: InstanceHealth): string {
  const { container, child } = i.restarts;
  if (container === null && child === null) return '-';
  return `${container ?? '-'}/${child ?? '-'}`;
}
