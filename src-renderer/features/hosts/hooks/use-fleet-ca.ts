import { useState } from 'react';
import type { TlsCaInfo } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useMutation } from '../../../lib/use-query';

/** The file name clients and the exported snippets expect the fleet CA under. */
export const FLEET_CA_FILE = 'mcp-fleet-ca.pem';

/** Saves `text` through the browser's own download (a Blob URL, revoked right after). */
function saveFile(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export interface FleetCaDownload {
  download: () => Promise<void>;
  pending: boolean;
  error: ErrorShape | null;
  /** The CA last saved: its fingerprint to compare with what clients show. */
  saved: TlsCaInfo | null;
}

/** Fetches the fleet CA (the services create it on first need) and saves it as mcp-fleet-ca.pem. */
export function useFleetCaDownload(): FleetCaDownload {
  // A mutation, not a query: the first call creates the CA, and it runs only when asked.
  const fetchCa = useMutation('tls:ca', []);
  const [saved, setSaved] = useState<TlsCaInfo | null>(null);
  async function download() {
    const result = await fetchCa.run({});
    if (!result.ok) return;
    saveFile(result.data.pem, FLEET_CA_FILE);
    setSaved(result.data);
  }
  return { download, pending: fetchCa.pending, error: fetchCa.error, saved };
}
