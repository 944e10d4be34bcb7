import { useState } from 'react';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { AddHostForm } from '../../hosts/components/add-host-form';
import { HostCheckView } from '../../hosts/components/host-check-view';
import { hostAddress } from '../../hosts/components/hosts-table';
import { useCheckHost, useHosts } from '../../hosts/hooks/use-hosts';
import { hostReady } from '../hooks/use-wizard-steps';
import { useWizard } from '../hooks/wizard-context';
import { WizardFooter } from './wizard-footer';

/** Step 2: where it runs. Pick or add a host, see its check, accept its host key. */
export function StepEnvironment({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const { draft, update } = useWizard();
  const hosts = useHosts();
  const check = useCheckHost();
  const list = hosts.data ?? [];
  const [adding, setAdding] = useState(false);
  const showForm = adding || (hosts.data !== undefined && list.length === 0);

  async function choose(name: string) {
    update({ host: name, check: null, acceptedKey: null, deploy: null });
    const result = await check.run({ name });
    if (result.ok) update({ check: result.data });
  }

  const fingerprint = draft.check?.fingerprint ?? null;
  const problem =
    draft.check === null
      ? null
      : !draft.check.reachable
        ? 'The host did not answer: see the problem above, fix it, and check again.'
        : draft.check.error !== undefined && draft.check.dockerVersion === null
          ? 'Fix the problem above, then check again. For a wrong password or key, remove the host and add it again.'
          : draft.check.dockerVersion === null
            ? 'No Docker engine answered on this host: install Docker (docker.io) or start it, then check again.'
            : draft.check.dockerPermitted === false
              ? 'This login may not use Docker: add it to the docker group on the host, then check again.'
              : null;

  return (
    <div className="wizard-step" data-testid="wizard-step-2">
      <h2 className="step-title">Connect to the environment</h2>
      <p className="step-lead">
        The host runs the container: a machine reached over SSH with a Docker engine, or this machine&apos;s
        own Docker.
      </p>
      {hosts.error && <ErrorAlert error={hosts.error} testId="wizard-hosts-error" />}
      {list.length > 0 && (
        <div className="choice-list" role="radiogroup" aria-label="Host" data-testid="wizard-hosts">
          {list.map((host) => (
            <label
              key={host.name}
              className={draft.host === host.name ? 'choice-row is-selected' : 'choice-row'}
            >
              <input
                type="radio"
                name="wizard-host"
                checked={draft.host === host.name}
                onChange={() => void choose(host.name)}
                data-testid={`wizard-host-${host.name}`}
              />
              <span className="strong">{host.name}</span>
              <span className={`tag tag-${host.kind}`}>{host.kind === 'ssh' ? 'SSH' : 'local'}</span>
              <code className="muted">{hostAddress(host)}</code>
            </label>
          ))}
        </div>
      )}
      {showForm ? (
        <div className="nested-form">
          <h3 className="nested-title">Add a host</h3>
          <AddHostForm
            onDone={(host) => {
              setAdding(false);
              void choose(host.name);
            }}
            onCancel={() => setAdding(false)}
          />
        </div>
      ) : (
        <div className="field-actions">
          <Button variant="ghost" onClick={() => setAdding(true)} data-testid="wizard-add-host">
            + Add a host
          </Button>
        </div>
      )}
      {draft.host !== null && (
        <section className="panel check-panel" aria-live="polite" data-testid="wizard-check">
          <header className="panel-header">
            <h2>Check of {draft.host}</h2>
            <span className="spacer" />
            <Button
              variant="ghost"
              busy={check.pending}
              onClick={() => void choose(draft.host as string)}
              data-testid="wizard-check-again"
            >
              Check again
            </Button>
          </header>
          {check.pending && !draft.check && (
            <p className="muted progress-line">
              <span className="spinner" aria-hidden="true" /> Connecting over SSH, asking Docker for its
              version…
            </p>
          )}
          {check.error && <ErrorAlert error={check.error} testId="wizard-check-error" />}
          {draft.check && <HostCheckView check={draft.check} testId="wizard-check-result" />}
          {problem && (
            <p className="field-error" role="alert" data-testid="wizard-check-problem">
              {problem}
            </p>
          )}
          {draft.check && !problem && fingerprint && (
            <label className="check accept-key">
              <input
                type="checkbox"
                checked={draft.acceptedKey === fingerprint}
                onChange={(e) => update({ acceptedKey: e.target.checked ? fingerprint : null })}
                data-testid="wizard-accept-key"
              />
              I trust this host key: it matches the host&apos;s own (
              <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>
              on the host). It stays pinned; a different key later is refused.
            </label>
          )}
        </section>
      )}
      <WizardFooter onBack={onBack}>
        <Button variant="primary" disabled={!hostReady(draft)} onClick={onNext} data-testid="wizard-next">
          Next
        </Button>
      </WizardFooter>
    </div>
  );
}
