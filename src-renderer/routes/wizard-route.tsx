import { Button } from '../components/ui/button';
import { PageHeader } from '../components/ui/page-header';
import { StepConfigure } from '../features/wizard/components/step-configure';
import { StepEnvironment } from '../features/wizard/components/step-environment';
import { StepRun } from '../features/wizard/components/step-run';
import { StepStart } from '../features/wizard/components/step-start';
import { StepTest } from '../features/wizard/components/step-test';
import { WizardStepper } from '../features/wizard/components/wizard-stepper';
import { reachableStep } from '../features/wizard/hooks/use-wizard-steps';
import { useWizard } from '../features/wizard/hooks/wizard-context';
import { navigate, type WizardStep } from '../lib/router';

export function WizardRoute({ step: asked }: { step: WizardStep }) {
  const { draft, reset } = useWizard();
  const reachable = reachableStep(draft);
  // A link or reload straight to a later step shows the furthest one the draft allows.
  const step = Math.min(asked, reachable) as WizardStep;
  const go = (to: WizardStep) => navigate({ page: 'wizard', step: to });
  const back = () => go((step - 1) as WizardStep);
  const next = () => go((step + 1) as WizardStep);

  return (
    <>
      <PageHeader
        title="Deploy a server"
        meta={draft.server ?? undefined}
        actions={
          <Button
            variant="ghost"
            onClick={() => {
              reset();
              go(0);
            }}
            data-testid="wizard-reset"
          >
            Start over
          </Button>
        }
      />
      <div className="wizard" data-testid="wizard" data-step={step}>
        <WizardStepper current={step} reachable={reachable} />
        <div className="wizard-body">
          {step === 0 && <StepStart onNext={next} />}
          {step === 1 && <StepConfigure onBack={back} onNext={next} />}
          {step === 2 && <StepEnvironment onBack={back} onNext={next} />}
          {step === 3 && <StepRun onBack={back} onNext={next} />}
          {step === 4 && <StepTest onBack={back} />}
        </div>
      </div>
    </>
  );
}
