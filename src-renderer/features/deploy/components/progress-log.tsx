import { useEffect, useRef } from 'react';

/** A running operation's lines, newest at the bottom and kept in view; a fixed frame, so nothing jumps. */
export function ProgressLog({
  lines,
  running,
  testId,
  placeholder = 'Waiting for the first step…',
}: {
  lines: readonly string[];
  running: boolean;
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
      <div className="progress-log-bar">
        {running ? (
          <span className="spinner" aria-hidden="true" />
        ) : (
          <span className="dot dot-ok" aria-hidden="true" />
        )}
        <span>{running ? (lines.at(-1) ?? placeholder) : 'Done'}</span>
      </div>
      <pre ref={ref} data-testid={testId} tabIndex={0}>
        {lines.join('\n')}
      </pre>
    </div>
  );
}
