// Test helper: hosts in a test store that point at the testbed's sshd.
import { readFileSync } from 'node:fs';
import type { Testbed } from '../../e2e/fixtures/env';
import type { Store } from '../services/store/store';
import type { HostCredential, HostRecord } from '../services/store/types';

export type TestLogin = 'password' | 'key' | 'encrypted-key';

export interface TestHostOptions {
  name?: string;
  /** Pinned at add time, as an operator-supplied fingerprint would be. */
  hostKeySha256?: string | null;
  /** Replaces the testbed's secret (a wrong password, a wrong passphrase). */
  credential?: HostCredential;
  port?: number;
}

let counter = 0;

/** Adds an SSH host for the testbed's user with the given login; the store is the one under test. */
export function addTestbedHost(
  store: Store,
  tb: Testbed,
  login: TestLogin,
  opts: TestHostOptions = {},
): HostRecord {
  const { ssh } = tb;
  const credential: HostCredential =
    opts.credential ??
    (login === 'password'
      ? { secret: ssh.password, passphrase: null }
      : login === 'key'
        ? { secret: readFileSync(ssh.keyPath, 'utf8'), passphrase: null }
        : { secret: readFileSync(ssh.encryptedKeyPath, 'utf8'), passphrase: ssh.keyPassphrase });
  counter += 1;
  return store.hosts.insert(
    {
      name: opts.name ?? `tb-${login}-${counter}`,
      kind: 'ssh',
      user: ssh.username,
      address: ssh.host,
      port: opts.port ?? ssh.port,
      auth: login === 'password' ? 'password' : 'key',
      hostKeySha256: opts.hostKeySha256 ?? null,
    },
    credential,
  );
}
