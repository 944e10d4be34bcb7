/**
 * The contract's channels mapped onto the services: declarative, one line each. Both the Electron IPC
 * and the web server reach these only through `dispatch`.
 */
import type { AlertService } from '../services/alerts/alert-service';
import type { AuditCollector } from '../services/audit/audit-collector';
import type { AuditSettingsService } from '../services/audit/audit-settings';
import type { OtlpForwarder } from '../services/audit/otlp-forwarder';
import type { DeployServices } from '../services/deploy/deploy-wiring';
import type { ExportService } from '../services/export/export-service';
import { installMemberClient } from '../services/export/member-client-install';
import type { MachineEnv } from '../services/export/client-files';
import type { HealthMonitor } from '../services/health/health-monitor';
import type { HostService } from '../services/host/host-service';
import type { PinService } from '../services/pins/pin-service';
import type { ImportService } from '../services/import/import-service';
import type { SourcePinner } from '../services/registry/source-pinner';
import type { ServerService } from '../services/server/server-service';
import type { SettingsService } from '../services/settings/settings-service';
import type { StoreMaintenance } from '../services/store/store-maintenance';
import type { FleetCa } from '../services/tls/fleet-ca';
import { FleetError } from '../shared/errors';
import type { Handlers } from './handle';

export interface HandlerDeps {
  info: { version: string; home: string; transport: 'ipc' | 'web' };
  hosts: HostService;
  servers: ServerService;
  exports: ExportService;
  imports: ImportService;
  fleet: DeployServices;
  health: HealthMonitor;
  /** Asks the npm registry and the PyPI index for versions. */
  versions: SourcePinner;
  /** The fleet's settings and each host's overrides. */
  settings: SettingsService;
  /** The fleet CA; without it `tls:ca` answers unavailable. */
  tls?: FleetCa;
  /** Backup, restore and passphrase change of the store; without it `store:*` answers unavailable. */
  store?: StoreMaintenance;
  /** Where `clients:install` finds the clients' files; default the home and environment of this process. */
  machine?: MachineEnv;
  /** The audit trail of calls; without it `audit:*` answers unavailable. */
  audit?: AuditCollector;
  /** The trail's retention and OTLP settings, and its forwarder; without them those channels answer unavailable. */
  auditForwarding?: { settings: AuditSettingsService; forwarder: OtlpForwarder };
  /** Alert webhooks and raised alerts; without it `alerts:*` answers unavailable. */
  alerts?: AlertService;
  /** Tool pinning; without it `pins:*` answers unavailable. */
  pins?: PinService;
}

function pinService(d: HandlerDeps): PinService {
  if (!d.pins) throw new FleetError('unavailable', 'tool pinning is not available in this process');
  return d.pins;
}

function fleetCa(d: HandlerDeps): FleetCa {
  if (!d.tls) throw new FleetError('unavailable', 'the fleet CA is not available in this process');
  return d.tls;
}

function auditCollector(d: HandlerDeps): AuditCollector {
  if (!d.audit) throw new FleetError('unavailable', 'the audit trail is not available in this process');
  return d.audit;
}

function auditForwarding(d: HandlerDeps): NonNullable<HandlerDeps['auditForwarding']> {
  if (!d.auditForwarding)
    throw new FleetError('unavailable', 'audit forwarding is not available in this process');
  return d.auditForwarding;
}

function alertService(d: HandlerDeps): AlertService {
  if (!d.alerts) throw new FleetError('unavailable', 'alerts are not available in this process');
  return d.alerts;
}

function storeMaintenance(d: HandlerDeps): StoreMaintenance {
  if (!d.store) throw new FleetError('unavailable', 'store maintenance is not available in this process');
  return d.store;
}

export function createHandlers(d: HandlerDeps): Handlers {
  return {
    'app:info': async () => d.info,
    'hosts:list': async () => d.hosts.list(),
    'hosts:add': async (input) => d.hosts.add(input),
    'hosts:remove': async ({ name }) => (d.hosts.remove(name), { removed: true as const }),
    'hosts:set': async (input) => d.hosts.set(input, d.fleet.ssh),
    'servers:list': async () => d.servers.list(),
    'servers:show': async ({ name }) => d.servers.show(name),
    'servers:add': async (input) => d.servers.addPinning(input),
    'servers:set': async ({ streamId, ...input }) =>
      d.servers.set(input, d.fleet.progressTo(streamId).onProgress),
    'servers:remove': async ({ name }) => (d.servers.remove(name), { removed: true as const }),
    'servers:versions': async ({ timeoutMs }) => d.versions.versions(d.servers.list(), timeoutMs),
    'registry:resolve': async (source) => d.versions.pin(source),
    'servers:import': async (input) => d.imports.importPinning(input),
    'export:render': async (input) => d.exports.render(input),
    'clients:install': async (input) =>
      installMemberClient(input, (render) => d.exports.render(render), d.machine),
    'deploy:run': async ({ server, host, streamId, ...o }) =>
      d.fleet.deploy.deploy(server, host, o, d.fleet.progressTo(streamId)),
    'servers:update': async ({ server, streamId }) =>
      d.fleet.deploy.update(server, d.fleet.progressTo(streamId).onProgress),
    'members:add': async ({ streamId, ...input }) =>
      d.fleet.members.add(input, d.fleet.progressTo(streamId).onProgress),
    'members:set': async ({ streamId, ...input }) =>
      d.fleet.members.set(input, d.fleet.progressTo(streamId).onProgress),
    'members:list': async ({ server }) => d.fleet.members.list(server),
    'members:remove': async ({ server, name, streamId }) => (
      await d.fleet.members.remove(server, name, d.fleet.progressTo(streamId).onProgress),
      { removed: true as const }
    ),
    'instances:list': async (filter) => d.fleet.instances.list(filter),
    'instances:logs': async ({ tail, ...ref }) => d.fleet.instances.tail(ref, tail),
    'instances:restart': async (ref) => (await d.fleet.instances.restart(ref), { done: true as const }),
    'instances:stop': async (ref) => (await d.fleet.instances.stop(ref), { done: true as const }),
    'instances:remove': async (ref) => (await d.fleet.instances.remove(ref), { removed: true as const }),
    'secrets:rotate': async ({ streamId, ...input }) =>
      d.fleet.rotation.rotate(input, d.fleet.progressTo(streamId).onProgress),
    'hosts:check': async ({ name }) => d.fleet.checkHost(name),
    'health:summary': async () => d.health.summary(),
    'health:history': async ({ instanceId }) => d.health.history(instanceId),
    'health:pause': async ({ paused }) => d.health.setPaused(paused),
    'tls:ca': async () => fleetCa(d).caInfo(),
    'store:backup': async () => {
      const { data, ...backup } = await storeMaintenance(d).backupBytes();
      return { ...backup, data: data.toString('base64'), bytes: data.length };
    },
    'store:restore': async ({ fileName, data, backupPassphrase }) =>
      storeMaintenance(d).restoreBytes(Buffer.from(data, 'base64'), {
        label: fileName,
        ...(backupPassphrase === undefined ? {} : { backup: backupPassphrase }),
      }),
    'store:passphrase': async ({ current, next }) => storeMaintenance(d).changePassphrase(current, next),
    'settings:get': async (scope) => d.settings.get(scope),
    'settings:set': async (input) => d.settings.set(input),
    'settings:unset': async (input) => d.settings.unset(input),
    'audit:list': async (input) => auditCollector(d).list(input),
    'audit:collect': async () => auditCollector(d).collect(),
    'audit:settings': async () => auditForwarding(d).settings.view(),
    'audit:configure': async (input) => auditForwarding(d).settings.configure(input),
    'audit:forward': async () => auditForwarding(d).forwarder.forward(),
    'audit:forwarding': async () => auditForwarding(d).forwarder.status(),
    'audit:usage': async (input) => auditCollector(d).usage(input),
    'alerts:list': async ({ limit }) => alertService(d).list(limit),
    'alerts:add-webhook': async (input) => alertService(d).addWebhook(input),
    'alerts:remove-webhook': async ({ name }) => (
      alertService(d).removeWebhook(name),
      { removed: true as const }
    ),
    'alerts:test': async ({ name }) => alertService(d).test(name),
    'pins:list': async ({ server }) => pinService(d).list(server),
    'pins:approve': async (input) => pinService(d).approve(input),
    'pins:auto-approve': async ({ server, on }) => pinService(d).setAutoApprove(server, on),
  };
}
