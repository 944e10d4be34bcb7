import type { HealthState } from '../../../../src-main/shared/contract';

export const HEALTH_LABEL: Record<HealthState, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  unhealthy: 'unhealthy',
  unknown: 'unknown',
};

/** A health state as colour and word (never colour alone); the reason on hover. */
export function HealthBadge({
  state,
  reason,
  testId,
}: {
  state: HealthState;
  reason?: string;
  testId?: string;
}) {
  return (
    <span className={`health health-${state}`} title={reason} data-testid={testId} data-state={state}>
      <span className="health-dot" aria-hidden="true" />
      {HEALTH_LABEL[state]}
    </span>
  );
}
