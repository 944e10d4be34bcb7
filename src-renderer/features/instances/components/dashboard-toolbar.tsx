import { useEffect, useRef } from 'react';
import type { HealthCounts, HealthState, HealthSummary } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import type { DashFilter } from '../hooks/use-dashboard-rows';
import { timeAgo } from './format';

const STATES: (HealthState | 'all')[] = ['all', 'unhealthy', 'degraded', 'unknown', 'healthy'];

export interface DashboardToolbarProps {
  filter: DashFilter;
  onFilter: (patch: Partial<DashFilter>) => void;
  summary: HealthSummary | undefined;
  /** Counts by state of this view's instances. */
  counts: HealthCounts;
  onPause: (paused: boolean) => void;
  pausing: boolean;
}

/** Filter by text and state, the counts by state, and the monitor's own status. */
export function DashboardToolbar({
  filter,
  onFilter,
  summary,
  counts,
  onPause,
  pausing,
}: DashboardToolbarProps) {
  const input = useRef<HTMLInputElement>(null);
  // "/" jumps to the filter from anywhere on the page, as in most operator consoles.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="dash-toolbar">
      <input
        ref={input}
        type="search"
        className="dash-filter"
        placeholder="Filter by name or host    /"
        value={filter.text}
        aria-label="Filter instances"
        data-testid="dash-filter"
        onChange={(e) => onFilter({ text: e.target.value })}
      />
      <div className="segmented dash-states" role="radiogroup" aria-label="Health">
        {STATES.map((state) => (
          <label
            key={state}
            className={filter.state === state ? 'is-selected' : undefined}
            data-testid={`dash-state-${state}`}
          >
            <input
              type="radio"
              name="dash-state"
              checked={filter.state === state}
              onChange={() => onFilter({ state })}
            />
            {state}
            {state !== 'all' && <span className={`count count-${state}`}>{counts[state]}</span>}
          </label>
        ))}
      </div>
      <span className="spacer" />
      {summary && (
        <span className="muted dash-monitor" data-testid="dash-monitor">
          {!summary.monitoring
            ? 'not monitoring'
            : summary.paused
              ? 'monitoring paused'
              : `checked ${summary.lastSweepAt ? timeAgo(summary.lastSweepAt) : 'soon'} · every ${Math.round(summary.intervalMs / 1000)} s`}
        </span>
      )}
      {summary?.monitoring && (
        <Button
          variant="ghost"
          busy={pausing}
          onClick={() => onPause(!summary.paused)}
          data-testid="dash-pause"
        >
          {summary.paused ? 'Resume' : 'Pause'}
        </Button>
      )}
    </div>
  );
}
