import { useRef, useState, type FormEvent } from 'react';
import type { ServerChanged, ServerView } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ChangeOutcome } from '../../deploy/components/change-outcome';
import { ProgressLog } from '../../deploy/components/progress-log';
import { useProgress } from '../../deploy/hooks/use-progress';
import {
  bridgeSettingsDraftOf,
  bridgeSettingsErrors,
  bridgeSettingsInput,
  bridgeSettingsKey,
  typedIn,
} from '../hooks/bridge-settings-draft';
import { useSetServer } from '../hooks/use-server';
import { BridgeSettingsFields } from './bridge-settings-fields';

/**
 * A server's bridge settings on its page: the roots (Shared only) and the caps, saved with
 * servers:set and carried to the running instances by a deploy, whose progress and outcome show here.
 */
export function BridgeSettingsPanel({ server }: { server: ServerView }) {
  const set = useSetServer();
  const progress = useProgress();
  const formRef = useRef<HTMLFormElement>(null);
  // What the form started from: the stored settings, from the query or from our own save's answer,
  // whichever is newer (so the refetch after a save neither flickers back nor marks the form edited).
  const [seed, setSeed] = useState(() => ({ at: server.updatedAt, draft: bridgeSettingsDraftOf(server) }));
  const [draft, setDraft] = useState(seed.draft);
  const [submitted, setSubmitted] = useState(false);
  const [result, setResult] = useState<ServerChanged | null>(null);

  // The stored settings changed elsewhere (the CLI, another window): follow them unless edited here.
  if (server.updatedAt > seed.at) {
    const stored = bridgeSettingsDraftOf(server);
    setSeed({ at: server.updatedAt, draft: stored });
    if (bridgeSettingsKey(draft) === bridgeSettingsKey(seed.draft)) setDraft(stored);
  }
  const dirty = bridgeSettingsKey(draft) !== bridgeSettingsKey(seed.draft);
  const errors = bridgeSettingsErrors(draft, server.mode);
  const errorOf = (field: string) => (submitted || typedIn(draft, field) ? errors[field] : undefined);

  async function save(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    setResult(null);
    const input = bridgeSettingsInput(draft, server.mode);
    if (!input) {
      // The error renders with this state change; focus the first field in error after it does.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    const changed = await set.run({
      server: server.name,
      ...(server.mode === 'shared' ? { roots: input.roots } : {}),
      bridgeLimits: input.limits,
      streamId: progress.begin(),
    });
    if (!changed.ok) return;
    const saved = bridgeSettingsDraftOf(changed.data.server);
    setSeed({ at: changed.data.server.updatedAt, draft: saved });
    setDraft(saved);
    setSubmitted(false);
    setResult(changed.data);
  }

  return (
    <section className="panel" aria-labelledby="bridge-settings-title" data-testid="bridge-settings">
      <header className="panel-header">
        <h2 id="bridge-settings-title">Bridge settings</h2>
        <span className="muted">
          {server.mode === 'shared'
            ? 'roots the server is told, and the caps every instance enforces'
            : 'the caps each member’s instance enforces (roots are for Shared servers)'}
        </span>
      </header>
      <form
        ref={formRef}
        className="settings-form"
        aria-label="Bridge settings"
        onSubmit={(e) => void save(e)}
        noValidate
      >
        <BridgeSettingsFields
          idPrefix="bridge"
          mode={server.mode}
          draft={draft}
          errorOf={errorOf}
          disabled={set.pending}
          onChange={(next) => {
            setDraft(next);
            setResult(null);
          }}
        />
        <div className="settings-actions">
          <Button
            type="submit"
            variant="primary"
            busy={set.pending}
            disabled={!dirty}
            data-testid="bridge-settings-save"
          >
            Save bridge settings
          </Button>
          {dirty && (
            <Button
              variant="ghost"
              disabled={set.pending}
              onClick={() => {
                setDraft(seed.draft);
                setSubmitted(false);
              }}
              data-testid="bridge-settings-discard"
            >
              Discard changes
            </Button>
          )}
          {!dirty && !result && <span className="muted">As stored.</span>}
        </div>
      </form>
      {set.error && <ErrorAlert error={set.error} testId="bridge-settings-error" />}
      {(set.pending || (result !== null && progress.lines.length > 0)) && (
        <ProgressLog lines={progress.lines} running={set.pending} testId="bridge-settings-progress" />
      )}
      {result && (
        <ChangeOutcome deploys={result.deploys} deployError={result.deployError} testId="bridge-settings" />
      )}
    </section>
  );
}
