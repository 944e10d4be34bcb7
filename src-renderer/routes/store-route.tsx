import { PageHeader } from '../components/ui/page-header';
import { BackupPanel } from '../features/store/components/backup-panel';
import { PassphrasePanel } from '../features/store/components/passphrase-panel';
import { RestorePanel } from '../features/store/components/restore-panel';

/** The store itself: back it up, restore a backup, change its passphrase. */
export function StoreRoute() {
  return (
    <>
      <PageHeader title="Store" />
      <div className="stack">
        <BackupPanel />
        <RestorePanel />
        <PassphrasePanel />
      </div>
    </>
  );
}
