import { useState, type FormEvent } from 'react';
import type { AuditSettingsInput, AuditSettingsView } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Field } from '../../../components/ui/field';
import { useConfigureAudit } from '../hooks/use-audit-forwarding';

const MASK = '••••';
const MAX_HEADERS = 20;

interface HeaderRow {
  id: number;
  name: string;
  value: string;
}

let lastRowId = 0;
const blankRow = (): HeaderRow => ({ id: ++lastRowId, name: '', value: '' });

/**
 * What the endpoint input starts with: the stored URL, or nothing when its query is hidden (sent back
 * as shown, the •••• would replace the token).
 */
const endpointDraft = (shown: string | null): string => (shown === null || shown.includes(MASK) ? '' : shown);

/**
 * Retention, endpoint and headers. Only what the operator changed is sent, so stored header values are
 * kept without being typed again; new values go in password inputs and are cleared once saved.
 */
export function AuditSettingsForm({ view, onSaved }: { view: AuditSettingsView; onSaved: () => void }) {
  const configure = useConfigureAudit();
  const [retention, setRetention] = useState(String(view.retentionDays));
  const [endpoint, setEndpoint] = useState(endpointDraft(view.otlpEndpoint));
  // null: keep the stored headers; a list (maybe empty): replace them all with it.
  const [headers, setHeaders] = useState<HeaderRow[] | null>(null);
  const [retentionError, setRetentionError] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const hiddenQuery = view.otlpEndpoint?.includes(MASK) ?? false;
  const changed =
    retention.trim() !== String(view.retentionDays) ||
    endpoint.trim() !== endpointDraft(view.otlpEndpoint) ||
    headers !== null;

  async function save(input: AuditSettingsInput) {
    setSaved(false);
    const result = await configure.run(input);
    if (!result.ok) return;
    // Only what was sent is reset: other drafts stay as the operator left them.
    if (input.retentionDays !== undefined) setRetention(String(result.data.retentionDays));
    if (input.otlpEndpoint !== undefined) setEndpoint(endpointDraft(result.data.otlpEndpoint));
    if (input.otlpHeaders !== undefined) setHeaders(null);
    setSaved(true);
    onSaved();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    configure.reset();
    const input: AuditSettingsInput = {};
    if (retention.trim() !== String(view.retentionDays)) {
      if (!/^\d{1,6}$/.test(retention.trim())) {
        setRetentionError('must be a whole number of days from 1 to 3650');
        return;
      }
      input.retentionDays = Number(retention.trim());
    }
    setRetentionError(undefined);
    if (endpoint.trim() !== endpointDraft(view.otlpEndpoint))
      input.otlpEndpoint = endpoint.trim() === '' ? null : endpoint.trim();
    if (headers !== null) input.otlpHeaders = headers.map((h) => [h.name, h.value]);
    await save(input);
  }

  const edit = (id: number, patch: Partial<Omit<HeaderRow, 'id'>>) =>
    setHeaders((rows) => (rows ?? []).map((r) => (r.id === id ? { ...r, ...patch } : r)));

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="audit-settings-form">
      <h3>Change</h3>
      <Field
        id="audit-retention-days"
        className="narrow"
        label="Retention (days)"
        hint="1 to 3650. Calls older than this are deleted at the next collection."
        error={retentionError}
      >
        <input
          id="audit-retention-days"
          type="number"
          min={1}
          max={3650}
          step={1}
          value={retention}
          data-testid="audit-retention-input"
          onChange={(e) => setRetention(e.target.value)}
        />
      </Field>
      <Field
        id="audit-otlp-endpoint"
        label="OTLP endpoint"
        hint={
          hiddenQuery
            ? 'The stored URL’s query is hidden: leave this empty to keep it, or give the whole URL again.'
            : 'http or https, posted to as given, so include the logs path. Empty: forwarding off.'
        }
      >
        <input
          id="audit-otlp-endpoint"
          value={endpoint}
          className="mono"
          placeholder={hiddenQuery ? (view.otlpEndpoint ?? '') : 'http://collector:4318/v1/logs'}
          spellCheck={false}
          autoComplete="off"
          data-testid="audit-endpoint-input"
          onChange={(e) => setEndpoint(e.target.value)}
        />
      </Field>
      {view.otlpEndpoint !== null && (
        <div className="field-actions">
          <Button
            variant="ghost"
            busy={configure.pending}
            data-testid="audit-endpoint-off"
            onClick={() => void save({ otlpEndpoint: null })}
          >
            Turn forwarding off
          </Button>
        </div>
      )}
      <fieldset className="env-editor" data-testid="audit-headers">
        <legend>Headers</legend>
        {headers === null ? (
          <p className="field-hint">
            {view.otlpHeaders.length === 0
              ? 'None. Add one for a collector that wants an API key.'
              : 'The stored headers are kept as they are.'}
          </p>
        ) : (
          <p className="field-hint" data-testid="audit-headers-replacing">
            {headers.length === 0
              ? 'Saving removes every stored header.'
              : 'Saving replaces every stored header with these. Values are stored encrypted and never shown again.'}
          </p>
        )}
        {headers?.map((row, i) => (
          <div key={row.id} className="env-row">
            <input
              aria-label={`Header ${i + 1} name`}
              className="mono"
              placeholder="x-api-key"
              spellCheck={false}
              autoComplete="off"
              value={row.name}
              data-testid={`audit-header-name-${i}`}
              onChange={(e) => edit(row.id, { name: e.target.value })}
            />
            <input
              type="password"
              aria-label={`Header ${i + 1} value`}
              className="mono"
              placeholder="value"
              autoComplete="off"
              value={row.value}
              data-testid={`audit-header-value-${i}`}
              onChange={(e) => edit(row.id, { value: e.target.value })}
            />
            <Button
              variant="ghost"
              aria-label={`Remove header ${i + 1}`}
              data-testid={`audit-header-remove-${i}`}
              onClick={() => setHeaders((rows) => (rows ?? []).filter((r) => r.id !== row.id))}
            >
              ×
            </Button>
          </div>
        ))}
        <div className="field-actions">
          {headers === null ? (
            <>
              <Button
                variant="ghost"
                data-testid="audit-headers-replace"
                onClick={() => setHeaders([blankRow()])}
              >
                {view.otlpHeaders.length === 0 ? '+ Add header' : 'Replace headers'}
              </Button>
              {view.otlpHeaders.length > 0 && (
                <Button variant="ghost" data-testid="audit-headers-remove" onClick={() => setHeaders([])}>
                  Remove headers
                </Button>
              )}
            </>
          ) : (
            <>
              <Button
                variant="ghost"
                disabled={headers.length >= MAX_HEADERS}
                data-testid="audit-header-add"
                onClick={() => setHeaders((rows) => [...(rows ?? []), blankRow()])}
              >
                + Add header
              </Button>
              <Button variant="ghost" data-testid="audit-headers-keep" onClick={() => setHeaders(null)}>
                {view.otlpHeaders.length === 0 ? 'Cancel' : 'Keep the stored headers'}
              </Button>
            </>
          )}
        </div>
      </fieldset>
      {configure.error && <ErrorAlert error={configure.error} testId="audit-settings-error" />}
      {saved && !changed && (
        <p className="notice notice-ok" role="status" data-testid="audit-settings-saved">
          Saved.
        </p>
      )}
      <div className="field-actions">
        <Button
          type="submit"
          variant="primary"
          busy={configure.pending}
          disabled={!changed}
          data-testid="audit-settings-save"
        >
          Save
        </Button>
      </div>
    </form>
  );
}
