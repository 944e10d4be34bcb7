import type { Mode } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import {
  MAX_EXTRA_HOSTS,
  MAX_MOUNTS,
  addExtraHostRow,
  addMountRow,
  bindsDockerSocket,
  type ExtraHostRow,
  type MountRow,
  type ReachDraft,
} from '../hooks/reach-draft';

export interface ReachFieldsProps {
  /** Prefix of the controls' ids and test ids: mount N's host path is `${idPrefix}-mount-source-N`. */
  idPrefix: string;
  mode: Mode;
  draft: ReachDraft;
  /** The error to show for a field (`reach.mounts.N`, `reach.networks`, `reach.extraHosts.N`, `reach`). */
  errorOf: (field: string) => string | undefined;
  disabled?: boolean;
  onChange: (draft: ReachDraft) => void;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Two path fields, read-only, (shared), remove; the error under them. */
const MOUNT_COLUMNS = 'minmax(0, 3fr) minmax(0, 3fr) auto auto auto';
const HOST_COLUMNS = 'minmax(0, 3fr) minmax(0, 2fr) auto';

/**
 * What a server reaches on its host: bind mounts of host folders (read-only unless unticked), named
 * volumes (one per member on a Dedicated server unless shared), existing Docker networks and extra
 * /etc/hosts lines. Whether a path or network exists is checked by the deploy on the host itself.
 */
export function ReachFields({
  idPrefix,
  mode,
  draft,
  errorOf,
  disabled = false,
  onChange,
}: ReachFieldsProps) {
  const setMount = (index: number, patch: Partial<Omit<MountRow, 'id'>>) =>
    onChange({ ...draft, mounts: draft.mounts.map((m, i) => (i === index ? { ...m, ...patch } : m)) });
  const setHost = (index: number, patch: Partial<Omit<ExtraHostRow, 'id'>>) =>
    onChange({
      ...draft,
      extraHosts: draft.extraHosts.map((h, i) => (i === index ? { ...h, ...patch } : h)),
    });
  const networksError = errorOf('reach.networks');
  const wholeError = errorOf('reach');
  const socket = bindsDockerSocket(draft);

  return (
    <fieldset className="settings-group" disabled={disabled} data-testid={`${idPrefix}-reach`}>
      <legend>Host access</legend>
      <p className="field-hint">
        Folders, volumes and networks of the host the server may use. A bind mount is read-only unless you
        untick it; the host path must exist on the host when it deploys.
        {draft.mounts.length === 0 && ' No mounts yet.'}
      </p>
      {draft.mounts.map((row, i) => {
        const id = `${idPrefix}-reach.mounts.${i}`;
        const error = errorOf(`reach.mounts.${i}`);
        const bind = row.kind === 'bind';
        return (
          <div
            key={row.id}
            className="root-row"
            style={{ gridTemplateColumns: MOUNT_COLUMNS }}
            role="group"
            aria-label={`Mount ${i + 1}`}
            data-testid={`${idPrefix}-mount-${i}`}
          >
            <input
              id={id}
              aria-label={bind ? `Mount ${i + 1} host path` : `Mount ${i + 1} volume name`}
              className="mono"
              placeholder={bind ? '/srv/data (host path)' : 'data (volume name)'}
              spellCheck={false}
              value={row.source}
              aria-invalid={error !== undefined}
              aria-describedby={error ? `${id}-msg` : undefined}
              data-testid={`${idPrefix}-mount-source-${i}`}
              onChange={(e) => setMount(i, { source: e.target.value })}
            />
            <input
              aria-label={`Mount ${i + 1} container path`}
              className="mono"
              placeholder="/data (in the container)"
              spellCheck={false}
              value={row.target}
              aria-invalid={error !== undefined}
              data-testid={`${idPrefix}-mount-target-${i}`}
              onChange={(e) => setMount(i, { target: e.target.value })}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={row.readOnly}
                data-testid={`${idPrefix}-mount-readonly-${i}`}
                onChange={(e) => setMount(i, { readOnly: e.target.checked })}
              />
              read-only
            </label>
            {!bind && mode === 'dedicated' ? (
              <label
                className="check"
                title="One volume for every member instead of one each; members then see each other's files"
              >
                <input
                  type="checkbox"
                  checked={row.shared}
                  data-testid={`${idPrefix}-mount-shared-${i}`}
                  onChange={(e) => setMount(i, { shared: e.target.checked })}
                />
                shared
              </label>
            ) : (
              <span />
            )}
            <Button
              variant="ghost"
              aria-label={`Remove mount ${i + 1}`}
              data-testid={`${idPrefix}-mount-remove-${i}`}
              onClick={() => onChange({ ...draft, mounts: draft.mounts.filter((_, j) => j !== i) })}
            >
              ×
            </Button>
            {error && (
              <p
                className="field-error env-error"
                id={`${id}-msg`}
                role="alert"
                data-testid={`${idPrefix}-mount-error-${i}`}
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
          disabled={draft.mounts.length >= MAX_MOUNTS}
          onClick={() => onChange(addMountRow(draft, 'bind'))}
          data-testid={`${idPrefix}-mount-add-bind`}
        >
          + Add host folder
        </Button>
        <Button
          variant="ghost"
          disabled={draft.mounts.length >= MAX_MOUNTS}
          onClick={() => onChange(addMountRow(draft, 'volume'))}
          data-testid={`${idPrefix}-mount-add-volume`}
        >
          + Add volume
        </Button>
      </div>
      {mode === 'dedicated' && draft.mounts.some((m) => m.kind === 'volume') && (
        <p className="field-hint">
          Each member gets a volume of its own unless it is marked shared, so members never see each
          other&apos;s files.
        </p>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={draft.allowDockerSocket}
          data-testid={`${idPrefix}-allow-docker-socket`}
          onChange={(e) => onChange({ ...draft, allowDockerSocket: e.target.checked })}
        />
        Allow the Docker socket
      </label>
      {(draft.allowDockerSocket || socket) && (
        <p className="notice notice-warn" data-testid={`${idPrefix}-docker-socket-warning`}>
          A server with the Docker socket controls the host&apos;s Docker engine, and so the whole host: it
          can start a container that mounts any folder as root. Allow it only for a server you trust as you
          trust the host&apos;s administrators.
        </p>
      )}
      <div className={networksError ? 'field field-invalid' : 'field'}>
        <label htmlFor={`${idPrefix}-reach.networks`}>Networks</label>
        <input
          id={`${idPrefix}-reach.networks`}
          className="mono"
          placeholder="none"
          spellCheck={false}
          value={draft.networks}
          aria-invalid={networksError !== undefined}
          aria-describedby={`${idPrefix}-reach.networks-msg`}
          data-testid={`${idPrefix}-networks`}
          onChange={(e) => onChange({ ...draft, networks: e.target.value })}
        />
        {networksError ? (
          <p
            className="field-error"
            id={`${idPrefix}-reach.networks-msg`}
            role="alert"
            data-testid={`${idPrefix}-networks-error`}
          >
            {capitalised(networksError)}
          </p>
        ) : (
          <p className="field-hint" id={`${idPrefix}-reach.networks-msg`}>
            Existing Docker networks to join, such as a database&apos;s; separated by commas.
          </p>
        )}
      </div>
      <p className="field-hint">
        Extra hosts: names the container resolves to the address you give (its /etc/hosts).
        {draft.extraHosts.length === 0 && ' None yet.'}
      </p>
      {draft.extraHosts.map((row, i) => {
        const id = `${idPrefix}-reach.extraHosts.${i}`;
        const error = errorOf(`reach.extraHosts.${i}`);
        return (
          <div
            key={row.id}
            className="root-row"
            style={{ gridTemplateColumns: HOST_COLUMNS }}
            role="group"
            aria-label={`Extra host ${i + 1}`}
          >
            <input
              id={id}
              aria-label={`Extra host ${i + 1} name`}
              className="mono"
              placeholder="db.internal"
              spellCheck={false}
              value={row.name}
              aria-invalid={error !== undefined}
              aria-describedby={error ? `${id}-msg` : undefined}
              data-testid={`${idPrefix}-extra-host-name-${i}`}
              onChange={(e) => setHost(i, { name: e.target.value })}
            />
            <input
              aria-label={`Extra host ${i + 1} address`}
              className="mono"
              placeholder="10.0.0.5"
              spellCheck={false}
              value={row.ip}
              aria-invalid={error !== undefined}
              data-testid={`${idPrefix}-extra-host-ip-${i}`}
              onChange={(e) => setHost(i, { ip: e.target.value })}
            />
            <Button
              variant="ghost"
              aria-label={`Remove extra host ${i + 1}`}
              data-testid={`${idPrefix}-extra-host-remove-${i}`}
              onClick={() => onChange({ ...draft, extraHosts: draft.extraHosts.filter((_, j) => j !== i) })}
            >
              ×
            </Button>
            {error && (
              <p
                className="field-error env-error"
                id={`${id}-msg`}
                role="alert"
                data-testid={`${idPrefix}-extra-host-error-${i}`}
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
          disabled={draft.extraHosts.length >= MAX_EXTRA_HOSTS}
          onClick={() => onChange(addExtraHostRow(draft))}
          data-testid={`${idPrefix}-extra-host-add`}
        >
          + Add extra host
        </Button>
      </div>
      {wholeError && (
        <p className="field-error" role="alert" data-testid={`${idPrefix}-reach-error`}>
          {capitalised(wholeError)}
        </p>
      )}
    </fieldset>
  );
}
