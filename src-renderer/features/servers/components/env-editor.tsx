import { Button } from '../../../components/ui/button';
import type { EnvRow } from '../hooks/use-server-form';

export interface EnvEditorProps {
  rows: EnvRow[];
  errorOf: (field: string) => string | undefined;
  onAdd: () => void;
  onChange: (index: number, patch: Partial<Omit<EnvRow, 'id'>>) => void;
  onRemove: (index: number) => void;
  onTouch: (field: string) => void;
}

/** Environment variables, one row each; a secret value is masked and never comes back from the services. */
export function EnvEditor({ rows, errorOf, onAdd, onChange, onRemove, onTouch }: EnvEditorProps) {
  return (
    <fieldset className="env-editor" data-testid="server-env">
      <legend>Environment</legend>
      {rows.length === 0 && (
        <p className="field-hint">No variables. Secret values are stored encrypted and shown as ••••.</p>
      )}
      {rows.map((row, i) => {
        const keyError = errorOf(`env.${i}.key`);
        const valueError = errorOf(`env.${i}.value`);
        return (
          <div key={row.id} className="env-row">
            <input
              id={`server-env.${i}.key`}
              aria-label={`Variable ${i + 1} name`}
              aria-invalid={keyError !== undefined}
              className="mono"
              placeholder="NAME"
              spellCheck={false}
              value={row.key}
              data-testid={`server-env-key-${i}`}
              onChange={(e) => onChange(i, { key: e.target.value })}
              onBlur={() => onTouch(`env.${i}.key`)}
            />
            <input
              id={`server-env.${i}.value`}
              aria-label={`Variable ${i + 1} value`}
              aria-invalid={valueError !== undefined}
              type={row.secret ? 'password' : 'text'}
              autoComplete="off"
              className="mono"
              placeholder="value"
              spellCheck={false}
              value={row.value}
              data-testid={`server-env-value-${i}`}
              onChange={(e) => onChange(i, { value: e.target.value })}
              onBlur={() => onTouch(`env.${i}.value`)}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={row.secret}
                data-testid={`server-env-secret-${i}`}
                onChange={(e) => onChange(i, { secret: e.target.checked })}
              />
              secret
            </label>
            <Button
              variant="ghost"
              aria-label={`Remove variable ${i + 1}`}
              data-testid={`server-env-remove-${i}`}
              onClick={() => onRemove(i)}
            >
              ×
            </Button>
            {(keyError ?? valueError) && (
              <p className="field-error env-error" role="alert" data-testid={`server-env-error-${i}`}>
                {keyError ? `Name ${keyError}` : `Value ${valueError}`}
              </p>
            )}
          </div>
        );
      })}
      <div className="field-actions">
        <Button variant="ghost" onClick={onAdd} data-testid="server-env-add">
          + Add variable
        </Button>
      </div>
    </fieldset>
  );
}
