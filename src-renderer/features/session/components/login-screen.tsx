import { useState, type FormEvent } from 'react';
import { Button } from '../../../components/ui/button';

export interface LoginScreenProps {
  notice: string | null;
  onLogin: (token: string) => Promise<string | null>;
}

/** Web mode's only unauthenticated screen: trade the printed token for a session cookie. */
export function LoginScreen({ notice, onLogin }: LoginScreenProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (token.trim() === '') {
      setError('Paste the login token first.');
      return;
    }
    setBusy(true);
    const problem = await onLogin(token);
    setBusy(false);
    setError(problem);
  }

  return (
    <main className="login" data-testid="login-screen">
      <form className="login-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="brand login-brand">
          <span className="brand-mark" aria-hidden="true" />
          MCP Fleet
        </div>
        <p className="login-lead">
          This is web mode. Enter the login token that <code>mcp-fleet serve</code> printed, or open the link
          it printed.
        </p>
        {notice && !error && (
          <p className="login-notice" data-testid="login-notice">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor="login-token">Login token</label>
          <input
            id="login-token"
            type="password"
            autoComplete="off"
            autoFocus
            spellCheck={false}
            className="mono"
            value={token}
            aria-invalid={error !== null}
            data-testid="login-token"
            onChange={(e) => setToken(e.target.value)}
          />
          {error && (
            <p className="field-error" role="alert" data-testid="login-error">
              {error}
            </p>
          )}
        </div>
        <Button type="submit" variant="primary" busy={busy} data-testid="login-submit">
          Log in
        </Button>
      </form>
    </main>
  );
}
