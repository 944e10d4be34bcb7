import type { ReactNode } from 'react';
import { Button } from '../../../components/ui/button';

/** Back on the left, the step's own actions on the right; the same place on every step. */
export function WizardFooter({ onBack, children }: { onBack?: () => void; children: ReactNode }) {
  return (
    <div className="form-footer wizard-footer">
      {onBack ? (
        <Button variant="ghost" onClick={onBack} data-testid="wizard-back">
          ← Back
        </Button>
      ) : (
        <span />
      )}
      <div className="wizard-actions">{children}</div>
    </div>
  );
}
