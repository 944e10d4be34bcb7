/**
 * The Edit host form's state: the host's address, port and user to change, a new login or none, checked
 * on every keystroke against the contract's HostSetInput. Only what differs from the host is sent.
 */
import { useMemo, useState } from 'react';
import { HostSetInput, type HostView } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { fieldErrors, numberOrUndefined } from '../../../lib/form-errors';

export type LoginChoice = 'keep' | 'password' | 'key' | 'agent';

export interface HostEditValues {
  user: string;
  address: string;
  port: string;
  login: LoginChoice;
  password: string;
  privateKey: string;
  passphrase: string;
  /** Save without trying the new settings with a login. */
  noCheck: boolean;
}

export type HostEditField = Exclude<keyof HostEditValues, 'login' | 'noCheck'>;

const FIELD_OF: Record<string, HostEditField> = {
  'credential.password': 'password',
  'credential.privateKey': 'privateKey',
  'credential.passphrase': 'passphrase',
};

function initialValues(host: HostView): HostEditValues {
  return {
    user: host.user ?? '',
    address: host.address ?? '',
    port: String(host.port ?? 22),
    login: 'keep',
    password: '',
    privateKey: '',
    passphrase: '',
    noCheck: false,
  };
}

/** The input for hosts:set: fields that differ from the host, the new login if one was chosen. */
export function toHostSetInput(host: HostView, v: HostEditValues): Record<string, unknown> {
  const user = v.user.trim();
  const address = v.address.trim();
  const port = numberOrUndefined(v.port);
  const credential =
    v.login === 'password'
      ? { kind: 'password', password: v.password }
      : v.login === 'key'
        ? { kind: 'key', privateKey: v.privateKey, ...(v.passphrase ? { passphrase: v.passphrase } : {}) }
        : v.login === 'agent'
          ? { kind: 'agent' }
          : undefined;
  return {
    name: host.name,
    ...(user !== (host.user ?? '') ? { user } : {}),
    ...(address !== (host.address ?? '') ? { address } : {}),
    ...(port !== (host.port ?? 22) ? { port: port ?? Number.NaN } : {}),
    ...(credential ? { credential } : {}),
    ...(v.noCheck ? { noCheck: true } : {}),
  };
}

/** The fingerprint a host_key_mismatch refusal names as offered, for the Accept button. */
export function offeredFingerprint(error: ErrorShape | null): string | null {
  if (error?.code !== 'host_key_mismatch') return null;
  return /offered (SHA256:[A-Za-z0-9+/]{43})/.exec(error.message)?.[1] ?? null;
}

export function useHostEditForm(host: HostView) {
  const [values, setValues] = useState<HostEditValues>(() => initialValues(host));
  const [touched, setTouched] = useState<Partial<Record<HostEditField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);

  const parsed = useMemo(() => HostSetInput.safeParse(toHostSetInput(host, values)), [host, values]);
  const errors = useMemo(() => fieldErrors(parsed.error, (path) => FIELD_OF[path] ?? path), [parsed]);

  return {
    values,
    input: parsed.success ? parsed.data : null,
    set: <K extends keyof HostEditValues>(field: K, value: HostEditValues[K]) => {
      setValues((old) => ({ ...old, [field]: value }));
    },
    touch: (field: HostEditField) => {
      setTouched((old) => (old[field] ? old : { ...old, [field]: true }));
    },
    errorOf: (field: HostEditField): string | undefined =>
      submitted || touched[field] ? errors[field] : undefined,
    /** Marks the form submitted; returns the first field in error, for focus. */
    attemptSubmit: (): HostEditField | null => {
      setSubmitted(true);
      const order: HostEditField[] = ['user', 'address', 'port', 'password', 'privateKey', 'passphrase'];
      return order.find((field) => errors[field] !== undefined) ?? null;
    },
  };
}
