import { useRef, type ChangeEvent, type FormEvent } from 'react';
import type { HostView } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { ErrorAlert } from '../../../components/ui/alert';
import { Field } from '../../../components/ui/field';
import { navigate } from '../../../lib/router';
import { useAddHost } from '../hooks/use-hosts';
import { useHostForm, type HostField, type HostMethod } from '../hooks/use-host-form';

const METHODS = [
  { value: 'password', label: 'SSH · password' },
  { value: 'key', label: 'SSH · key' },
  { value: 'local', label: 'This machine' },
] as const satisfies readonly { value: HostMethod; label: string }[];

export interface AddHostFormProps {
  /** After the host is stored; the Hosts page by default. */
  onDone?: (host: HostView) => void;
  onCancel?: () => void;
}

const toHosts = () => navigate({ page: 'hosts' });

export function AddHostForm({ onDone = toHosts, onCancel = toHosts }: AddHostFormProps) {
  const form = useHostForm();
  const add = useAddHost();
  const formRef = useRef<HTMLFormElement>(null);
  const { values } = form;
  const ssh = values.method !== 'local';

  /** Props shared by every text control: value, change, blur-to-touch, error wiring, test id. */
  function bind(field: HostField) {
    const error = form.errorOf(field);
    return {
      id: `host-${field}`,
      name: field,
      value: values[field],
      'data-testid': `host-${field}`,
      'aria-invalid': error !== undefined,
      'aria-describedby': `host-${field}-msg`,
      onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => form.set(field, e.target.value),
      onBlur: () => form.touch(field),
    };
  }

  async function loadKeyFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    form.set('privateKey', await file.text());
    form.touch('privateKey');
    e.target.value = '';
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const firstBad = form.attemptSubmit();
    if (firstBad || !form.input) {
      formRef.current?.querySelector<HTMLElement>(`#host-${firstBad ?? 'name'}`)?.focus();
      return;
    }
    const result = await add.run(form.input);
    if (result.ok) onDone(result.data);
  }

  return (
    <form
      ref={formRef}
      className="form"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
      noValidate
      data-testid="host-form"
    >
      <ChoiceGroup
        name="host-method"
        label="Connect with"
        value={values.method}
        choices={METHODS}
        onChange={(method) => form.set('method', method)}
      />
      <Field
        id="host-name"
        label="Name"
        hint="How the fleet refers to this host, e.g. lab or db-1."
        error={form.errorOf('name')}
      >
        <input {...bind('name')} autoFocus autoComplete="off" spellCheck={false} />
      </Field>
      {ssh && (
        <div className="field-row">
          <Field id="host-user" label="User" error={form.errorOf('user')} className="grow-1">
            <input {...bind('user')} autoComplete="username" spellCheck={false} placeholder="deploy" />
          </Field>
          <Field id="host-address" label="Address" error={form.errorOf('address')} className="grow-2">
            <input {...bind('address')} spellCheck={false} placeholder="10.0.0.12 or db-1.internal" />
          </Field>
          <Field id="host-port" label="Port" error={form.errorOf('port')} className="shrink">
            <input {...bind('port')} inputMode="numeric" />
          </Field>
        </div>
      )}
      {values.method === 'password' && (
        <Field
          id="host-password"
          label="Password"
          hint="Stored only in the encrypted store."
          error={form.errorOf('password')}
        >
          <input {...bind('password')} type="password" autoComplete="new-password" />
        </Field>
      )}
      {values.method === 'key' && (
        <>
          <Field
            id="host-privateKey"
            label="Private key"
            hint="Paste the key (OpenSSH or PEM) or load its file. Stored only in the encrypted store."
            error={form.errorOf('privateKey')}
          >
            <textarea
              {...bind('privateKey')}
              rows={5}
              spellCheck={false}
              className="mono"
              placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
            />
          </Field>
          <div className="field-actions">
            <label className="btn btn-secondary file-button">
              Load key file…
              <input type="file" onChange={(e) => void loadKeyFile(e)} data-testid="host-key-file" />
            </label>
          </div>
          <Field
            id="host-passphrase"
            label="Key passphrase"
            hint="Leave empty if the key has none."
            error={form.errorOf('passphrase')}
          >
            <input {...bind('passphrase')} type="password" autoComplete="off" />
          </Field>
        </>
      )}
      {ssh && (
        <Field
          id="host-fingerprint"
          label="Host key fingerprint"
          hint="Optional. Leave empty to pin the key the host presents on first connect."
          error={form.errorOf('fingerprint')}
        >
          <input {...bind('fingerprint')} spellCheck={false} className="mono" placeholder="SHA256:…" />
        </Field>
      )}
      {add.error && <ErrorAlert error={add.error} testId="host-form-error" />}
      <div className="form-footer">
        <Button variant="ghost" onClick={onCancel} data-testid="host-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={add.pending} data-testid="host-submit">
          Add host
        </Button>
      </div>
    </form>
  );
}
