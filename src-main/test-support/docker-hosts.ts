// Test helper: an SSH session registry and Docker client factory over the testbed's sshd and dockerd.
import type { TestContext } from 'node:test';
import { testbedOrSkip } from '../../e2e/fixtures/env';
import type { Testbed } from '../../e2e/fixtures/env';
import { Ssh2Connector } from '../services/ssh/ssh-connector';
import { SshSessionRegistry } from '../services/ssh/ssh-session-registry';
import { addTestbedHost } from './ssh-hosts';
import type { TestLogin } from './ssh-hosts';
import { createTestStore } from './store';
import type { TestStore } from './store';
import type { HostRecord } from '../services/store/types';
import { DefaultDockerClientFactory } from '../services/docker/docker-client-factory';
import type { DefaultDockerClientFactoryOptions } from '../services/docker/docker-client-factory';

export interface TestbedDocker {
  tb: Testbed;
  ts: TestStore;
  connector: Ssh2Connector;
  ssh: SshSessionRegistry;
  factory: DefaultDockerClientFactory;
  host: HostRecord;
  /** Log lines the factory wrote. */
  logged: string[];
  /**
   * Runs fn after the test, before the session closes, newest first (node:test runs t.after hooks
   * oldest first, and stops at the first that throws). Every one runs; the first failure is rethrown.
   */
  defer(fn: () => unknown): void;
}

/** The testbed with Docker, or undefined after marking the test skipped. Cleans up after the test. */
export async function testbedDocker(
  t: TestContext,
  login: TestLogin = 'key',
  factoryOptions: Partial<DefaultDockerClientFactoryOptions> = {},
): Promise<TestbedDocker | undefined> {
  const tb = testbedOrSkip(t);
  if (!tb) return undefined;
  if (!tb.docker) {
    t.skip('the testbed has no Docker engine (see .testbed/dockerd.log)');
    return undefined;
  }
  const ts = await createTestStore();
  const connector = new Ssh2Connector();
  const ssh = new SshSessionRegistry({ store: ts.store, connector, readyTimeoutMs: 10_000 });
  const logged: string[] = [];
  const factory = new DefaultDockerClientFactory({
    store: ts.store,
    ssh,
    log: (line) => logged.push(line),
    ...factoryOptions,
  });
  const deferred: (() => unknown)[] = [];
  t.after(async () => {
    let first: Error | null = null;
    for (const fn of deferred.reverse()) {
      try {
        await fn();
      } catch (err) {
        first ??= err instanceof Error ? err : new Error(`cleanup failed: ${JSON.stringify(err)}`);
      }
    }
    await ssh.dispose();
    ts.cleanup();
    if (first !== null) throw first;
  });
  const host = addTestbedHost(ts.store, tb, login);
  return { tb, ts, connector, ssh, factory, host, logged, defer: (fn) => deferred.push(fn) };
}

/** A label value unique to this run, so cleanup finds only what this test made. */
export function runLabel(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}
