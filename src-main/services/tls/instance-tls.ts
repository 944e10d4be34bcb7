/**
 * Which certificate each instance's bridge serves, from the server's saved TLS choice: a leaf of the
 * fleet CA (the default; its SANs are the host's address as added plus the operator's --tls-name
 * names), the operator's own certificate, or none (--no-tls, behind the operator's TLS terminator).
 * What an instance was deployed with is kept per (host, container) in the store, so the health
 * monitor pins exactly that certificate and drift compares against it without issuing anything.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import { FleetError } from '../../shared/errors';
import type { TlsMaterial } from '../instance-spec/types';
import type { ServerDeployOptions } from '../store/deploy-state-repository';
import type { Store } from '../store/store';
import type { HostRecord, ServerRecord } from '../store/types';
import { ownCertificateInfo, type FleetCa } from './fleet-ca';

export type TlsSetting = NonNullable<ServerDeployOptions['tls']>;

const DNS_NAME =
  /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Throws FleetError('invalid_input') for a --tls-name that is neither a DNS name nor an IP address. */
export function assertTlsName(name: string): void {
  if (isIP(name) !== 0 || DNS_NAME.test(name)) return;
  throw new FleetError(
    'invalid_input',
    `--tls-name ${JSON.stringify(name.slice(0, 80))} is not a DNS name or an IP address`,
  );
}

/** The names and addresses clients use for a host: its address as added, then the operator's. */
export function hostSans(host: HostRecord | null, extra: readonly string[]): { dns: string[]; ip: string[] } {
  const names = new Set<string>();
  if (host === null || host.kind === 'local') {
    for (const n of ['127.0.0.1', '::1', 'localhost', os.hostname()]) names.add(n);
  } else if (host.address) names.add(host.address);
  for (const n of extra) names.add(n);
  return splitSans([...names]);
}

/** Names split into IP addresses and DNS names, as a certificate's SANs hold them. */
function splitSans(names: readonly string[]): { dns: string[]; ip: string[] } {
  const all = names.filter((n) => n !== '');
  return { ip: all.filter((n) => isIP(n) !== 0), dns: all.filter((n) => isIP(n) === 0) };
}

export class InstanceTls {
  constructor(
    private readonly store: Store,
    private readonly ca: FleetCa,
  ) {}

  /**
   * The material an instance is deployed with, issuing or renewing a fleet leaf when needed, and
   * recording it as what that instance serves. Throws FleetError('invalid_input') for an own
   * certificate that does not hold (mismatched key, expired).
   */
  async forDeploy(
    host: HostRecord,
    containerName: string,
    options: ServerDeployOptions,
  ): Promise<TlsMaterial | null> {
    const setting: TlsSetting = options.tls ?? { kind: 'fleet' };
    switch (setting.kind) {
      case 'none':
        this.store.tls.removeLeaf(host.id, containerName);
        return null;
      case 'own': {
        const info = ownCertificateInfo(setting.certPem, setting.keyPem);
        this.store.tls.setLeaf(host.id, containerName, {
          certPem: setting.certPem,
          keyPem: setting.keyPem,
          fingerprint256: info.fingerprint256,
          notAfter: info.notAfter,
          sans: info.sans,
          issuedAt: new Date().toISOString(),
        });
        return { certPem: setting.certPem, keyPem: setting.keyPem };
      }
      case 'fleet': {
        const leaf = await this.ca.leafFor(host.id, containerName, hostSans(host, options.tlsNames ?? []));
        return { certPem: leaf.certPem, keyPem: leaf.keyPem };
      }
    }
  }

  /**
   * The material an export carries: as a deploy to that host would (the same leaf, so the export and
   * the running instance agree), or for no host a leaf for the operator's --tls-name names (this
   * machine's names when there are none), kept per server so that exporting again gives the same one.
   * null: the server runs without TLS.
   */
  async forExport(input: {
    server: ServerRecord;
    host: HostRecord | null;
    containerName: string;
  }): Promise<TlsMaterial | null> {
    const options = this.store.deployState.serverOptions(input.server.id);
    if (input.host !== null) return this.forDeploy(input.host, input.containerName, options);
    const setting: TlsSetting = options.tls ?? { kind: 'fleet' };
    if (setting.kind !== 'fleet') return setting.kind === 'none' ? null : setting;
    const names = options.tlsNames ?? [];
    const leaf = await this.ca.exportLeafFor(
      input.server.id,
      input.containerName,
      names.length > 0 ? splitSans(names) : hostSans(null, []),
    );
    return { certPem: leaf.certPem, keyPem: leaf.keyPem };
  }

  /** What an instance was last deployed with, without issuing anything (drift). */
  stored(hostId: string, containerName: string, options: ServerDeployOptions): TlsMaterial | null {
    const setting: TlsSetting = options.tls ?? { kind: 'fleet' };
    if (setting.kind === 'none') return null;
    if (setting.kind === 'own') return { certPem: setting.certPem, keyPem: setting.keyPem };
    const leaf = this.store.tls.leaf(hostId, containerName);
    return leaf ? { certPem: leaf.certPem, keyPem: leaf.keyPem } : null;
  }
}
