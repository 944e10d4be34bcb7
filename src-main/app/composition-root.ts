/**
 * Wires every service by hand. Plain Node: no electron import, so the CLI, web mode and tests use it too.
 */
import type { Handlers } from '../ipc/handle';
import { EventBus } from '../services/events';
import type { KeyProvider } from '../services/store/types';

export interface ServicesOptions {
  /** The data directory. */
  home: string;
  keyProvider: KeyProvider;
  transport: 'ipc' | 'web';
}

export interface Services {
  handlers: Handlers;
  events: EventBus;
  home: string;
  /** Closes the store and every long-lived resource. */
  close(): void;
}

// TODO(lead): implemented once the store lands; the signature is fixed.
export async function createServices(_options: ServicesOptions): Promise<Services> {
  await Promise.resolve();
  throw new Error('not wired yet');
}
