import type { ReactNode } from 'react';

/** Generated text shown exactly as it will be used: monospace, scrollable, selectable. */
export function CodeBlock({
  text,
  testId,
  label,
  actions,
  busy = false,
  placeholder = 'Generating…',
}: {
  text: string;
  testId: string;
  label: string;
  actions?: ReactNode;
  busy?: boolean;
  /** Shown while the first text is on its way. */
  placeholder?: string;
}) {
  return (
    <div className="code-block" aria-busy={busy || undefined}>
      <div className="code-block-bar">
        <span className="code-block-label">
          {busy && <span className="spinner" aria-hidden="true" />} {label}
        </span>
        <span className="code-block-actions">{actions}</span>
      </div>
      <pre tabIndex={0} aria-label={label} data-testid={testId}>
        {text === '' && busy ? placeholder : text}
      </pre>
    </div>
  );
}
