import { useState, type FormEvent } from 'react';
import { MIN_NEW_PASSPHRASE } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Field } from '../../../components/ui/field';
import { usePassphraseChange } from '../hooks/use-store-maintenance';

/** Re-keys the store: the current passphrase, the new one twice. */
export function PassphrasePanel() {
  const change = usePassphraseChange();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const problems = {
    current: current === '' ? 'must not be empty.' : undefined,
    next: next.length < MIN_NEW_PASSPHRASE ? `must be at least ${MIN_NEW_PASSPHRASE} characters.` : undefined,
    repeat: repeat !== next ? 'differs from the new passphrase.' : undefined,
  };
  const shown = (p: string | undefined) => (submitted ? p : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (problems.current || problems.next || problems.repeat) return;
    if (await change.run(current, next)) {
      setCurrent('');
      setNext('');
      setRepeat('');
      setSubmitted(false);
    }
  }

  return (
    <form className="panel stack" onSubmit={(e) => void submit(e)} noValidate data-testid="store-passphrase">
      <header className="panel-header">
        <h2>Change the passphrase</h2>
        <span className="muted">backups made before keep the old one</span>
      </header>
      <Field id="store-passphrase-current" label="Current passphrase" error={shown(problems.current)}>
        <input
          id="store-passphrase-current"
          type="password"
          autoComplete="current-password"
          value={current}
          data-testid="store-passphrase-current"
          onChange={(e) => setCurrent(e.target.value)}
        />
      </Field>
      <Field
        id="store-passphrase-next"
        label="New passphrase"
        hint={`At least ${MIN_NEW_PASSPHRASE} characters; it cannot be recovered, so keep it somewhere safe.`}
        error={shown(problems.next)}
      >
        <input
          id="store-passphrase-next"
          type="password"
          autoComplete="new-password"
          value={next}
          data-testid="store-passphrase-next"
          onChange={(e) => setNext(e.target.value)}
        />
      </Field>
      <Field id="store-passphrase-repeat" label="Repeat" error={shown(problems.repeat)}>
        <input
          id="store-passphrase-repeat"
          type="password"
          autoComplete="new-password"
          value={repeat}
          data-testid="store-passphrase-repeat"
          onChange={(e) => setRepeat(e.target.value)}
        />
      </Field>
      {change.error && <ErrorAlert error={change.error} testId="store-passphrase-error" />}
      {change.done && (
        <p className="notice notice-ok" role="status" data-testid="store-passphrase-done">
          The passphrase is changed: MCP_FLEET_PASSPHRASE, wherever it is set, must now hold the new one.
          {change.done.keychainForgotten
            ? ' This computer no longer remembers the key: the app asks for the new passphrase at its next start (tick Remember there).'
            : ''}
        </p>
      )}
      <div>
        <Button type="submit" variant="primary" busy={change.pending} data-testid="store-passphrase-submit">
          Change the passphrase
        </Button>
      </div>
    </form>
  );
}
