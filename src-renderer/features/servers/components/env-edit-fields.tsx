import { Button } from '../../../components/ui/button';
import type { EnvAction, EnvEditRow } from '../hooks/server-edit-draft';
import { SECRET_MASK } from './servers-table';

export interface EnvEditFieldsProps {
  /** Prefix of ids and test ids: row N's value is `${idPrefix}-env-value-N`, its field `${idPrefix}-env.N`. */
  idPrefix: string;
  rows: EnvEditRow[];
  errorOf: (field: string) => string | undefined;
  disabled?: boolean;
  onAdd: () => void;
  onChange: (index: number, patch: Partial<Omit<EnvEditRow, 'id' | 'stored'>>) => void;
  onRemove: (index: number) => void;
}

const SECRET_ACTIONS: { value: EnvAction; label: string }[] = [
  { value: 'keep', label: 'Keep the stored value' },
  { value: 'replace', label: 'Replace it' },
  { value: 'remove', label: 'Remove the variable' },
];

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A stored server's environment: a plain value is edited in place; a secret one is never shown (the
 * services do not send it) and is kept, replaced or removed; new rows add variables.
 */
export function EnvEditFields({
  idPrefix,
  rows,
  errorOf,
  disabled = false,
  onAdd,
  onChange,
  onRemove,
}: EnvEditFieldsProps) {
  return (
    <fieldset className="env-editor" disabled={disabled} data-testid={`${idPrefix}-env`}>
      <legend>Environment</legend>
      {rows.length === 0 && <p className="field-hint">No variables.</p>}
      {rows.map((row, i) => {
        const id = `${idPrefix}-env.${i}`;
        const error = errorOf(`env.${i}`);
        const stored = row.stored;
        const removed = stored !== null && row.action === 'remove';
        const storedSecret = stored?.secret === true;
        const valueShown = !removed && (!storedSecret || row.action === 'replace');
        return (
          <div key={row.id} className="env-row" role="group" aria-label={`Variable ${row.key || i + 1}`}>
            {stored === null ? (
              <input
                id={id}
                aria-label={`Variable ${i + 1} name`}
                aria-invalid={error !== undefined}
                className="mono"
                placeholder="NAME"
                spellCheck={false}
                value={row.key}
                data-testid={`${idPrefix}-env-key-${i}`}
                onChange={(e) => onChange(i, { key: e.target.value })}
              />
            ) : (
              <code
                className={removed ? 'muted' : undefined}
                style={removed ? { textDecoration: 'line-through' } : undefined}
                data-testid={`${idPrefix}-env-key-${i}`}
              >
                {stored.key}
              </code>
            )}
            {storedSecret ? (
              <span className="stack" style={{ gap: 4 }}>
                <select
                  id={stored !== null && !valueShown ? id : undefined}
                  aria-label={`${stored.key}: stored secret`}
                  value={row.action}
                  data-testid={`${idPrefix}-env-action-${i}`}
                  onChange={(e) => onChange(i, { action: e.target.value as EnvAction, value: '' })}
                >
                  {SECRET_ACTIONS.map((a) => (
                    <option key={a.value} value={a.value}>
                      {a.value === 'keep' ? `${SECRET_MASK} ${a.label.toLowerCase()}` : a.label}
                    </option>
                  ))}
                </select>
                {valueShown && (
                  <input
                    id={id}
                    aria-label={`${stored.key} new secret value`}
                    aria-invalid={error !== undefined}
                    type="password"
                    autoComplete="off"
                    className="mono"
                    placeholder="new value"
                    spellCheck={false}
                    value={row.value}
                    data-testid={`${idPrefix}-env-value-${i}`}
                    onChange={(e) => onChange(i, { value: e.target.value })}
                  />
                )}
              </span>
            ) : (
              <input
                id={stored !== null ? id : undefined}
                aria-label={stored !== null ? `${stored.key} value` : `Variable ${i + 1} value`}
                aria-invalid={error !== undefined}
                type={row.secret ? 'password' : 'text'}
                autoComplete="off"
                className="mono"
                placeholder={removed ? 'removed' : 'value'}
                spellCheck={false}
                disabled={removed}
                value={removed ? '' : row.value}
                data-testid={`${idPrefix}-env-value-${i}`}
                onChange={(e) => onChange(i, { value: e.target.value })}
              />
            )}
            <label className="check">
              <input
                type="checkbox"
                checked={row.secret}
                // A stored secret turns plain only with a new value: the old one is never sent here.
                disabled={removed || (storedSecret && row.action !== 'replace')}
                data-testid={`${idPrefix}-env-secret-${i}`}
                onChange={(e) => onChange(i, { secret: e.target.checked })}
              />
              secret
            </label>
            {stored === null || !storedSecret ? (
              <Button
                variant="ghost"
                aria-label={
                  stored === null
                    ? `Remove variable ${i + 1}`
                    : removed
                      ? `Keep ${stored.key}`
                      : `Remove ${stored.key}`
                }
                data-testid={`${idPrefix}-env-remove-${i}`}
                onClick={() =>
                  stored === null ? onRemove(i) : onChange(i, { action: removed ? 'keep' : 'remove' })
                }
              >
                {removed ? '↺' : '×'}
              </Button>
            ) : (
              <span />
            )}
            {error && (
              <p className="field-error env-error" role="alert" data-testid={`${idPrefix}-env-error-${i}`}>
                {capitalised(error)}
              </p>
            )}
          </div>
        );
      })}
      <div className="field-actions">
        <Button variant="ghost" onClick={onAdd} data-testid={`${idPrefix}-env-add`}>
          + Add variable
        </Button>
      </div>
    </fieldset>
  );
}
