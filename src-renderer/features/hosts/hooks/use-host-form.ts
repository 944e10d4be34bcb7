/**
 * The Add host form's state: raw text values, validated on every keystroke against the contract's
 * HostAddInput, errors shown per field once it was touched (or after a submit attempt).
 */
import { useMemo, useState } from 'react';
import { HostAddInput } from '../../../../src-main/shared/contract';
import { fieldErrors, numberOrUndefined } from '../../../lib/form-errors';

export type HostMethod = 'password' | 'key' | 'local';

export interface HostFormValues {
  name: string;
  method: HostMethod;
  user: string;
  address: string;
  port: string;
  password: string;
  privateKey: string;
  passphrase: string;
  fingerprint: string;
}

export type HostField = keyof HostFormValues;

const initial: HostFormValues = {
  name: '',
  method: 'password',
  user: '',
  address: '',
  port: '22',
  password: '',
  privateKey: '',
  passphrase: '',
  fingerprint: '',
};

export function toHostInput(v: HostFormValues): unknown {
  if (v.method === 'local') return { kind: 'local', name: v.name.trim() };
  const credential =
    v.method === 'password'
      ? { kind: 'password', password: v.password }
      : { kind: 'key', privateKey: v.privateKey, ...(v.passphrase ? { passphrase: v.passphrase } : {}) };
  const fingerprint = v.fingerprint.trim();
  return {
    kind: 'ssh',
    name: v.name.trim(),
    user: v.user.trim(),
    address: v.address.trim(),
    port: numberOrUndefined(v.port),
    credential,
    ...(fingerprint ? { hostKeySha256: fingerprint } : {}),
  };
}

const FIELD_OF: Record<string, HostField> = {
  'credential.password': 'password',
  'credential.privateKey': 'privateKey',
  'credential.passphrase': 'passphrase',
  hostKeySha256: 'fingerprint',
};

export function useHostForm() {
  const [values, setValues] = useState<HostFormValues>(initial);
  const [touched, setTouched] = useState<Partial<Record<HostField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);

  const parsed = useMemo(() => HostAddInput.safeParse(toHostInput(values)), [values]);
  const errors = useMemo(() => fieldErrors(parsed.error, (path) => FIELD_OF[path] ?? path), [parsed]);

  return {
    values,
    valid: parsed.success,
    input: parsed.success ? parsed.data : null,
    set: <K extends HostField>(field: K, value: HostFormValues[K]) => {
      setValues((old) => ({ ...old, [field]: value }));
    },
    touch: (field: HostField) => {
      setTouched((old) => (old[field] ? old : { ...old, [field]: true }));
    },
    /** The error to show for a field now, if any. */
    errorOf: (field: HostField): string | undefined => {
      return submitted || touched[field] ? errors[field] : undefined;
    },
    /** Marks the form submitted; returns the first field in error, for focus. */
    attemptSubmit: (): HostField | null => {
      setSubmitted(true);
      const order: HostField[] = [
        'name',
        'user',
        'address',
        'port',
        'password',
        'privateKey',
        'passphrase',
        'fingerprint',
      ];
      return order.find((field) => errors[field] !== undefined) ?? null;
    },
  };
}
