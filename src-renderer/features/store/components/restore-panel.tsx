import { useState } from 'react';
import { ErrorAlert } from '../../../components/ui/alert';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { Field } from '../../../components/ui/field';
import { useRestore } from '../hooks/use-store-maintenance';

/** Replaces the store with a backup file chosen here; asks once more before it does. */
export function RestorePanel() {
  const restore = useRestore();
  const [backupPassphrase, setBackupPassphrase] = useState('');
  const { done } = restore;
  return (
    <section className="panel stack" data-testid="store-restore">
      <header className="panel-header">
        <h2>Restore</h2>
        <span className="muted">replaces everything in the store</span>
      </header>
      <p className="muted">
        Hosts, servers, members, instances and the audit log become what the backup holds; what changed since
        is gone. The store as it is now is kept beside it, and the store keeps its current passphrase. Close
        other MCP Fleet windows, web mode and CLI commands on this store first.
      </p>
      <div className="field-actions">
        <label className="btn btn-secondary file-button">
          {restore.file ? 'Choose another file…' : 'Choose a backup file…'}
          <input
            type="file"
            data-testid="store-restore-file"
            onChange={(e) => restore.choose(e.target.files?.[0] ?? null)}
          />
        </label>
        {restore.file && (
          <span className="muted" data-testid="store-restore-chosen">
            {restore.file.name}
          </span>
        )}
      </div>
      <Field
        id="store-restore-passphrase"
        label="Passphrase the backup was made under"
        hint="Only for a backup made before a passphrase change, or by another store; leave it empty otherwise."
      >
        <input
          id="store-restore-passphrase"
          type="password"
          autoComplete="off"
          value={backupPassphrase}
          data-testid="store-restore-passphrase"
          onChange={(e) => setBackupPassphrase(e.target.value)}
        />
      </Field>
      {restore.file && (
        <div>
          <ConfirmButton
            key={restore.attempt}
            label="Restore this backup…"
            confirmLabel="Replace the store with it"
            testId="store-restore-run"
            busy={restore.pending}
            onConfirm={() => void restore.run(backupPassphrase)}
          />
        </div>
      )}
      {restore.error && <ErrorAlert error={restore.error} testId="store-restore-error" />}
      {done && (
        <p className="notice notice-ok" role="status" data-testid="store-restore-done">
          Restored from <code>{done.fileName}</code>
          {done.createdAt ? ` (made ${done.createdAt})` : ''}.{' '}
          {done.rekeyed
            ? 'It was made under another passphrase (or by another store) and now has the current one. '
            : ''}
          The store as it was is kept as <code>{done.previous}</code>.
        </p>
      )}
    </section>
  );
}
