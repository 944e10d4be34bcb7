/**
 * The Add server form's state, validated on every keystroke against the contract's ServerAddInput plus
 * the one rule a schema of independent entries cannot see: an env key given twice.
 */
import { useMemo, useState } from 'react';
import { ServerAddInput, type Mode, type ServerSource } from '../../../../src-main/shared/contract';
import { fieldErrors, numberOrUndefined, type FieldErrors } from '../../../lib/form-errors';
import {
  bridgeSettingsErrors,
  bridgeSettingsInput,
  emptyBridgeSettings,
  typedIn,
  type BridgeSettingsDraft,
} from './bridge-settings-draft';
import {
  emptyReach,
  isEmptyReach,
  reachErrors,
  reachFieldOrder,
  reachInput,
  reachTypedIn,
  type ReachDraft,
} from './reach-draft';
import { lookupKey, useVersionLookup, type VersionLookup } from './use-version-lookup';

export interface EnvRow {
  /** Stable React key; rows can be removed from the middle. */
  id: number;
  key: string;
  value: string;
  secret: boolean;
}

export interface ServerFormValues {
  name: string;
  sourceKind: ServerSource['kind'];
  sourceValue: string;
  /** Appended to the package (`@1.2.3`) or image (`:1.2.3`); empty when the value carries it already. */
  version: string;
  /** One argument per line. */
  args: string;
  env: EnvRow[];
  mode: Mode;
  port: string;
  /** Advanced: the roots (Shared only) and the bridge's caps. */
  bridge: BridgeSettingsDraft;
  /** Advanced: the mounts, volumes, networks and extra hosts it reaches on its host. */
  reach: ReachDraft;
}

const initial: ServerFormValues = {
  name: '',
  sourceKind: 'npx',
  sourceValue: '',
  version: '',
  args: '',
  env: [],
  mode: 'shared',
  port: '',
  bridge: emptyBridgeSettings(),
  reach: emptyReach(),
};

/** The source value with its version: `pkg@1.2.3` for npx and uvx, `image:1.2.3` for an image. */
export function sourceWithVersion(kind: ServerSource['kind'], value: string, version: string): string {
  const v = version.trim();
  if (v === '' || kind === 'command' || value === '') return value;
  return kind === 'image' ? `${value}:${v}` : `${value}@${v}`;
}

/** The form as ServerAddInput; the bridge settings only when valid (their errors come from their rules). */
export function toServerInput(v: ServerFormValues): unknown {
  const port = numberOrUndefined(v.port);
  const bridge = bridgeSettingsInput(v.bridge, v.mode);
  // None is sent as nothing; one in error is left out too (its errors come from its own rules).
  const reach = isEmptyReach(v.reach) ? null : reachInput(v.reach);
  return {
    name: v.name.trim(),
    source: { kind: v.sourceKind, value: sourceWithVersion(v.sourceKind, v.sourceValue.trim(), v.version) },
    args: v.args.split('\n').filter((line) => line.trim() !== ''),
    env: v.env.map(({ key, value, secret }) => ({ key: key.trim(), value, secret })),
    mode: v.mode,
    ...(port !== undefined ? { port } : {}),
    ...(bridge ? { roots: bridge.roots, bridgeLimits: bridge.limits } : {}),
    ...(reach ? { reach } : {}),
  };
}

function duplicateKeys(env: EnvRow[]): FieldErrors {
  const seen = new Map<string, number>();
  const out: FieldErrors = {};
  env.forEach((row, i) => {
    const key = row.key.trim();
    if (key === '') return;
    if (seen.has(key)) out[`env.${i}.key`] = `is already set above (${key})`;
    else seen.set(key, i);
  });
  return out;
}

/** The version field's own rule: one word, no separators that would change what the value means. */
function versionErrors(v: ServerFormValues): FieldErrors {
  const version = v.version.trim();
  if (version === '' || v.sourceKind === 'command') return {};
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(version))
    return { version: 'must be letters, digits, ".", "_", "+" or "-", e.g. 1.4.2' };
  if (v.sourceKind !== 'image' && /@[^/]*$/.test(v.sourceValue.trim().slice(1)))
    return { version: 'is already given in the package (@…); leave one of them empty' };
  if (v.sourceKind === 'image' && /[:@][^/]*$/.test(v.sourceValue.trim()))
    return { version: 'is already given in the image (:tag or @digest); leave one of them empty' };
  return {};
}

/** An npx/uvx package left without a version must be pinnable: the registry answered, or is asked. */
function lookupErrors(v: ServerFormValues, lookup: VersionLookup): FieldErrors {
  if (lookup.state !== 'failed' || v.version.trim() !== '') return {};
  return { version: `is needed: ${lookup.error.message}` };
}

export type ServerForm = ReturnType<typeof useServerForm>;

export function useServerForm() {
  const [values, setValues] = useState<ServerFormValues>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [nextId, setNextId] = useState(1);
  const lookup = useVersionLookup(values.sourceKind, values.sourceValue, values.version);
  /** The package whose suggested version the operator emptied: not suggested again for that package. */
  const [declined, setDeclined] = useState<string | null>(null);
  const suggested = lookup.state === 'found' && lookup.key !== declined ? lookup.pin.version : null;
  // The registry's version stands in the empty field until the operator types another; a new package
  // gets its own, since the field itself stays empty.
  const shown = useMemo(
    () => (suggested === null || values.version !== '' ? values : { ...values, version: suggested }),
    [values, suggested],
  );

  const parsed = useMemo(() => ServerAddInput.safeParse(toServerInput(shown)), [shown]);
  const errors = useMemo<FieldErrors>(
    () => ({
      ...fieldErrors(parsed.error, (path) =>
        path.startsWith('args') ? 'args' : path === 'source.value' ? 'sourceValue' : path,
      ),
      ...duplicateKeys(shown.env),
      ...versionErrors(shown),
      ...lookupErrors(shown, lookup),
      ...bridgeSettingsErrors(shown.bridge, shown.mode),
      ...reachErrors(shown.reach),
    }),
    [parsed, shown, lookup],
  );
  const valid = parsed.success && Object.keys(errors).length === 0;

  return {
    values: shown,
    valid,
    input: valid && parsed.success ? parsed.data : null,
    /** What the registry says of the package while the version field is empty. */
    lookup,
    /** The version shown is the registry's latest, not one the operator typed. */
    suggested: suggested !== null && values.version === '',
    set: <K extends keyof ServerFormValues>(field: K, value: ServerFormValues[K]) => {
      if (field === 'version') {
        setDeclined(value === '' ? lookupKey(values.sourceKind, values.sourceValue, '') : null);
      }
      setValues((old) => ({ ...old, [field]: value }));
    },
    addEnv: () => {
      setValues((old) => ({ ...old, env: [...old.env, { id: nextId, key: '', value: '', secret: false }] }));
      setNextId((n) => n + 1);
    },
    setEnv: (index: number, patch: Partial<Omit<EnvRow, 'id'>>) => {
      setValues((old) => ({
        ...old,
        env: old.env.map((row, i) => (i === index ? { ...row, ...patch } : row)),
      }));
    },
    removeEnv: (index: number) => {
      setValues((old) => ({ ...old, env: old.env.filter((_, i) => i !== index) }));
    },
    touch: (field: string) => {
      setTouched((old) => (old[field] ? old : { ...old, [field]: true }));
    },
    errorOf: (field: string): string | undefined => {
      // A version the registry could not give shows at once, not only once the field was visited.
      const now = submitted || touched[field] || (field === 'version' && lookup.state === 'failed');
      return now ? errors[field] : undefined;
    },
    /** The bridge settings' errors (`roots.N`, `caps.KEY`): shown as typed, all once submitted. */
    bridgeErrorOf: (field: string): string | undefined => {
      return submitted || typedIn(values.bridge, field) ? errors[field] : undefined;
    },
    /** The host access errors (`reach.mounts.N`, `reach.networks`, …): shown as typed, all once submitted. */
    reachErrorOf: (field: string): string | undefined => {
      return submitted || reachTypedIn(values.reach, field) ? errors[field] : undefined;
    },
    /** Back to an empty form. */
    reset: () => {
      setDeclined(null);
      setValues(initial);
      setTouched({});
      setSubmitted(false);
    },
    /** Marks the form submitted; returns the DOM id suffix of the first field in error. */
    attemptSubmit: (): string | null => {
      setSubmitted(true);
      const order = [
        'name',
        'sourceValue',
        'version',
        'args',
        ...values.env.flatMap((_, i) => [`env.${i}.key`, `env.${i}.value`]),
        'port',
        ...values.bridge.roots.map((_, i) => `roots.${i}`),
        ...Object.keys(values.bridge.caps).map((key) => `caps.${key}`),
        ...reachFieldOrder(values.reach),
      ];
      return order.find((field) => errors[field] !== undefined) ?? Object.keys(errors)[0] ?? null;
    },
  };
}
