/**
 * The contract's channels mapped onto the services: declarative, one line each. Both the Electron IPC
 * and the web server reach these only through `dispatch`.
 */
import type { ExportService } from '../services/export/export-service';
import type { HostService } from '../services/host/host-service';
import type { ImportService } from '../services/import/import-service';
import type { ServerService } from '../services/server/server-service';
import type { Handlers } from './handle';

export interface HandlerDeps {
  info: { version: string; home: string; transport: 'ipc' | 'web' };
  hosts: HostService;
  servers: ServerService;
  exports: ExportService;
  imports: ImportService;
}

export function createHandlers(d: HandlerDeps): Handlers {
  return {
    'app:info': async () => d.info,
    'hosts:list': async () => d.hosts.list(),
    'hosts:add': async (input) => d.hosts.add(input),
    'hosts:remove': async ({ name }) => (d.hosts.remove(name), { removed: true as const }),
    'servers:list': async () => d.servers.list(),
    'servers:show': async ({ name }) => d.servers.show(name),
    'servers:add': async (input) => d.servers.add(input),
    'servers:remove': async ({ name }) => (d.servers.remove(name), { removed: true as const }),
    'servers:import': async (input) => d.imports.importText(input),
    'export:render': async (input) => d.exports.render(input),
  };
}
