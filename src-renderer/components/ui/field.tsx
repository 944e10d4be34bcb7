import type { ReactNode } from 'react';

export interface FieldProps {
  id: string;
  label: string;
  hint?: ReactNode;
  /** Shown in place of the hint; the sentence reads after the label ("Port must be ..."). */
  error?: string | undefined;
  children: ReactNode;
  className?: string;
}

/** A label, its control, and either a hint or the plain-words error, wired for screen readers. */
export function Field({ id, label, hint, error, children, className }: FieldProps) {
  return (
    <div className={['field', error ? 'field-invalid' : '', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p className="field-error" id={`${id}-msg`} role="alert" data-testid={`${id}-error`}>
          {label} {error}
        </p>
      ) : hint ? (
        <p className="field-hint" id={`${id}-msg`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
