import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { CopyButton } from '../../../components/ui/copy-button';
import { Dialog } from '../../../components/ui/dialog';
import { DeployOutcomes } from '../../deploy/components/deploy-outcomes';
import { ProgressLog } from '../../deploy/components/progress-log';
import type { ActionKind, InstanceAction } from '../hooks/use-instance-action';

const TITLE: Record<ActionKind, string> = {
  restart: 'Restart',
  redeploy: 'Redeploy',
  rotate: 'Rotate the secret of',
  remove: 'Remove',
};

/** Confirmation, progress and outcome of the row action underway. */
export function InstanceActionDialog({ action }: { action: InstanceAction }) {
  const state = action.state;
  if (!state) return null;
  const { instance, kind, phase } = state;
  const who = instance.member ? `${instance.server} / ${instance.member}` : instance.server;
  const running = phase === 'running';

  const footer =
    phase === 'confirm' ? (
      <>
        <Button variant="ghost" onClick={action.close} data-testid="action-cancel">
          Cancel
        </Button>
        <Button
          variant={kind === 'remove' ? 'danger' : 'primary'}
          onClick={action.confirm}
          data-testid="action-confirm"
          autoFocus
        >
          {kind === 'remove' ? `Remove ${instance.containerName}` : 'Issue new token'}
        </Button>
      </>
    ) : (
      <>
        {kind === 'rotate' && phase === 'done' && state.rotate && state.rotate.finished.length === 0 && (
          <Button onClick={() => void action.finishRotation()} data-testid="action-finish-rotation">
            Finish: stop accepting the old token
          </Button>
        )}
        <Button variant="primary" disabled={running} onClick={action.close} data-testid="action-close">
          Close
        </Button>
      </>
    );

  return (
    <Dialog title={`${TITLE[kind]} ${who}`} onClose={action.close} footer={footer} testId="action-dialog">
      {phase === 'confirm' && kind === 'remove' && (
        <p>
          The container <code>{instance.containerName}</code> on {instance.host} stops and is removed, with
          its files and state volume. The definition stays: a later deploy makes it anew.
        </p>
      )}
      {phase === 'confirm' && kind === 'rotate' && (
        <p>
          A new token is issued{instance.member ? ` for ${instance.member}` : ' for every member'} and
          deployed. The old one keeps working until you finish the rotation, so clients can switch without
          downtime.
        </p>
      )}
      {(running || action.progress.length > 0) && kind !== 'restart' && kind !== 'remove' && (
        <ProgressLog lines={action.progress} running={running} testId="action-progress" />
      )}
      {running && (kind === 'restart' || kind === 'remove') && (
        <p className="muted progress-line">
          <span className="spinner" aria-hidden="true" /> {kind === 'restart' ? 'Restarting' : 'Removing'}{' '}
          {instance.containerName} on {instance.host}…
        </p>
      )}
      {state.error && <ErrorAlert error={state.error} testId="action-error" />}
      {phase === 'done' && (kind === 'restart' || kind === 'remove') && (
        <p className="notice notice-ok" data-testid="action-done">
          {kind === 'restart' ? 'Restarted' : 'Removed'} {instance.containerName}.
        </p>
      )}
      {state.deploy && <DeployOutcomes result={state.deploy} testId="action-outcomes" />}
      {state.rotate && state.rotate.tokens.length > 0 && (
        <div className="token-list" data-testid="action-tokens">
          <p className="muted">New tokens, shown this once:</p>
          {state.rotate.tokens.map((t) => (
            <div key={t.member} className="token-row">
              <span className="strong">{t.member}</span>
              <code className="token">{t.token}</code>
              <CopyButton text={t.token} testId={`action-token-copy-${t.member}`} />
            </div>
          ))}
        </div>
      )}
      {state.rotate && state.rotate.finished.length > 0 && (
        <p className="notice notice-ok">
          Old tokens no longer accepted for {state.rotate.finished.join(', ')}.
        </p>
      )}
    </Dialog>
  );
}
