import { useState, type FormEvent } from 'react';
import type { SettingView } from '../../../../src-main/shared/contract';
import { SETTINGS } from '../../../../src-main/shared/fleet-settings';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { useSetSetting, useSettings, useUnsetSetting } from '../hooks/use-settings';

const SOURCE_TEXT: Record<SettingView['source'], string> = {
  environment: 'environment variable',
  host: 'this host',
  fleet: 'fleet',
  default: 'default',
};

/** Each key of one scope: effective value and source, the scope's own value, set and unset. */
export function SettingsTable({ host }: { host: string | null }) {
  const listing = useSettings(host);
  if (listing.error) return <ErrorAlert error={listing.error} testId="settings-error" />;
  if (!listing.data) return <p className="muted">Loading settings…</p>;
  return (
    <div className="stack" data-testid="settings-table">
      {listing.data.settings.map((view) => (
        <SettingRow key={`${host ?? ''}:${view.key}`} view={view} host={host} />
      ))}
    </div>
  );
}

function SettingRow({ view, host }: { view: SettingView; host: string | null }) {
  const set = useSetSetting();
  const unset = useUnsetSetting();
  const own = host === null ? view.fleet : view.host;
  const [draft, setDraft] = useState(own ?? '');
  const id = `setting-${view.key}`;
  const error = set.error ?? unset.error;

  async function submit(e: FormEvent) {
    e.preventDefault();
    unset.reset();
    await set.run({ key: view.key, value: draft, ...(host === null ? {} : { host }) });
  }
  async function remove() {
    set.reset();
    const result = await unset.run({ key: view.key, ...(host === null ? {} : { host }) });
    if (result.ok) setDraft('');
  }

  return (
    <form className="panel stack" onSubmit={(e) => void submit(e)} noValidate data-testid={id}>
      <header className="panel-header">
        <h2>
          <code>{view.key}</code>
        </h2>
        <span className="muted">{view.about}</span>
      </header>
      <p>
        Effective: <strong data-testid={`${id}-value`}>{view.value ?? view.defaultText}</strong>{' '}
        <span className="muted" data-testid={`${id}-source`} data-source={view.source}>
          from {SOURCE_TEXT[view.source]}
          {view.source === 'environment' ? ` (${view.variable})` : ''}
        </span>
      </p>
      <div className="field">
        <label htmlFor={`${id}-input`}>{host === null ? 'Fleet value' : `Override for ${host}`}</label>
        <input
          id={`${id}-input`}
          value={draft}
          placeholder={SETTINGS[view.key].example}
          data-testid={`${id}-input`}
          onChange={(e) => setDraft(e.target.value)}
        />
        <p className="field-hint">
          Default: {view.defaultText}. {view.variable} overrides every stored value.
          {host !== null && view.fleet !== null ? ` Fleet value: ${view.fleet}.` : ''}
        </p>
      </div>
      {error && <ErrorAlert error={error} testId={`${id}-error`} />}
      <div className="field-actions">
        <Button type="submit" variant="primary" busy={set.pending} data-testid={`${id}-set`}>
          Set
        </Button>
        <Button
          type="button"
          busy={unset.pending}
          disabled={own === null}
          onClick={() => void remove()}
          data-testid={`${id}-unset`}
        >
          Unset
        </Button>
      </div>
    </form>
  );
}
