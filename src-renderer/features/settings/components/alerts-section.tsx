import { useState, type FormEvent } from 'react';
import type { AlertsTestResult, WebhookFormat, WebhookView } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { useAddWebhook, useAlerts, useRemoveWebhook, useTestWebhook } from '../hooks/use-alerts';

/** Webhooks (add, test, remove; header values never shown) and the newest alerts. */
export function AlertsSection() {
  const { listing, refetch } = useAlerts();
  return (
    <section className="panel stack" data-testid="alerts-section">
      <header className="panel-header">
        <h2>Alerts</h2>
        <span className="muted">
          Unhealthy instances, restart storms, certificates near their end, quarantined tools and failed
          deploys.
        </span>
      </header>
      {listing.error && <ErrorAlert error={listing.error} testId="alerts-error" />}
      {listing.data && (
        <>
          <h3>Webhooks</h3>
          {listing.data.webhooks.length === 0 ? (
            <p className="muted" data-testid="alerts-no-webhooks">
              No webhooks: alerts show here and in the app only.
            </p>
          ) : (
            <ul className="stack" data-testid="alerts-webhooks">
              {listing.data.webhooks.map((w) => (
                <WebhookRow key={w.name} webhook={w} onChanged={refetch} />
              ))}
            </ul>
          )}
          <AddWebhookForm onAdded={refetch} />
          <h3>Recent alerts ({listing.data.lastDay} in the last 24 hours)</h3>
          {listing.data.alerts.length === 0 ? (
            <p className="muted">No alerts.</p>
          ) : (
            <ul className="stack" data-testid="alerts-recent">
              {listing.data.alerts.map((a) => (
                <li key={a.seq} data-testid={`alert-${a.seq}`} data-kind={a.kind} data-severity={a.severity}>
                  <strong>{a.subject}</strong>{' '}
                  <span className="muted">
                    {a.kind} · {a.severity} · {a.at}
                  </span>
                  <div>{a.message}</div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function WebhookRow({ webhook, onChanged }: { webhook: WebhookView; onChanged: () => void }) {
  const test = useTestWebhook();
  const remove = useRemoveWebhook();
  const [result, setResult] = useState<AlertsTestResult | null>(null);
  const id = `webhook-${webhook.name}`;
  const rowError = test.error ?? remove.error;
  return (
    <li data-testid={id}>
      <strong>{webhook.name}</strong> <span className="muted">({webhook.format})</span>{' '}
      <code>{webhook.url}</code>
      {webhook.headers.length > 0 && (
        <span className="muted"> headers: {webhook.headers.map((h) => `${h}: ••••`).join(', ')}</span>
      )}
      <div className="field-actions">
        <Button
          type="button"
          busy={test.pending}
          data-testid={`${id}-test`}
          onClick={() => {
            setResult(null);
            void test.run({ name: webhook.name }).then((r) => r.ok && setResult(r.data));
          }}
        >
          Send a test
        </Button>
        <ConfirmButton
          label="Remove"
          confirmLabel={`Remove ${webhook.name}`}
          testId={`${id}-remove`}
          busy={remove.pending}
          onConfirm={() => void remove.run({ name: webhook.name }).then((r) => r.ok && onChanged())}
        />
      </div>
      {result && (
        <p data-testid={`${id}-result`} data-delivered={String(result.delivered)}>
          {result.status === null ? 'No answer' : `HTTP ${result.status}`}: {result.message}
        </p>
      )}
      {rowError && <ErrorAlert error={rowError} testId={`${id}-error`} />}
    </li>
  );
}

function AddWebhookForm({ onAdded }: { onAdded: () => void }) {
  const add = useAddWebhook();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<WebhookFormat>('generic');
  const [headerName, setHeaderName] = useState('');
  const [headerValue, setHeaderValue] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const headers: [string, string][] = headerName.trim() === '' ? [] : [[headerName, headerValue]];
    const result = await add.run({ name, url, format, headers });
    if (!result.ok) return;
    setName('');
    setUrl('');
    setHeaderName('');
    setHeaderValue('');
    onAdded();
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="webhook-add">
      <div className="field">
        <label htmlFor="webhook-name">Name</label>
        <input
          id="webhook-name"
          value={name}
          data-testid="webhook-name"
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="webhook-url">URL</label>
        <input
          id="webhook-url"
          value={url}
          placeholder="https://hooks.example.com/…"
          data-testid="webhook-url"
          onChange={(e) => setUrl(e.target.value)}
        />
        <p className="field-hint">
          https; plain http only to this machine. No user name or password in the URL.
        </p>
      </div>
      <div className="field">
        <label htmlFor="webhook-format">Body</label>
        <select
          id="webhook-format"
          value={format}
          data-testid="webhook-format"
          onChange={(e) => setFormat(e.target.value === 'slack' ? 'slack' : 'generic')}
        >
          <option value="generic">generic JSON</option>
          <option value="slack">Slack-compatible text</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="webhook-header-name">Header (optional)</label>
        <input
          id="webhook-header-name"
          value={headerName}
          placeholder="Authorization"
          data-testid="webhook-header-name"
          onChange={(e) => setHeaderName(e.target.value)}
        />
        <input
          type="password"
          aria-label="Header value"
          value={headerValue}
          autoComplete="off"
          data-testid="webhook-header-value"
          onChange={(e) => setHeaderValue(e.target.value)}
        />
        <p className="field-hint">The value is stored encrypted and never shown again.</p>
      </div>
      {add.error && <ErrorAlert error={add.error} testId="webhook-add-error" />}
      <div className="field-actions">
        <Button type="submit" variant="primary" busy={add.pending} data-testid="webhook-add-submit">
          Add webhook
        </Button>
      </div>
    </form>
  );
}
