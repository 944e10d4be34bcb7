import type { DeployResult } from '../../../../src-main/shared/contract';
import { DeployOutcomes } from './deploy-outcomes';

/**
 * What became of a saved change: stored, and carried to the instances by the deploys that followed
 * (or not, with the reason). The change stays saved either way.
 */
export function ChangeOutcome({
  deploys,
  deployError,
  testId,
}: {
  deploys: readonly DeployResult[];
  deployError: string | null;
  testId: string;
}) {
  const said =
    deployError !== null
      ? 'Saved.'
      : deploys.length === 0
        ? 'Saved. Nothing runs yet: the next deploy carries it.'
        : 'Saved and deployed.';
  return (
    <>
      <p className="notice notice-ok" data-testid={`${testId}-done`}>
        {said}
      </p>
      {deployError !== null && (
        <p className="field-error" role="alert" data-testid={`${testId}-deploy-error`}>
          The deploy that should carry it did not succeed: {deployError}. Deploy the server again to apply it.
        </p>
      )}
      {deploys.map((deploy) => (
        <DeployOutcomes key={deploy.deployId} result={deploy} testId={`${testId}-outcomes-${deploy.host}`} />
      ))}
    </>
  );
}
