import { useState } from 'react';
import type { TlsCaInfo } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { saveFile } from '../../../lib/save-file';
import { useMutation } from '../../../lib/use-query';

/** The file name clients and the exported snippets expect the fleet CA under. */
export const FLEET_CA_FILE = 'mcp-fleet-ca.pem';

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
    saveFile(result.data.pem, FLEET_CA_FILE, 'application/x-pem-file');
    setSaved(result.data);
  }
  return { download, pending: fetchCa.pending, error: fetchCa.error, saved };
}
