import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { useBackupDownload } from '../hooks/use-store-maintenance';

/** Saves a backup: a consistent copy, still encrypted with the store's key, with the key settings it needs. */
export function BackupPanel() {
  const backup = useBackupDownload();
  return (
    <section className="panel stack" data-testid="store-backup">
      <header className="panel-header">
        <h2>Back up</h2>
        <span className="muted">also while deploys and the CLI write</span>
      </header>
      <p className="muted">
        The backup file is encrypted like the store: it restores with the passphrase the store has now, on
        this computer or another. Keep it somewhere else than this computer.
      </p>
      <div>
        <Button
          busy={backup.pending}
          onClick={() => void backup.download()}
          data-testid="store-backup-download"
        >
          Download a backup
        </Button>
      </div>
      {backup.error && <ErrorAlert error={backup.error} testId="store-backup-error" />}
      {backup.saved && (
        <p className="notice notice-ok" role="status" data-testid="store-backup-saved">
          Saved <code>{backup.saved.fileName}</code> ({backup.saved.bytes} bytes, schema v
          {backup.saved.schema}).
        </p>
      )}
    </section>
  );
}
