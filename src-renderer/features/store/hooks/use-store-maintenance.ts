/**
 * The Store page's three actions over `store:backup`, `store:restore` and `store:passphrase`. A restore
 * and a passphrase change swap the file under the open store in the main process (or the web server),
 * which goes on with it: the session stays, and every query is refetched from the restored store.
 */
import { useState } from 'react';
import type {
  StoreBackupFile,
  StorePassphraseChanged,
  StoreRestored,
} from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useApi } from '../../../lib/api-context';
import { saveFile } from '../../../lib/save-file';
import { useMutation } from '../../../lib/use-query';

/** Web mode reads request bodies of up to 1 MiB; in base64 JSON that leaves room for about this much file. */
export const WEB_UPLOAD_LIMIT = 760 * 1024;

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its bytes as arguments, and arguments are limited.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export interface BackupDownload {
  download: () => Promise<void>;
  pending: boolean;
  error: ErrorShape | null;
  saved: Omit<StoreBackupFile, 'data'> | null;
}

/** Makes a backup in the services and saves it through the browser's download (a save dialog in the app). */
export function useBackupDownload(): BackupDownload {
  const backup = useMutation('store:backup', []);
  const [saved, setSaved] = useState<BackupDownload['saved']>(null);
  async function download() {
    setSaved(null);
    const result = await backup.run({});
    if (!result.ok) return;
    const { data, ...about } = result.data;
    saveFile(fromBase64(data), about.fileName, 'application/octet-stream');
    setSaved(about);
  }
  return { download, pending: backup.pending, error: backup.error, saved };
}

export interface Restore {
  file: File | null;
  choose: (file: File | null) => void;
  run: (backupPassphrase: string) => Promise<void>;
  pending: boolean;
  /** A service error, or a file refused before it was sent. */
  error: ErrorShape | null;
  done: (StoreRestored & { fileName: string }) | null;
  /** Counts file choices and finished attempts: a confirmation asked for one is not reused by the next. */
  attempt: number;
}

export function useRestore(): Restore {
  const { session, queries } = useApi();
  const restore = useMutation('store:restore', []);
  const [file, setFile] = useState<File | null>(null);
  const [refused, setRefused] = useState<ErrorShape | null>(null);
  const [done, setDone] = useState<Restore['done']>(null);
  const [attempt, setAttempt] = useState(0);
  function choose(next: File | null) {
    setAttempt((n) => n + 1);
    setFile(next);
    setRefused(null);
    setDone(null);
    restore.reset();
  }
  async function run(backupPassphrase: string) {
    if (!file) return;
    setDone(null);
    try {
      await send(file, backupPassphrase);
    } finally {
      setAttempt((n) => n + 1);
    }
  }
  async function send(file: File, backupPassphrase: string) {
    if (session && file.size > WEB_UPLOAD_LIMIT) {
      setRefused({
        code: 'invalid_input',
        message: `${file.name} is ${Math.round(file.size / 1024)} KiB, more than web mode takes in one request (${WEB_UPLOAD_LIMIT / 1024} KiB); restore it with mcp-fleet store restore FILE`,
      });
      return;
    }
    setRefused(null);
    const data = toBase64(new Uint8Array(await file.arrayBuffer()));
    const result = await restore.run({
      fileName: file.name,
      data,
      ...(backupPassphrase === '' ? {} : { backupPassphrase }),
    });
    if (!result.ok) return;
    setDone({ ...result.data, fileName: file.name });
    // Everything on screen came from the store that was just replaced.
    queries.invalidateAll();
  }
  return { file, choose, run, pending: restore.pending, error: refused ?? restore.error, done, attempt };
}

export interface PassphraseChange {
  run: (current: string, next: string) => Promise<boolean>;
  pending: boolean;
  error: ErrorShape | null;
  done: StorePassphraseChanged | null;
}

export function usePassphraseChange(): PassphraseChange {
  const change = useMutation('store:passphrase', []);
  const [done, setDone] = useState<StorePassphraseChanged | null>(null);
  async function run(current: string, next: string) {
    setDone(null);
    const result = await change.run({ current, next });
    if (result.ok) setDone(result.data);
    return result.ok;
  }
  return { run, pending: change.pending, error: change.error, done };
}
