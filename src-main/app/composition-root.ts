/**
 * Wires every service by hand. Plain Node: no electron import, so the CLI, web mode and tests use it too.
 */
import { createHandlers } from '../ipc/handlers';
import type { Handlers } from '../ipc/handle';
import Dockerode from 'dockerode';
import { EventBus } from '../services/events';
import { ExportService } from '../services/export/export-service';
import { runtimeImageResolver, sourceImageInspector } from '../services/export/runtime-image-ref';
import { ImportService } from '../services/import/import-service';
import { runtimePaths } from './runtime-paths';
import { watchExternalChanges } from '../services/external-changes';
import { HostService } from '../services/host/host-service';
import { ServerService } from '../services/server/server-service';
import { Store } from '../services/store/store';
import type { KeyProvider } from '../services/store/types';
import { APP_VERSION } from './version';

export interface ServicesOptions {
  /** The data directory. */
  home: string;
  keyProvider: KeyProvider;
  transport: 'ipc' | 'web';
  /** Who the audit log names for operations through these services (e.g. "cli:root", "web"). */
  actor?: string;
  /** Long-running UIs (Electron, web mode) refetch when another process, such as the CLI, commits. */
  watchExternalChanges?: boolean;
}

export interface Services {
  handlers: Handlers;
  events: EventBus;
  home: string;
  hosts: HostService;
  servers: ServerService;
  /** Closes the store and every long-lived resource. */
  close(): void;
}

/** Opens the store and builds the services. Throws FleetError('store_locked') for a wrong key. */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const store = await Store.open({ home: options.home, keyProvider: options.keyProvider });
  const events = new EventBus();
  const actor = options.actor ?? options.transport;
  const hosts = new HostService(store, events, actor);
  const servers = new ServerService(store, events, actor);
  const paths = runtimePaths();
  const exports = new ExportService({
    store,
    runtimeImage: async (server, opts) =>
      runtimeImageResolver({
        resourcesDir: paths.resourcesDir,
        bridgeBundle: await paths.bridgeBundle(),
        ...(paths.baseImage === undefined ? {} : { baseImage: paths.baseImage }),
      })(server, opts),
    // Image sources: the operator's image is inspected on this machine's engine to learn its command.
    inspectSourceImage: sourceImageInspector(new Dockerode()),
    actor,
  });
  const imports = new ImportService(store, servers);
  const handlers = createHandlers({
    info: { version: APP_VERSION, home: options.home, transport: options.transport },
    hosts,
    servers,
    exports,
    imports,
  });
  const stopWatching = options.watchExternalChanges ? watchExternalChanges(store, events) : () => {};
  return {
    handlers,
    events,
    home: options.home,
    hosts,
    servers,
    close: () => {
      stopWatching();
      store.close();
    },
  };
}
