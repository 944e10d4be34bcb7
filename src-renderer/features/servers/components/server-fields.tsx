import { useState, type ChangeEvent } from 'react';
import type { ServerSource } from '../../../../src-main/shared/contract';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { Field } from '../../../components/ui/field';
import type { ServerForm } from '../hooks/use-server-form';
import { BridgeSettingsFields } from './bridge-settings-fields';
import { EnvEditor } from './env-editor';
import { ReachFields } from './reach-fields';
import { reachFieldOrder } from '../hooks/reach-draft';

export const SOURCES: Record<
  ServerSource['kind'],
  { label: string; valueLabel: string; placeholder: string; versionPlaceholder: string }
> = {
  npx: {
    label: 'npm (npx)',
    valueLabel: 'Package',
    placeholder: '@modelcontextprotocol/server-everything',
    versionPlaceholder: 'e.g. 2026.8.31',
  },
  uvx: {
    label: 'PyPI (uvx)',
    valueLabel: 'Package',
    placeholder: 'mcp-server-fetch',
    versionPlaceholder: 'e.g. 2025.4.7',
  },
  image: {
    label: 'OCI image',
    valueLabel: 'Image',
    placeholder: 'ghcr.io/acme/mcp-server',
    versionPlaceholder: 'e.g. 1.4.2',
  },
  command: {
    label: 'Command',
    valueLabel: 'Executable',
    placeholder: '/usr/local/bin/my-mcp-server',
    versionPlaceholder: '',
  },
};

const MODES = [
  { value: 'shared', label: 'Shared · one instance for everybody' },
  { value: 'dedicated', label: 'Dedicated · one instance per member' },
] as const;

type TextField = 'name' | 'sourceValue' | 'version' | 'args' | 'port';

/** What the version field says while the registry is asked, and where a filled-in version came from. */
function versionHint(form: ServerForm): string | undefined {
  const { lookup, values } = form;
  if (values.sourceKind !== 'npx' && values.sourceKind !== 'uvx') return undefined;
  if (lookup.state === 'pending') return 'Asking the registry for the latest…';
  if (lookup.state !== 'found') return undefined;
  return form.suggested
    ? `The latest on ${lookup.pin.registry}; type another to pin it instead.`
    : `Empty: the latest, ${lookup.pin.version}, is pinned.`;
}

/** The fields of a server definition, validated as the operator types (the Add form and the wizard). */
export function ServerFields({ form, autoFocus = true }: { form: ServerForm; autoFocus?: boolean }) {
  const { values } = form;
  const source = SOURCES[values.sourceKind];
  const [advanced, setAdvanced] = useState(false);
  const bridgeFields = [
    ...values.bridge.roots.map((_, i) => `roots.${i}`),
    ...Object.keys(values.bridge.caps).map((key) => `caps.${key}`),
  ];
  // An error in the advanced settings opens them, so the operator sees what holds the form back.
  const advancedError =
    bridgeFields.some((field) => form.bridgeErrorOf(field) !== undefined) ||
    reachFieldOrder(values.reach).some((field) => form.reachErrorOf(field) !== undefined);

  function bind(field: TextField) {
    const error = form.errorOf(field);
    return {
      id: `server-${field}`,
      name: field,
      value: values[field],
      'data-testid': `server-${field}`,
      'aria-invalid': error !== undefined,
      'aria-describedby': `server-${field}-msg`,
      onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
        form.set(field, e.target.value);
        // Errors show from the first keystroke on, not only after leaving the field.
        form.touch(field);
      },
      onBlur: () => form.touch(field),
    };
  }

  return (
    <>
      <Field
        id="server-name"
        label="Name"
        hint="Also names its containers, e.g. everything or memory-team-a."
        error={form.errorOf('name')}
      >
        <input {...bind('name')} autoFocus={autoFocus} autoComplete="off" spellCheck={false} />
      </Field>
      <div className="field-row">
        <Field id="server-sourceKind" label="Source" className="shrink">
          <select
            id="server-sourceKind"
            value={values.sourceKind}
            data-testid="server-sourceKind"
            onChange={(e) => form.set('sourceKind', e.target.value as ServerSource['kind'])}
          >
            {Object.entries(SOURCES).map(([kind, { label }]) => (
              <option key={kind} value={kind}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="server-sourceValue"
          label={source.valueLabel}
          hint={
            values.sourceKind === 'npx' || values.sourceKind === 'uvx'
              ? 'Pinned to one version, so every deploy runs the same code: the latest unless you give one.'
              : 'Pin a version so every deploy runs the same code.'
          }
          error={form.errorOf('sourceValue')}
          className="grow-2"
        >
          <input
            {...bind('sourceValue')}
            className="mono"
            spellCheck={false}
            placeholder={source.placeholder}
          />
        </Field>
        {values.sourceKind !== 'command' && (
          <Field
            id="server-version"
            label="Version"
            hint={versionHint(form)}
            error={form.errorOf('version')}
            className="grow-1"
          >
            <input
              {...bind('version')}
              className="mono"
              spellCheck={false}
              placeholder={form.lookup.state === 'pending' ? 'looking up…' : source.versionPlaceholder}
              data-lookup={form.suggested ? 'suggested' : form.lookup.state}
            />
          </Field>
        )}
      </div>
      <Field
        id="server-args"
        label="Arguments"
        hint="One per line, passed as they are (no shell)."
        error={form.errorOf('args')}
      >
        <textarea {...bind('args')} rows={2} className="mono" spellCheck={false} />
      </Field>
      <EnvEditor
        rows={values.env}
        errorOf={form.errorOf}
        onAdd={form.addEnv}
        onChange={form.setEnv}
        onRemove={form.removeEnv}
        onTouch={form.touch}
      />
      <ChoiceGroup
        name="server-mode"
        label="Mode"
        value={values.mode}
        choices={MODES}
        onChange={(mode) => form.set('mode', mode)}
      />
      <Field
        id="server-port"
        label="Port"
        hint="Optional. The host port the bridge listens on; chosen at deploy when empty."
        error={form.errorOf('port')}
        className="narrow"
      >
        <input {...bind('port')} inputMode="numeric" placeholder="auto" />
      </Field>
      <details
        className="advanced"
        open={advanced || advancedError}
        onToggle={(e) => setAdvanced(e.currentTarget.open)}
        data-testid="server-advanced"
      >
        <summary>
          Advanced: {values.mode === 'shared' ? 'roots, bridge caps' : 'bridge caps'} and host access
        </summary>
        <div className="advanced-body">
          <BridgeSettingsFields
            idPrefix="server"
            mode={values.mode}
            draft={values.bridge}
            errorOf={form.bridgeErrorOf}
            onChange={(bridge) => form.set('bridge', bridge)}
          />
          <ReachFields
            idPrefix="server"
            mode={values.mode}
            draft={values.reach}
            errorOf={form.reachErrorOf}
            onChange={(reach) => form.set('reach', reach)}
          />
        </div>
      </details>
    </>
  );
}
