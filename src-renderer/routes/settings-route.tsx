import { useState } from 'react';
import { PageHeader } from '../components/ui/page-header';
import { AuditForwardingSection } from '../features/audit/components/audit-forwarding-section';
import { useHosts } from '../features/hosts/hooks/use-hosts';
import { AlertsSection } from '../features/settings/components/alerts-section';
import { SettingsTable } from '../features/settings/components/settings-table';

/**
 * What runtime images are built from (the fleet's settings, and each host's overrides), then the
 * fleet-wide alerts and the audit trail's retention and forwarding.
 */
export function SettingsRoute() {
  const hosts = useHosts();
  const [host, setHost] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Settings" />
      <div className="stack">
        <div className="field">
          <label htmlFor="settings-scope">Settings for</label>
          <select
            id="settings-scope"
            value={host ?? ''}
            data-testid="settings-scope"
            onChange={(e) => setHost(e.target.value === '' ? null : e.target.value)}
          >
            <option value="">the whole fleet</option>
            {(hosts.data ?? []).map((h) => (
              <option key={h.name} value={h.name}>
                host {h.name}
              </option>
            ))}
          </select>
          <p className="field-hint">
            A host&apos;s override beats the fleet value; an environment variable beats both.
          </p>
        </div>
        <SettingsTable key={host ?? ''} host={host} />
        <AlertsSection />
        <AuditForwardingSection />
      </div>
    </>
  );
}
