import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { FLEET_CA_FILE, type FleetCaDownload } from '../hooks/use-fleet-ca';

export function FleetCaButton({ ca }: { ca: FleetCaDownload }) {
  return (
    <Button
      busy={ca.pending}
      onClick={() => void ca.download()}
      data-testid="download-fleet-ca"
      title={`Save the fleet CA certificate as ${FLEET_CA_FILE}; clients trust it to reach instances over TLS`}
    >
      Download fleet CA
    </Button>
  );
}

/** What was saved: the fingerprint to compare with what a client shows, or why it failed. */
export function FleetCaStatus({ ca }: { ca: FleetCaDownload }) {
  if (ca.error) return <ErrorAlert error={ca.error} testId="fleet-ca-error" />;
  if (!ca.saved) return null;
  return (
    <p className="muted" data-testid="fleet-ca-saved">
      Saved <code>{FLEET_CA_FILE}</code>, SHA-256{' '}
      <code className="fingerprint-strong" data-testid="fleet-ca-fingerprint">
        {ca.saved.fingerprint256}
      </code>
      , valid until {ca.saved.notAfter.slice(0, 10)}.
    </p>
  );
}
