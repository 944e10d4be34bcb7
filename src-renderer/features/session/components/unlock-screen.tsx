import { useState, type FormEvent } from 'react';
import { MIN_NEW_PASSPHRASE } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';

export interface UnlockScreenProps {
  /** False when no store exists yet: the passphrase typed here creates it. */
  initialized: boolean;
  /** The OS keychain can remember the key here (the desktop app with a keyring): offer it. */
  keychain: boolean;
  /** Why a remembered key (or MCP_FLEET_PASSPHRASE) did not open the store. */
  notice: string | null;
  onUnlock: (passphrase: string, remember: boolean) => Promise<ErrorShape | null>;
}

/**
 * The store's passphrase is asked for here: web mode started without MCP_FLEET_PASSPHRASE, or the app
 * with no key remembered on this computer (or one that no longer fits, which `notice` explains).
 */
export function UnlockScreen({ initialized, keychain, notice, onUnlock }: UnlockScreenProps) {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  // Ticked by default: the app kept its key in the keychain before it could ask; unticking forgets it.
  const [remember, setRemember] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<ErrorShape | null>(null);
  const [busy, setBusy] = useState(false);

  const creating = !initialized;
  const passphraseProblem =
    passphrase === ''
      ? 'Enter the passphrase.'
      : creating && passphrase.length < MIN_NEW_PASSPHRASE
        ? `Use at least ${MIN_NEW_PASSPHRASE} characters.`
        : null;
  const confirmProblem = creating && confirm !== passphrase ? 'The two passphrases differ.' : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (passphraseProblem || confirmProblem) return;
    setBusy(true);
    setError(null);
    const problem = await onUnlock(passphrase, keychain && remember);
    setBusy(false);
    setError(problem);
  }

  const showPassphraseProblem = submitted && passphraseProblem !== null;
  const showConfirmProblem = creating && (submitted || confirm.length >= passphrase.length) && confirmProblem;
  return (
    <main className="login" data-testid="unlock-screen" data-unlock-mode={creating ? 'create' : 'unlock'}>
      <form className="login-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="brand login-brand">
          <span className="brand-mark" aria-hidden="true" />
          {creating ? 'Create a passphrase' : 'Unlock the store'}
        </div>
        <p className="login-lead">
          {creating
            ? 'No store exists here yet. Choose the passphrase that encrypts it: hosts, keys, tokens and secrets. It cannot be recovered, so keep it somewhere safe.'
            : 'The store is encrypted. Enter its passphrase to open it.'}
        </p>
        {notice && (
          <p className="notice notice-warn" role="status" data-testid="unlock-notice">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor="unlock-passphrase">Passphrase</label>
          <input
            id="unlock-passphrase"
            type="password"
            autoComplete={creating ? 'new-password' : 'current-password'}
            autoFocus
            value={passphrase}
            aria-invalid={showPassphraseProblem}
            aria-describedby="unlock-passphrase-msg"
            data-testid="unlock-passphrase"
            onChange={(e) => setPassphrase(e.target.value)}
          />
          {showPassphraseProblem ? (
            <p
              className="field-error"
              id="unlock-passphrase-msg"
              role="alert"
              data-testid="unlock-passphrase-error"
            >
              {passphraseProblem}
            </p>
          ) : creating ? (
            <p className="field-hint" id="unlock-passphrase-msg">
              At least {MIN_NEW_PASSPHRASE} characters; a few unrelated words work well.
            </p>
          ) : null}
        </div>
        {creating && (
          <div className="field">
            <label htmlFor="unlock-confirm">Repeat the passphrase</label>
            <input
              id="unlock-confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              aria-invalid={Boolean(showConfirmProblem)}
              data-testid="unlock-confirm"
              onChange={(e) => setConfirm(e.target.value)}
            />
            {showConfirmProblem && (
              <p className="field-error" role="alert" data-testid="unlock-confirm-error">
                {confirmProblem}
              </p>
            )}
          </div>
        )}
        {keychain && (
          <label className="check">
            <input
              type="checkbox"
              checked={remember}
              onChange={(e) => setRemember(e.target.checked)}
              data-testid="unlock-remember"
            />
            Remember on this computer (the OS keychain keeps the key; untick to forget it)
          </label>
        )}
        {error && <ErrorAlert error={error} testId="unlock-error" />}
        <Button type="submit" variant="primary" busy={busy} data-testid="unlock-submit">
          {busy ? 'Deriving the key…' : creating ? 'Create the store' : 'Unlock'}
        </Button>
      </form>
    </main>
  );
}
