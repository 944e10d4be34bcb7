/**
 * Calls per UTC day per member as hand-made SVG bars: one bar per member in each day's group, its
 * errors (outcome not "ok") drawn over its foot. Every bar carries its figures in a <title> and an
 * aria-label, and a table below gives the same figures to whoever does not read charts.
 */
import type { AuditUsageDay } from '../../../../src-main/shared/contract';

const W = 720;
const H = 180;
const AXIS = 22;
const TOP = 8;
const LEFT = 40;
const COLORS = 8;

export interface UsageChartProps {
  days: readonly string[];
  rows: readonly AuditUsageDay[];
}

const memberLabel = (m: string | null): string => m ?? '(no member)';

function barLabel(r: AuditUsageDay): string {
  return `${memberLabel(r.member)} on ${r.day}: ${r.calls} ${r.calls === 1 ? 'call' : 'calls'}, ${r.errors} ${r.errors === 1 ? 'error' : 'errors'}`;
}

/** A round top for the axis: 1, 2, 5 × a power of ten. */
function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const f of [1, 2, 5, 10]) if (f * p >= n) return f * p;
  return 10 * p;
}

export function UsageChart({ days, rows }: UsageChartProps) {
  const members = [...new Set(rows.map((r) => memberLabel(r.member)))].sort();
  const allDays = [...new Set([...days, ...rows.map((r) => r.day)])].sort();
  const byKey = new Map(rows.map((r) => [`${r.day} ${memberLabel(r.member)}`, r]));
  const max = niceMax(Math.max(0, ...rows.map((r) => r.calls)));
  const plotH = H - AXIS - TOP;
  const groupW = (W - LEFT) / Math.max(1, allDays.length);
  const barW = Math.max(1, (groupW * 0.8) / Math.max(1, members.length));
  const y = (n: number) => TOP + plotH - (n / max) * plotH;
  // Label every day when they fit, else about ten of them.
  const every = Math.max(1, Math.ceil(allDays.length / 10));
  const totalCalls = rows.reduce((n, r) => n + r.calls, 0);
  const totalErrors = rows.reduce((n, r) => n + r.errors, 0);
  return (
    <figure className="usage-chart" data-testid="usage-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="group"
        aria-label={`Calls per day per member, ${allDays[0] ?? ''} to ${allDays.at(-1) ?? ''} (UTC): ${totalCalls} calls, ${totalErrors} errors`}
      >
        {[0, Math.round(max / 2), max].map((v) => (
          <g key={v} className="usage-grid" aria-hidden="true">
            <line x1={LEFT} x2={W} y1={y(v)} y2={y(v)} />
            <text x={LEFT - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {allDays.map((day, d) => (
          <g key={day}>
            {members.map((member, m) => {
              const r = byKey.get(`${day} ${member}`);
              if (!r) return null;
              const x = LEFT + d * groupW + groupW * 0.1 + m * barW;
              const label = barLabel(r);
              return (
                <g
                  key={member}
                  role="img"
                  aria-label={label}
                  data-testid="usage-bar"
                  data-member={member}
                  data-day={day}
                  data-calls={r.calls}
                  data-errors={r.errors}
                >
                  <title>{label}</title>
                  <rect
                    className={`usage-bar usage-color-${m % COLORS}`}
                    x={x}
                    y={y(r.calls)}
                    width={barW}
                    height={Math.max(r.calls > 0 ? 1 : 0, y(0) - y(r.calls))}
                  />
                  {r.errors > 0 && (
                    <rect
                      className="usage-errors"
                      x={x}
                      y={y(r.errors)}
                      width={barW}
                      height={Math.max(1, y(0) - y(r.errors))}
                    />
                  )}
                </g>
              );
            })}
            {d % every === 0 && (
              <text className="usage-day" x={LEFT + d * groupW + groupW / 2} y={H - 6} textAnchor="middle">
                {day.slice(5)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption className="usage-legend">
        {members.map((member, m) => (
          <span key={member} className="usage-key">
            <span className={`usage-swatch usage-color-${m % COLORS}`} aria-hidden="true" />
            {member}
          </span>
        ))}
        <span className="usage-key">
          <span className="usage-swatch usage-errors" aria-hidden="true" />
          errors (outcome not ok)
        </span>
      </figcaption>
      <details className="usage-figures">
        <summary>Figures</summary>
        <table className="table table-compact" data-testid="usage-table">
          <thead>
            <tr>
              <th>Day (UTC)</th>
              <th>Member</th>
              <th className="num">Calls</th>
              <th className="num">Errors</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.day} ${memberLabel(r.member)}`}>
                <td className="mono">{r.day}</td>
                <td>{memberLabel(r.member)}</td>
                <td className="num">{r.calls}</td>
                <td className="num">{r.errors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
