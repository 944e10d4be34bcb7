/**
 * Wires every service by hand. Plain Node: no electron import, so the CLI, web mode and tests use it too.
 */
import { hostname } from 'node:os';
import { createHandlers } from '../ipc/handlers';
import { AlertService } from '../services/alerts/alert-service';
import { AlertSources } from '../services/alerts/alert-sources';
import { PageNotifier, type AlertNotifier } from '../services/alerts/notifier';
import { AuditCollector } from '../services/audit/audit-collector';
import { PinService } from '../services/pins/pin-service';
import { AuditSettingsService } from '../services/audit/audit-settings';
import { OtlpForwarder } from '../services/audit/otlp-forwarder';
import type { Handlers } from '../ipc/handle';
import Dockerode from 'dockerode';
import { createDeployServices, runtimeSettings, type DeployServices } from '../services/deploy/deploy-wiring';
import { EventBus } from '../services/events';
import { ExportService } from '../services/export/export-service';
import { runtimeImageResolver, sourceImageInspector } from '../services/export/runtime-image-ref';
import { ImportService } from '../services/import/import-service';
import { runtimePaths } from './runtime-paths';
import { watchExternalChanges } from '../services/external-changes';
import { HealthMonitor } from '../services/health/health-monitor';
import { HostService } from '../services/host/host-service';
import { SourcePinner } from '../services/registry/source-pinner';
import { ServerService } from '../services/server/server-service';
import { ToolProbe } from '../services/server/tool-probe';
import { pinnerRegistries } from '../services/settings/pinner-registries';
import { SettingsService } from '../services/settings/settings-service';
import { Store } from '../services/store/store';
import { StoreMaintenance } from '../services/store/store-maintenance';
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
  /** Sweeps instance health on a schedule; by default exactly when watchExternalChanges (the long-running UIs). */
  monitorHealth?: boolean;
  /** Shows alerts on the desktop besides the page (the Electron app's native notifications). */
  desktopNotifier?: AlertNotifier;
}

export interface Services {
  handlers: Handlers;
  events: EventBus;
  home: string;
  hosts: HostService;
  servers: ServerService;
  /** Deploy, members, instances, rotation, and the SSH sessions and Docker clients they hold. */
  fleet: DeployServices;
  /** The health monitor; started only for long-running UIs, one-shot commands sweep it themselves. */
  health: HealthMonitor;
  /** Collects the bridges' audit lines; on the monitor's schedule where the monitor runs. */
  audit: AuditCollector;
  /** Sends the audit trail to the operator's OTLP collector after collections, when an endpoint is set. */
  auditForwarder: OtlpForwarder;
  /** Alerts: raised from health, certificates and deploys here; `raise` for other services (tool pins). */
  alerts: AlertService;
  /** Tool pinning: the approved definitions, the quarantined ones, and their push to the bridges. */
  pins: PinService;
  /** Closes the store and every long-lived resource. */
  close(): void;
}

/** Opens the store and builds the services. Throws FleetError('store_locked') for a wrong key. */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const store = await Store.open({ home: options.home, keyProvider: options.keyProvider });
  const events = new EventBus();
  const actor = options.actor ?? options.transport;
  const hosts = new HostService(store, events, actor);
  const paths = runtimePaths();
  // Export and deploy resolve the runtime image from the same settings, so both name the same tag
  // (an export without a host uses the fleet's own; a deploy its host's).
  const settings = new SettingsService(store, events, actor);
  const runtime = runtimeSettings(paths, settings);
  const fleet = createDeployServices({
    store,
    events,
    actor,
    home: options.home,
    runtime,
    settings,
  });
  // `servers set` carries a change to the hosts as `servers update` does; added and imported npx/uvx
  // sources are pinned to an exact version by the registries this machine's npm and uv use.
  const versions = new SourcePinner({ settings: pinnerRegistries(settings) });
  // A version change lists the tools of both versions first, on the first host that runs the server.
  const toolProbe = new ToolProbe({
    store,
    targets: fleet.targets,
    images: fleet.images,
    hostsOf: (server) => fleet.deploy.hostsOf(server),
    clientVersion: APP_VERSION,
  });
  const servers = new ServerService(store, events, actor, fleet.deploy, versions, toolProbe);
  const imports = new ImportService(store, servers, versions);
  const exports = new ExportService({
    store,
    runtimeImage: async (server, opts) => runtimeImageResolver(await runtime(null))(server, opts),
    // Image sources: the operator's image is inspected on this machine's engine to learn its command.
    inspectSourceImage: sourceImageInspector(new Dockerode()),
    // The same certificates deploys use: an export for a host carries the leaf its instance serves.
    tlsFor: (input) => fleet.tls.forExport(input),
    // Swarm and k8s exports name the push-registry's ref (by digest once pushed) when one is set.
    pushedImage: (hostId, tag) => {
      const registry = fleet.pusher.registryFor(hostId);
      return registry === null ? null : { registry, ...fleet.pusher.exported(registry, tag) };
    },
    actor,
  });
  const health = new HealthMonitor({
    store,
    access: fleet.access,
    events,
    clientVersion: APP_VERSION,
  });
  fleet.deploy.onTested((tested) => health.noteTested(tested));
  const longRunning = options.monitorHealth ?? options.watchExternalChanges ?? false;
  const auditSettings = new AuditSettingsService(store, actor);
  const auditForwarder = new OtlpForwarder({
    store,
    settings: auditSettings,
    resource: { fleetHost: hostname(), version: APP_VERSION },
  });
  const audit = new AuditCollector({
    store,
    access: fleet.access,
    timeoutMs: health.options.timeoutMs * 6,
    retentionDays: () => auditSettings.retentionDays(),
    // The bridges' pinning lines (quarantined, auto-approved, surveyed) go to the pin service.
    onPinReports: (serverId, instance, reports) => pins.observe(serverId, instance, reports),
    // Where the schedules run; a one-shot command forwards only when told (audit forward).
    onCollected: () => {
      if (longRunning) auditForwarder.afterCollect();
    },
  });
  const alerts = new AlertService({
    store,
    fleet: hostname(),
    notifiers: [new PageNotifier(events), ...(options.desktopNotifier ? [options.desktopNotifier] : [])],
  });
  // Tool pinning: the first set at a first green deploy, quarantines reported by the bridges.
  const pins = new PinService({
    store,
    events,
    actor,
    targets: fleet.targets,
    collect: () => audit.collect(),
    raise: (input) => alerts.raise(input),
  });
  fleet.deploy.onTested(async (tested) => {
    const names = new Set<string>();
    const serverOf = new Map(store.instances.list().map((r) => [r.containerName, r.serverId]));
    for (const t of tested) {
      const serverId = serverOf.get(t.containerName);
      const server = serverId === undefined ? null : store.servers.getById(serverId);
      if (server) names.add(server.name);
    }
    for (const name of names) await pins.afterDeploy(name);
  });
  // Health and certificates are watched where the monitor runs; a failed deploy alerts in any process.
  const alertSources = new AlertSources({
    alerts,
    events,
    store,
    instances: () => health.summary().instances,
  });
  fleet.deploy.onFinished((run) => alertSources.deployFinished(run));
  const handlers = createHandlers({
    info: { version: APP_VERSION, home: options.home, transport: options.transport },
    hosts,
    servers,
    exports,
    imports,
    fleet,
    health,
    versions,
    // One FleetCa per process (deploy's): it serializes issuing per container.
    tls: fleet.ca,
    store: new StoreMaintenance(store, actor),
    settings,
    audit,
    auditForwarding: { settings: auditSettings, forwarder: auditForwarder },
    alerts,
    pins,
  });
  if (longRunning) {
    health.start();
    audit.start(health.options.intervalMs);
    // Besides after each collection: a collector that was down is caught up without waiting for new calls.
    auditForwarder.start(health.options.intervalMs);
    alertSources.start();
  }
  const stopWatching = options.watchExternalChanges ? watchExternalChanges(store, events) : () => {};
  return {
    handlers,
    events,
    home: options.home,
    hosts,
    servers,
    fleet,
    health,
    audit,
    auditForwarder,
    pins,
    alerts,
    close: () => {
      stopWatching();
      alertSources.stop();
      alerts.dispose();
      // Ends the SSH sessions, or their sockets would keep a CLI process alive; the monitor first
      // ends its MCP sessions over them (bounded to about a second).
      void Promise.all([health.stop(), audit.stop(), auditForwarder.stop()]).finally(() => fleet.dispose());
      store.close();
    },
  };
}
