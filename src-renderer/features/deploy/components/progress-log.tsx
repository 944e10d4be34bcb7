import { useEffect, useRef } from 'react';

/**
 * A running operation's lines, newest at the bottom and kept in view; a fixed frame, so nothing jumps.
 * Once it stopped, the bar says Done, or Failed when the caller says the operation failed.
 */
export function ProgressLog({
  lines,
  running,
  failed = false,
  testId,
  placeholder = 'Waiting for the first step…',
}: {
  lines: readonly string[];
  running: boolean;
  failed?: boolean;
  testId: string;
  placeholder?: string;
}) {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <div className="progress-log" aria-live="polite" aria-busy={running || undefined}>
      <div
        className="progress-log-bar"
        data-testid={`${testId}-state`}
        data-state={running ? 'running' : failed ? 'failed' : 'done'}
      >
        {running ? (
          <span className="spinner" aria-hidden="true" />
        ) : (
          <span className={failed ? 'dot dot-bad' : 'dot dot-ok'} aria-hidden="true" />
        )}
        <span>{running ? (lines.at(-1) ?? placeholder) : failed ? 'Failed' : 'Done'}</span>
      </div>
      <pre ref={ref} data-testid={testId} tabIndex={0}>
        {lines.join('\n')}
      </pre>
    </div>
  );
}
