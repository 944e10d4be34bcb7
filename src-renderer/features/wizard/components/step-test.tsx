import { Button } from '../../../components/ui/button';
import { CopyButton } from '../../../components/ui/copy-button';
import { href, navigate } from '../../../lib/router';
import { useWizard } from '../hooks/wizard-context';
import { WizardFooter } from './wizard-footer';

/** Step 4: the connection test's result (initialize + tools/list through the auth layer), and the tokens. */
export function StepTest({ onBack }: { onBack: () => void }) {
  const { draft, reset } = useWizard();
  const result = draft.deploy;
  const withTokens = draft.members.filter((m) => m.token !== null);
  if (!result) return null;
  const allOk = result.instances.every((i) => i.action !== 'failed' && i.tools !== null);

  return (
    <div className="wizard-step" data-testid="wizard-step-4">
      <h2 className="step-title">Test the connection</h2>
      <p className="step-lead">
        Each instance was asked to initialize and list its tools through the auth layer, with a member&apos;s
        token, exactly as a client will.
      </p>
      <p className={allOk ? 'notice notice-ok' : 'notice notice-warn'} data-testid="wizard-test-summary">
        {allOk
          ? `${result.server} answers on ${result.host}: ${result.instances.length === 1 ? 'its instance lists' : `all ${result.instances.length} instances list`} tools.`
          : 'Not every instance answered; see the outcomes on the previous step and the instance logs.'}
      </p>
      {result.instances.map((instance) => (
        <section
          key={instance.name}
          className="panel"
          data-testid={`wizard-test-${instance.member ?? 'shared'}`}
        >
          <header className="panel-header">
            <h2>{instance.member ?? 'Shared instance'}</h2>
            <code className="muted">{instance.url ?? instance.name}</code>
            <span className="spacer" />
            {instance.url && (
              <CopyButton
                text={instance.url}
                label="Copy URL"
                testId={`wizard-url-copy-${instance.member ?? 'shared'}`}
              />
            )}
          </header>
          {instance.tools && instance.tools.length > 0 ? (
            <ul className="tool-list" data-testid="wizard-tools">
              {instance.tools.map((tool) => (
                <li key={tool} data-testid={`wizard-tool-${tool}`}>
                  <code>{tool}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{instance.error ?? 'No tools listed.'}</p>
          )}
        </section>
      ))}
      {withTokens.length > 0 && (
        <section className="panel" data-testid="wizard-tokens">
          <header className="panel-header">
            <h2>Member tokens</h2>
            <span className="muted">
              Shown this once: copy each to its member now. Rotate one from the dashboard if lost.
            </span>
          </header>
          <div className="token-list">
            {withTokens.map((m) => (
              <div key={m.id} className="token-row" data-testid={`wizard-token-${m.name}`}>
                <span className="strong">{m.name}</span>
                <code className="token">{m.token}</code>
                <CopyButton text={m.token ?? ''} testId={`wizard-token-copy-${m.name}`} />
              </div>
            ))}
          </div>
        </section>
      )}
      <WizardFooter onBack={onBack}>
        <a
          className="btn btn-secondary"
          href={href({ page: 'server', name: result.server })}
          data-testid="wizard-open-server"
        >
          Exports and client snippets
        </a>
        <Button
          variant="primary"
          onClick={() => {
            const view = result.instances.some((i) => i.member !== null) ? 'dedicated' : 'shared';
            navigate({ page: 'dashboard', view });
            reset();
          }}
          data-testid="wizard-done"
        >
          Done
        </Button>
      </WizardFooter>
    </div>
  );
}
