import type { ErrorShape } from '../../../src-main/shared/errors';

/** A service error as the operator reads it: the sentence first, the code small beside it. */
export function ErrorAlert({ error, testId }: { error: ErrorShape; testId: string }) {
  return (
    <div className="alert alert-error" role="alert" data-testid={testId}>
      <span>{error.message}</span>
      <code className="alert-code">{error.code}</code>
    </div>
  );
}
