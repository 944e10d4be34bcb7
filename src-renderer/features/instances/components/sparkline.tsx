import type { HealthSample } from '../../../../src-main/shared/contract';

const W = 72;
const H = 18;

/** Latency over the monitor's short history; gaps where a probe had no answer. */
export function Sparkline({ samples }: { samples: readonly HealthSample[] }) {
  const values = samples.map((s) => s.latencyMs);
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return <svg className="sparkline" width={W} height={H} aria-hidden="true" />;
  const max = Math.max(...known, 1);
  const step = W / Math.max(1, values.length - 1);
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length > 1) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${(i * step).toFixed(1)},${(H - 1 - (v / max) * (H - 2)).toFixed(1)}`);
  });
  if (current.length > 1) segments.push(current.join(' '));
  const last = known.at(-1) ?? 0;
  return (
    <svg
      className="sparkline"
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`latency, last ${Math.round(last)} ms`}
    >
      {segments.map((points) => (
        <polyline key={points} points={points} fill="none" strokeWidth="1.25" />
      ))}
    </svg>
  );
}
