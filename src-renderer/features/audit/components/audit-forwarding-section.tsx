import { useState } from 'react';
import type { AuditForwarded } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { useAuditForwarding, useForwardAudit } from '../hooks/use-audit-forwarding';
import { AuditSettingsForm } from './audit-settings-form';

const calls = (n: number): string => `${n} ${n === 1 ? 'call' : 'calls'}`;

/** What a Forward now did, in a sentence (as `mcp-fleet audit forward` prints it). */
function forwardedText(r: AuditForwarded): string {
  if (r.busy)
    return 'Another process (the app or the CLI beside it) is forwarding now; nothing was sent from here.';
  const skipped =
    r.skippedNow > 0 ? `, ${r.skippedNow} skipped (deleted by retention before their turn)` : '';
  const sent = `Sent ${calls(r.sentNow)} now${skipped}`;
  if (r.delivered) return `${sent}; every pending call went.`;
  return `${sent}, then stopped: ${r.lastError ?? 'not every call was sent'}. The rest go at the next try.`;
}

/**
 * The audit trail's fleet-wide retention and its forwarding to an OTLP/HTTP collector (`mcp-fleet audit
 * settings` and `audit forward`): where forwarding stands, Forward now, and the settings form.
 */
export function AuditForwardingSection() {
  const { settings, status, refetch } = useAuditForwarding();
  const forward = useForwardAudit();
  const [result, setResult] = useState<AuditForwarded | null>(null);
  const view = settings.data;
  const s = status.data;

  async function forwardNow() {
    setResult(null);
    const r = await forward.run({});
    if (r.ok) setResult(r.data);
    refetch();
  }

  return (
    <section className="panel stack" data-testid="audit-forwarding">
      <header className="panel-header">
        <h2>Retention and forwarding</h2>
        <span className="muted">
          How long the audit trail is kept, and the OTLP/HTTP logs collector it is sent to.
          {view?.updatedAt && ` Changed ${view.updatedAt}.`}
        </span>
      </header>
      {settings.error && <ErrorAlert error={settings.error} testId="audit-settings-load-error" />}
      {status.error && <ErrorAlert error={status.error} testId="audit-forwarding-load-error" />}
      {view && s && (
        <dl className="facts" data-testid="audit-forwarding-status">
          <dt>Retention</dt>
          <dd data-testid="audit-retention">{view.retentionDays} days</dd>
          <dt>Endpoint</dt>
          <dd data-testid="audit-endpoint">
            {view.otlpEndpoint === null ? 'off: nothing is forwarded' : <code>{view.otlpEndpoint}</code>}
          </dd>
          <dt>Headers</dt>
          <dd data-testid="audit-headers-stored">
            {view.otlpHeaders.length === 0 ? 'none' : view.otlpHeaders.map((h) => `${h}: ••••`).join(', ')}
          </dd>
          <dt>Pending</dt>
          <dd data-testid="audit-pending" data-count={s.pending}>
            {calls(s.pending)} not yet forwarded
          </dd>
          <dt>Sent</dt>
          <dd data-testid="audit-sent" data-count={s.sent}>
            {s.sent} in all{s.lastSentAt !== null && `, the last at ${s.lastSentAt}`}
          </dd>
          <dt>Skipped</dt>
          <dd data-testid="audit-skipped" data-count={s.skipped}>
            {s.skipped} (deleted by retention before they were forwarded)
          </dd>
          <dt>Last run</dt>
          <dd>
            {s.lastAttemptAt ?? 'never'}
            {s.busy && ' (another process is forwarding now)'}
          </dd>
          <dt>Last error</dt>
          <dd className="cell-wrap" data-testid="audit-last-error">
            {s.lastError ?? 'none'}
          </dd>
        </dl>
      )}
      <div className="inline-field">
        <Button
          busy={forward.pending}
          disabled={view === undefined || view.otlpEndpoint === null}
          data-testid="audit-forward-now"
          onClick={() => void forwardNow()}
        >
          Forward now
        </Button>
        {view && view.otlpEndpoint === null && <span>Set an endpoint first.</span>}
      </div>
      {result && (
        <p
          className={`notice ${result.delivered ? 'notice-ok' : 'notice-warn'}`}
          role="status"
          data-testid="audit-forward-result"
          data-delivered={String(result.delivered)}
          data-sent-now={result.sentNow}
        >
          {forwardedText(result)}
        </p>
      )}
      {forward.error && <ErrorAlert error={forward.error} testId="audit-forward-error" />}
      {view && <AuditSettingsForm view={view} onSaved={refetch} />}
    </section>
  );
}
