import { href, type WizardStep } from '../../../lib/router';

export const STEPS: { step: WizardStep; label: string }[] = [
  { step: 0, label: 'Start' },
  { step: 1, label: 'Configure' },
  { step: 2, label: 'Environment' },
  { step: 3, label: 'Run' },
  { step: 4, label: 'Test' },
];

/** The steps as links: done and current ones can be revisited, later ones wait until reached. */
export function WizardStepper({ current, reachable }: { current: WizardStep; reachable: WizardStep }) {
  return (
    <ol className="stepper" aria-label="Wizard steps">
      {STEPS.map(({ step, label }) => {
        const state =
          step === current ? 'current' : step < current ? 'done' : step <= reachable ? 'open' : 'locked';
        return (
          <li key={step} className={`stepper-item is-${state}`}>
            {state === 'locked' ? (
              <span className="stepper-link" aria-disabled="true" data-testid={`wizard-stepper-${step}`}>
                <span className="stepper-index">{step}</span>
                {label}
              </span>
            ) : (
              <a
                className="stepper-link"
                href={href({ page: 'wizard', step })}
                aria-current={state === 'current' ? 'step' : undefined}
                data-testid={`wizard-stepper-${step}`}
              >
                <span className="stepper-index">{state === 'done' ? '✓' : step}</span>
                {label}
              </a>
            )}
          </li>
        );
      })}
    </ol>
  );
}
