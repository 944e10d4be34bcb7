import { useRef, useState, type FormEvent } from 'react';
import type { ModeChange, ServerChanged, ServerView } from '../../../../src-main/shared/contract';
import { modeChangeReport } from '../../../../src-main/shared/mode-change-report';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { Dialog } from '../../../components/ui/dialog';
import { Field } from '../../../components/ui/field';
import { ChangeOutcome } from '../../deploy/components/change-outcome';
import { ProgressLog } from '../../deploy/components/progress-log';
import { useProgress } from '../../deploy/hooks/use-progress';
import { reachTypedIn } from '../hooks/reach-draft';
import {
  addEnvRow,
  serverEditChange,
  serverEditDraftOf,
  serverEditErrors,
  serverEditFieldOrder,
  versionOf,
  withMode,
  type ServerEditDraft,
} from '../hooks/server-edit-draft';
import { useSetServer } from '../hooks/use-server';
import { EnvEditFields } from './env-edit-fields';
import { ReachFields } from './reach-fields';
import { ServerDrift, ToolDiffView } from './server-change-details';

const FORM_ID = 'server-edit-form';
const ID = 'server-edit';
const PORT_MODES = [
  { value: 'auto', label: 'Automatic' },
  { value: 'pinned', label: 'Pinned' },
] as const;
const MODES = [
  { value: 'shared', label: 'Shared' },
  { value: 'dedicated', label: 'Dedicated' },
] as const;

/** What a mode change removes and makes on each host, and what does not carry over. */
function ModeChangeView({ server, change, testId }: { server: string; change: ModeChange; testId: string }) {
  return (
    <pre className="mono" data-testid={testId}>
      {modeChangeReport(server, change).join('\n')}
    </pre>
  );
}

/**
 * Changes what a server runs (servers:set): version, arguments, environment, port and host access.
 * Everything is checked here with the contract's and the shared mount rules before anything is sent; a
 * version change first asks for the tools it adds, removes and changes, and a mode change for the
 * instances it removes and makes (a dry run); either is applied only once the operator has seen it. Then the deploy that carried the change and the instances' drift show.
 */
export function ServerEditDialog({ server, onClose }: { server: ServerView; onClose: () => void }) {
  const set = useSetServer();
  const progress = useProgress();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState(() => serverEditDraftOf(server));
  const [submitted, setSubmitted] = useState(false);
  /** The dry run's answer for the version change in the draft; cleared when the draft changes. */
  const [preview, setPreview] = useState<ServerChanged | null>(null);
  const [result, setResult] = useState<ServerChanged | null>(null);
  const errors = serverEditErrors(draft, server);
  const change = serverEditChange(draft, server);
  const close = () => {
    if (!set.pending) onClose();
  };
  const edit = (next: ServerEditDraft) => {
    setDraft(next);
    setPreview(null);
    set.reset();
  };
  const errorOf = (field: string): string | undefined => {
    if (submitted) return errors[field];
    if (field.startsWith('reach')) return reachTypedIn(draft.reach, field) ? errors[field] : undefined;
    // A row added and left empty says what it needs only when the form is sent.
    const row = /^env\.(\d+)$/.exec(field);
    if (row) {
      const r = draft.env[Number(row[1])];
      if (r?.stored === null && r.key.trim() === '') return undefined;
    }
    return errors[field];
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) {
      const first = serverEditFieldOrder(draft).find((field) => errors[field] !== undefined);
      // The errors render with this state change; focus the first field in error after they do.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>(`[id="${ID}-${first ?? 'version'}"]`)?.focus(),
      );
      return;
    }
    if (change === null) return;
    const dryRun = (change.version !== undefined || change.mode !== undefined) && preview === null;
    const answer = await set.run({
      server: server.name,
      ...change,
      ...(dryRun ? { dryRun: true } : {}),
      streamId: progress.begin(),
    });
    if (!answer.ok) return;
    if (dryRun) setPreview(answer.data);
    else setResult(answer.data);
  }

  // A mode change in the draft is reviewed first even while a field is in error.
  const reviewing = (change?.version !== undefined || draft.mode !== server.mode) && preview === null;
  const footer = result ? (
    <Button variant="primary" onClick={close} data-testid={`${ID}-close-done`} autoFocus>
      Close
    </Button>
  ) : (
    <>
      <Button variant="ghost" onClick={close} disabled={set.pending} data-testid={`${ID}-cancel`}>
        Cancel
      </Button>
      <Button
        type="submit"
        form={FORM_ID}
        variant="primary"
        busy={set.pending}
        disabled={change === null && Object.keys(errors).length === 0}
        data-testid={`${ID}-save`}
      >
        {reviewing
          ? change?.version !== undefined
            ? 'Review the new version'
            : 'Review the mode change'
          : preview
            ? 'Apply'
            : 'Save'}
      </Button>
    </>
  );

  return (
    <Dialog title={`Edit ${server.name}`} onClose={close} footer={footer} testId={ID}>
      {result ? (
        <div className="stack">
          <ChangeOutcome deploys={result.deploys} deployError={result.deployError} testId={ID} />
          {result.pinned && (
            <p className="muted" data-testid={`${ID}-pinned`}>
              Pinned {result.pinned.package} to {result.pinned.version} ({result.pinned.registry}).
            </p>
          )}
          {result.toolDiff && <ToolDiffView diff={result.toolDiff} testId={`${ID}-tool-diff`} />}
          {result.modeChange && (
            <ModeChangeView server={server.name} change={result.modeChange} testId={`${ID}-mode-change`} />
          )}
          {server.instanceCount > 0 && <ServerDrift server={server.name} testId={`${ID}-drift`} />}
        </div>
      ) : (
        <form id={FORM_ID} ref={formRef} onSubmit={(e) => void save(e)} noValidate className="stack">
          <p className="muted">
            Saved, then deployed where {server.name} runs, one instance at a time. Members keep their tokens.
          </p>
          <fieldset
            className="stack"
            disabled={set.pending}
            style={{ border: 'none', margin: 0, padding: 0 }}
          >
            {server.source.kind !== 'command' && (
              <Field
                id={`${ID}-version`}
                label="Version"
                hint={
                  versionOf(server.source) === null
                    ? `${server.source.value} names no version yet: give one to pin it.`
                    : `${server.source.value} now. The tools a new version adds, removes and changes show before it is saved.`
                }
                error={errorOf('version')}
                className="narrow"
              >
                <input
                  id={`${ID}-version`}
                  className="mono"
                  spellCheck={false}
                  value={draft.version}
                  aria-invalid={errorOf('version') !== undefined}
                  aria-describedby={`${ID}-version-msg`}
                  data-testid={`${ID}-version`}
                  onChange={(e) => edit({ ...draft, version: e.target.value })}
                />
              </Field>
            )}
            <Field
              id={`${ID}-args`}
              label="Arguments"
              hint="One per line, passed as they are (no shell)."
              error={errorOf('args')}
            >
              <textarea
                id={`${ID}-args`}
                rows={3}
                className="mono"
                spellCheck={false}
                value={draft.args}
                aria-invalid={errorOf('args') !== undefined}
                aria-describedby={`${ID}-args-msg`}
                data-testid={`${ID}-args`}
                onChange={(e) => edit({ ...draft, args: e.target.value })}
              />
            </Field>
            <EnvEditFields
              idPrefix={ID}
              rows={draft.env}
              errorOf={errorOf}
              onAdd={() => edit(addEnvRow(draft))}
              onChange={(index, patch) =>
                edit({ ...draft, env: draft.env.map((r, i) => (i === index ? { ...r, ...patch } : r)) })
              }
              onRemove={(index) => edit({ ...draft, env: draft.env.filter((_, i) => i !== index) })}
            />
            <ChoiceGroup
              name={`${ID}-mode`}
              label="Mode"
              value={draft.mode}
              choices={MODES}
              onChange={(mode) => edit(withMode(draft, server, mode))}
            />
            {draft.mode !== server.mode && (
              <div className="stack" data-testid={`${ID}-mode-options`}>
                <p className="field-hint">
                  {draft.mode === 'dedicated'
                    ? 'Each member gets an instance of its own on its own port; the Shared instance is removed.'
                    : "One instance serves every member; the members' instances are removed."}{' '}
                  Members keep their tokens and tools; their clients need the new address.
                </p>
                {draft.mode === 'dedicated' && server.roots.length > 0 && (
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={draft.dropRoots}
                      data-testid={`${ID}-drop-roots`}
                      onChange={(e) => edit({ ...draft, dropRoots: e.target.checked })}
                    />
                    Remove the {server.roots.length} root(s): only Shared servers take them
                  </label>
                )}
                {draft.mode === 'shared' && (
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={draft.dropMemberEnv}
                      data-testid={`${ID}-drop-member-env`}
                      onChange={(e) => edit({ ...draft, dropMemberEnv: e.target.checked })}
                    />
                    Drop the members&apos; own values (one instance cannot keep them apart)
                  </label>
                )}
                {server.instanceCount > 0 && (
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={draft.freshVolumes}
                      data-testid={`${ID}-fresh-volumes`}
                      onChange={(e) => edit({ ...draft, freshVolumes: e.target.checked })}
                    />
                    Start the new instances with fresh volumes (data kept in a volume per instance does not
                    carry over)
                  </label>
                )}
                {errorOf('mode') && (
                  <p
                    className="field-error"
                    role="alert"
                    id={`${ID}-mode`}
                    tabIndex={-1}
                    data-testid={`${ID}-mode-error`}
                  >
                    {errorOf('mode')}
                  </p>
                )}
              </div>
            )}
            <div className="field-row">
              <ChoiceGroup
                name={`${ID}-port-mode`}
                label="Port"
                value={draft.portMode}
                choices={PORT_MODES}
                onChange={(portMode) => edit({ ...draft, portMode })}
              />
              {draft.portMode === 'pinned' && (
                <Field
                  id={`${ID}-port`}
                  label="Host port"
                  hint="The port the bridge listens on, on every host it runs on."
                  error={errorOf('port')}
                  className="narrow"
                >
                  <input
                    id={`${ID}-port`}
                    inputMode="numeric"
                    value={draft.port}
                    aria-invalid={errorOf('port') !== undefined}
                    aria-describedby={`${ID}-port-msg`}
                    data-testid={`${ID}-port`}
                    onChange={(e) => edit({ ...draft, port: e.target.value })}
                  />
                </Field>
              )}
            </div>
            <ReachFields
              idPrefix={ID}
              mode={draft.mode}
              draft={draft.reach}
              errorOf={errorOf}
              onChange={(reach) => edit({ ...draft, reach })}
            />
          </fieldset>
          {preview?.toolDiff && (
            <div className="stack" data-testid={`${ID}-preview`}>
              <p className="notice notice-warn">
                Nothing is saved yet. Apply to save the change and deploy it.
              </p>
              <ToolDiffView diff={preview.toolDiff} testId={`${ID}-preview-diff`} />
            </div>
          )}
          {preview?.modeChange && (
            <div className="stack" data-testid={`${ID}-mode-preview`}>
              {!preview.toolDiff && (
                <p className="notice notice-warn">
                  Nothing is saved yet. Apply to save the change and deploy it.
                </p>
              )}
              <ModeChangeView
                server={server.name}
                change={preview.modeChange}
                testId={`${ID}-mode-preview-plan`}
              />
            </div>
          )}
          {preview !== null && preview.toolDiff === null && preview.modeChange === null && (
            <p className="notice" data-testid={`${ID}-preview`}>
              The version is accepted. Apply to save the change and deploy it.
            </p>
          )}
          {change === null && !submitted && (
            <p className="muted" data-testid={`${ID}-unchanged`}>
              As stored.
            </p>
          )}
        </form>
      )}
      {set.error && <ErrorAlert error={set.error} testId={`${ID}-error`} />}
      {(set.pending || (result !== null && progress.lines.length > 0)) && (
        <ProgressLog lines={progress.lines} running={set.pending} testId={`${ID}-progress`} />
      )}
    </Dialog>
  );
}
