import type { WizardStep } from '../../../lib/router';
import type { WizardDraft } from './wizard-context';

/** True when the host check says containers can run there and its key (if any) was accepted. */
export function hostReady(draft: WizardDraft): boolean {
  const check = draft.check;
  if (draft.host === null || check === null) return false;
  if (!check.reachable || check.dockerVersion === null || check.dockerPermitted === false) return false;
  return check.fingerprint === null || draft.acceptedKey === check.fingerprint;
}

/** The furthest step the draft allows: each step needs what the ones before it produced. */
export function reachableStep(draft: WizardDraft): WizardStep {
  if (draft.start === 'import' && draft.server === null) return 0;
  const defined = draft.server !== null && (draft.start === 'import' || draft.createdInput !== null);
  if (!defined) return 1;
  if (!hostReady(draft)) return 2;
  if (draft.deploy === null) return 3;
  return 4;
}
