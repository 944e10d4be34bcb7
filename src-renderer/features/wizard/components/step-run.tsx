import { useState } from 'react';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { CodeBlock } from '../../../components/ui/code-block';
import { CopyButton } from '../../../components/ui/copy-button';
import { Field } from '../../../components/ui/field';
import { SaveButton } from '../../../components/ui/save-button';
import { useMutation } from '../../../lib/use-query';
import { DeployOutcomes } from '../../deploy/components/deploy-outcomes';
import { ProgressLog } from '../../deploy/components/progress-log';
import { useProgress } from '../../deploy/hooks/use-progress';
import { useExport } from '../../export/hooks/use-export';
import { useServer } from '../../servers/hooks/use-server';
import { useWizard } from '../hooks/wizard-context';
import { WizardFooter } from './wizard-footer';

const WAYS = [
  { value: 'app', label: 'Run it for me' },
  { value: 'self', label: 'I ran it myself' },
] as const;

const KINDS = [
  { value: 'container', label: 'Containers' },
  { value: 'swarm', label: 'Swarm services' },
] as const;

/** Step 3: the generated command in full; the app runs it over SSH, or finds what the operator ran. */
export function StepRun({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const { draft, update } = useWizard();
  const [chosenWay, setWay] = useState<'app' | 'self'>('app');
  const [kind, setKind] = useState<'container' | 'swarm'>('container');
  // Swarm services are made by the app (through the manager's service API), never adopted.
  const way = kind === 'swarm' ? 'app' : chosenWay;
  const server = useServer(draft.server);
  const progress = useProgress();
  const deploy = useMutation('deploy:run', ['instances', 'servers']);
  const name = draft.server ?? '';
  const host = draft.host ?? '';
  // The operator's port, else the server's pinned one, else one the check found free.
  const [portText, setPortText] = useState('');
  const chosen = portText.trim() === '' ? undefined : Number(portText.trim());
  const portError =
    chosen !== undefined && !(Number.isInteger(chosen) && chosen >= 1 && chosen <= 65535)
      ? 'must be a whole number from 1 to 65535'
      : undefined;
  const suggested = server.data ? (server.data.port ?? draft.check?.freePorts?.[0]) : undefined;
  const port = portError ? suggested : (chosen ?? suggested);
  const command = useExport(
    name && host && server.data
      ? { server: name, host, format: kind === 'swarm' ? 'swarm' : 'docker-run', ...(port ? { port } : {}) }
      : null,
  );

  async function run() {
    update({ deploy: null });
    const streamId = progress.begin();
    // Run for me: the deploy picks a port free at that moment (a check's list can be stale by now) and
    // pins it, and the command above follows. Ran myself: the deploy must find the port the command used.
    if (portError) return;
    const pinned = way === 'self' ? port : chosen;
    const result = await deploy.run({
      server: name,
      host,
      streamId,
      swarm: kind === 'swarm',
      ...(pinned ? { port: pinned } : {}),
    });
    if (result.ok) update({ deploy: result.data });
  }

  const running = deploy.pending;
  return (
    <div className="wizard-step" data-testid="wizard-step-3">
      <h2 className="step-title">Run it</h2>
      <ChoiceGroup name="wizard-kind" label="Run as" value={kind} choices={KINDS} onChange={setKind} />
      <p className="step-lead">
        {kind === 'swarm' ? (
          <>
            This stack file, given to <code>docker stack deploy</code> on <strong>{host}</strong>, runs
            {server.data?.mode === 'dedicated'
              ? ' each instance as a Swarm service'
              : ' the instance as a Swarm service'}{' '}
            with the same hardening, its files as Docker secrets.
          </>
        ) : (
          <>
            This one command, pasted into a shell on <strong>{host}</strong>, builds the runtime image and
            starts the
            {server.data?.mode === 'dedicated' ? ' instances' : ' instance'} exactly as the app would:
            hardened, labelled, secrets read from a file.
          </>
        )}
      </p>
      {command.error && <ErrorAlert error={command.error} testId="wizard-command-error" />}
      <CodeBlock
        label={command.result?.filename ?? 'docker run'}
        text={command.result?.content ?? ''}
        busy={command.pending}
        testId="wizard-command"
        actions={
          command.result && (
            <>
              <CopyButton text={command.result.content} testId="wizard-command-copy" />
              <SaveButton
                text={command.result.content}
                filename={command.result.filename}
                testId="wizard-command-save"
              />
            </>
          )
        }
      />
      <Field
        id="wizard-port"
        label="Port"
        className="narrow"
        error={portError}
        hint={
          server.data?.mode === 'dedicated'
            ? 'The first member port; the others follow. Empty: the deploy picks free ones.'
            : 'Empty: the server’s pinned port, or one the deploy finds free.'
        }
      >
        <input
          id="wizard-port"
          inputMode="numeric"
          placeholder={suggested ? String(suggested) : 'auto'}
          value={portText}
          aria-invalid={portError !== undefined}
          data-testid="wizard-port"
          onChange={(e) => setPortText(e.target.value)}
        />
      </Field>
      {kind === 'container' && (
        <ChoiceGroup name="wizard-run" label="Who runs it" value={way} choices={WAYS} onChange={setWay} />
      )}
      {kind === 'swarm' && draft.check?.swarm != null && draft.check.swarm !== 'manager' && (
        <p className="field-error" role="alert" data-testid="wizard-swarm-warning">
          The check found {host} {draft.check.swarm === 'worker' ? 'a Swarm worker' : 'not in a Swarm'}: Swarm
          services need a manager (<code>docker swarm init</code> there).
        </p>
      )}
      {kind === 'swarm' ? (
        <p className="muted" data-testid="wizard-swarm-note">
          {host} must be a Swarm manager. The app builds the runtime image there and makes one Swarm service
          per instance, placed on that manager, its env and members files Docker secrets instead of files on
          the host; it then tests each through the auth layer.
        </p>
      ) : way === 'app' ? (
        <p className="muted">
          The app connects to {host}, builds the image there if it is missing, starts the container, and tests
          it through the auth layer.
        </p>
      ) : (
        <p className="muted">
          After running the command on {host}, press <strong>Find it</strong>: the app looks for the container
          by its labels, adopts it as it is and tests it. If it is not there, the app starts it, so both ways
          end the same.
        </p>
      )}
      {(running || progress.lines.length > 0) && (
        <ProgressLog
          lines={progress.lines}
          running={running}
          failed={
            deploy.error !== null ||
            (draft.deploy?.instances.some((instance) => instance.action === 'failed') ?? false)
          }
          testId="wizard-progress"
        />
      )}
      {deploy.error && <ErrorAlert error={deploy.error} testId="wizard-deploy-error" />}
      {draft.deploy && <DeployOutcomes result={draft.deploy} testId="wizard-outcomes" />}
      <WizardFooter onBack={onBack}>
        <Button
          variant={draft.deploy ? 'secondary' : 'primary'}
          busy={running}
          disabled={!server.data}
          onClick={() => void run()}
          data-testid="wizard-run"
        >
          {way === 'app' ? (draft.deploy ? 'Run again' : `Run it on ${host}`) : 'Find it'}
        </Button>
        <Button variant="primary" disabled={!draft.deploy} onClick={onNext} data-testid="wizard-next">
          Next
        </Button>
      </WizardFooter>
    </div>
  );
}
