import { useState } from 'react';
import { Button } from './button';

export interface ConfirmButtonProps {
  label: string;
  confirmLabel: string;
  testId: string;
  busy?: boolean;
  onConfirm: () => void;
}

/** A destructive action that asks once more in place, without a modal. */
export function ConfirmButton({ label, confirmLabel, testId, busy = false, onConfirm }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button variant="ghost" data-testid={testId} onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <span className="confirm">
      <Button variant="danger" busy={busy} data-testid={`${testId}-confirm`} onClick={onConfirm} autoFocus>
        {confirmLabel}
      </Button>
      <Button variant="ghost" data-testid={`${testId}-cancel`} onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </span>
  );
}
