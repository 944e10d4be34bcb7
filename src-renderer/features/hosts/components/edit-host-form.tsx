import { useRef, type ChangeEvent, type FormEvent } from 'react';
import type { HostChanged, HostSetInput, HostView } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { Field } from '../../../components/ui/field';
import { useSetHost } from '../hooks/use-hosts';
import {
  offeredFingerprint,
  useHostEditForm,
  type HostEditField,
  type LoginChoice,
} from '../hooks/use-host-edit-form';

const LOGINS = [
  { value: 'keep', label: 'Keep the login' },
  { value: 'password', label: 'Password' },
  { value: 'key', label: 'Key' },
  { value: 'agent', label: 'SSH agent' },
] as const satisfies readonly { value: LoginChoice; label: string }[];

export interface EditHostFormProps {
  host: HostView;
  onDone: (result: HostChanged) => void;
  onCancel: () => void;
}

/**
 * Changes an SSH host's address, port, user or login. The new settings log in before they are saved
 * (unless the operator says not to); a host key other than the pinned one is shown with a button that
 * accepts exactly that fingerprint.
 */
export function EditHostForm({ host, onDone, onCancel }: EditHostFormProps) {
  const form = useHostEditForm(host);
  const save = useSetHost();
  const formRef = useRef<HTMLFormElement>(null);
  const { values } = form;
  const offered = offeredFingerprint(save.error);
  // The same settings again, with exactly the fingerprint the refusal named pinned.
  const accepting = offered && form.input ? { ...form.input, acceptHostKeySha256: offered } : null;
  const prefix = `host-edit-${host.name}`;

  function bind(field: HostEditField) {
    const error = form.errorOf(field);
    return {
      id: `${prefix}-${field}`,
      name: field,
      value: values[field],
      'data-testid': `host-edit-${field}`,
      'aria-invalid': error !== undefined,
      'aria-describedby': `${prefix}-${field}-msg`,
      onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => form.set(field, e.target.value),
      onBlur: () => form.touch(field),
    };
  }

  async function run(input: HostSetInput) {
    const result = await save.run(input);
    if (result.ok) onDone(result.data);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const firstBad = form.attemptSubmit();
    if (firstBad || !form.input) {
      formRef.current?.querySelector<HTMLElement>(`#${prefix}-${firstBad ?? 'user'}`)?.focus();
      return;
    }
    await run(form.input);
  }

  return (
    <form
      ref={formRef}
      className="form"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
      noValidate
      data-testid="host-edit-form"
    >
      <div className="field-row">
        <Field id={`${prefix}-user`} label="User" error={form.errorOf('user')} className="grow-1">
          <input {...bind('user')} autoComplete="off" spellCheck={false} />
        </Field>
        <Field id={`${prefix}-address`} label="Address" error={form.errorOf('address')} className="grow-2">
          <input {...bind('address')} spellCheck={false} />
        </Field>
        <Field id={`${prefix}-port`} label="Port" error={form.errorOf('port')} className="shrink">
          <input {...bind('port')} inputMode="numeric" />
        </Field>
      </div>
      <ChoiceGroup
        name="host-edit-login"
        label="Login"
        value={values.login}
        choices={LOGINS}
        onChange={(login) => form.set('login', login)}
      />
      {values.login === 'password' && (
        <Field
          id={`${prefix}-password`}
          label="New password"
          hint="Stored only in the encrypted store."
          error={form.errorOf('password')}
        >
          <input {...bind('password')} type="password" autoComplete="new-password" />
        </Field>
      )}
      {values.login === 'key' && (
        <>
          <Field
            id={`${prefix}-privateKey`}
            label="New private key"
            hint="Paste the key (OpenSSH or PEM). Stored only in the encrypted store."
            error={form.errorOf('privateKey')}
          >
            <textarea {...bind('privateKey')} rows={5} spellCheck={false} className="mono" />
          </Field>
          <Field
            id={`${prefix}-passphrase`}
            label="Key passphrase"
            hint="Leave empty if the key has none."
            error={form.errorOf('passphrase')}
          >
            <input {...bind('passphrase')} type="password" autoComplete="off" />
          </Field>
        </>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={values.noCheck}
          onChange={(e) => form.set('noCheck', e.target.checked)}
          data-testid="host-edit-no-check"
        />
        Save without trying the new settings (by default they must log in first)
      </label>
      {save.error && <ErrorAlert error={save.error} testId="host-edit-error" />}
      {accepting && (
        <div className="field-actions">
          <Button
            variant="danger"
            busy={save.pending}
            onClick={() => void run(accepting)}
            data-testid="host-edit-accept"
          >
            Accept host key {accepting.acceptHostKeySha256} and save
          </Button>
        </div>
      )}
      <div className="form-footer">
        <Button variant="ghost" onClick={onCancel} data-testid="host-edit-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={save.pending} data-testid="host-edit-submit">
          Save
        </Button>
      </div>
    </form>
  );
}
