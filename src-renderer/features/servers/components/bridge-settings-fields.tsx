import { BRIDGE_LIMIT_FLAGS } from '../../../../src-main/shared/bridge-settings';
import type { Mode } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import { Field } from '../../../components/ui/field';
import {
  CAP_LABELS,
  MAX_ROOTS,
  addRootRow,
  type BridgeSettingsDraft,
  type RootRow,
} from '../hooks/bridge-settings-draft';

export interface BridgeSettingsFieldsProps {
  /** Prefix of the controls' ids and test ids: root N's URI is `${idPrefix}-roots.N`. */
  idPrefix: string;
  mode: Mode;
  draft: BridgeSettingsDraft;
  /** The error to show for a field (`roots.N`, `caps.KEY`), if any. */
  errorOf: (field: string) => string | undefined;
  disabled?: boolean;
  onChange: (draft: BridgeSettingsDraft) => void;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The roots a Shared server is told (its members cannot set their own) and the bridge's caps. */
export function BridgeSettingsFields({
  idPrefix,
  mode,
  draft,
  errorOf,
  disabled = false,
  onChange,
}: BridgeSettingsFieldsProps) {
  const setRoot = (index: number, patch: Partial<Omit<RootRow, 'id'>>) =>
    onChange({ ...draft, roots: draft.roots.map((r, i) => (i === index ? { ...r, ...patch } : r)) });

  return (
    <>
      {mode === 'shared' && (
        <fieldset className="settings-group" disabled={disabled} data-testid={`${idPrefix}-roots`}>
          <legend>Roots</legend>
          <p className="field-hint">
            The folders the server is told it may work in (MCP roots), the same for every member:{' '}
            <code>file://</code> URIs, each with an optional name.
            {draft.roots.length === 0 && ' None yet.'}
          </p>
          {draft.roots.map((row, i) => {
            const id = `${idPrefix}-roots.${i}`;
            const error = errorOf(`roots.${i}`);
            return (
              <div key={row.id} className="root-row">
                <input
                  id={id}
                  aria-label={`Root ${i + 1} URI`}
                  className="mono"
                  placeholder="file:///srv/data"
                  spellCheck={false}
                  value={row.uri}
                  aria-invalid={error !== undefined}
                  aria-describedby={error ? `${id}-msg` : undefined}
                  data-testid={`${idPrefix}-root-uri-${i}`}
                  onChange={(e) => setRoot(i, { uri: e.target.value })}
                />
                <input
                  aria-label={`Root ${i + 1} name`}
                  placeholder="name (optional)"
                  spellCheck={false}
                  value={row.name}
                  data-testid={`${idPrefix}-root-name-${i}`}
                  onChange={(e) => setRoot(i, { name: e.target.value })}
                />
                <Button
                  variant="ghost"
                  aria-label={`Remove root ${i + 1}`}
                  data-testid={`${idPrefix}-root-remove-${i}`}
                  onClick={() => onChange({ ...draft, roots: draft.roots.filter((_, j) => j !== i) })}
                >
                  ×
                </Button>
                {error && (
                  <p
                    className="field-error env-error"
                    id={`${id}-msg`}
                    role="alert"
                    data-testid={`${idPrefix}-root-error-${i}`}
                  >
                    {capitalised(error)}
                  </p>
                )}
              </div>
            );
          })}
          <div className="field-actions">
            <Button
              variant="ghost"
              disabled={draft.roots.length >= MAX_ROOTS}
              onClick={() => onChange(addRootRow(draft))}
              data-testid={`${idPrefix}-root-add`}
            >
              + Add root
            </Button>
          </div>
        </fieldset>
      )}
      <fieldset className="settings-group" disabled={disabled} data-testid={`${idPrefix}-caps`}>
        <legend>Caps</legend>
        <p className="field-hint">
          Empty: the bridge&apos;s default. The member caps are each member&apos;s share unless the member has
          limits of its own.
        </p>
        <div className="field-row caps-row">
          {BRIDGE_LIMIT_FLAGS.map(([key, , whole]) => {
            const id = `${idPrefix}-caps.${key}`;
            const error = errorOf(`caps.${key}`);
            return (
              <Field key={key} id={id} label={CAP_LABELS[key]} error={error} className="narrow">
                <input
                  id={id}
                  inputMode={whole ? 'numeric' : 'decimal'}
                  placeholder="default"
                  value={draft.caps[key]}
                  aria-invalid={error !== undefined}
                  aria-describedby={error ? `${id}-msg` : undefined}
                  data-testid={`${idPrefix}-cap-${key}`}
                  onChange={(e) => onChange({ ...draft, caps: { ...draft.caps, [key]: e.target.value } })}
                />
              </Field>
            );
          })}
        </div>
      </fieldset>
    </>
  );
}
