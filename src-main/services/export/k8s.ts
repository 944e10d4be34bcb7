/**
 * The k8s export: per instance a Secret (env and members files), a `kubernetes.io/tls` Secret (the
 * bridge's certificate and key; only with inline secrets, else the header says how to create it from
 * the key), both projected read-only where the bridge reads them, a Deployment (the same bridge argv,
 * user and limits as the ContainerSpec, in Kubernetes' securityContext terms), a Service and a
 * NetworkPolicy admitting only the allowed ranges; plus a PersistentVolumeClaim for a stateful server.
 * Dedicated servers get one set per member instance. Names follow Kubernetes' DNS-label rule; the
 * original names ride along as annotations under the same keys as the Docker labels.
 * A server's reach: bind mounts become hostPath volumes, named volumes PersistentVolumeClaims (one per
 * Docker volume name, so one per member in Dedicated unless shared), extra hosts `hostAliases`;
 * Docker networks have no Kubernetes counterpart. The header says what each of these asks of the cluster.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import {
  CONTAINER_FILES_DIR,
  CONTAINER_PORT,
  LABELS,
  MIB,
  RUNTIME_GID,
  RUNTIME_UID,
} from '../instance-spec/constants';
import { DOCKER_SOCKET_PATHS } from '../../shared/server-mounts';
import type { InstanceSpec } from '../instance-spec/types';
import { shellLine } from '../instance-spec/shell-words';
import { asComments } from './file-notes';
import { distinct, reachMounts, splitExtraHost } from './reach';
import { tlsNote } from './tls-notes';

export interface K8sInput {
  specs: readonly InstanceSpec[];
  /** Normalised CIDRs (parseCidrs); none admits every source. */
  allowCidrs: readonly string[];
  inlineSecrets: boolean;
  title: string;
  namespace?: string;
  /** Where the image comes from when a push-registry is set (replaces the "push it yourself" lines). */
  imageNote?: readonly string[];
}

export function renderK8s(input: K8sInput): string {
  const claimed = new Set<string>();
  const docs = input.specs.flatMap((spec) => instanceManifests(spec, input, claimed));
  const header = asComments([
    `MCP Fleet: ${input.title}`,
    ...(input.imageNote === undefined
      ? [
          'Kubernetes manifests: `kubectl apply -f THIS_FILE`. Push the runtime image to a registry the',
          'cluster pulls from and change `image:` to match.',
        ]
      : ['Kubernetes manifests: `kubectl apply -f THIS_FILE`.', ...input.imageNote]),
    ...(input.inlineSecrets || input.specs.every((s) => s.files.env.secretKeys.length === 0)
      ? []
      : ['Secret values are left empty ("") in each Secret\'s env: fill them in before applying.']),
    ...input.specs.flatMap((spec) => tlsNotes(spec, input)),
    ...reachNotes(input.specs),
  ]);
  return `${header}\n${docs.map((doc) => stringify(doc, { version: '1.1', lineWidth: 0 })).join('---\n')}`;
}

/** `claimed`: the PersistentVolumeClaims already in the file; a volume shared by instances gets one. */
function instanceManifests(
  spec: InstanceSpec,
  input: K8sInput,
  claimed: Set<string>,
): Record<string, unknown>[] {
  const c = spec.container;
  const name = k8sName(c.name ?? spec.server);
  const labels = {
    'app.kubernetes.io/name': 'mcp-fleet',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': 'mcp-fleet',
  };
  const metadata = (suffix = '') => ({
    name: `${name}${suffix}`,
    ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    labels,
    annotations: { ...c.labels },
  });
  const env = spec.files.env;
  const envText = input.inlineSecrets
    ? env.content
    : env.plainContent + env.secretKeys.map((key) => `${key}=""\n`).join('');
  const port = c.ports[0];
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata('-config'),
    type: 'Opaque',
    stringData: { env: envText, 'members.json': spec.files.members.content },
  };
  const tmpSize = /size=(\d+)m/.exec(c.tmpfs['/tmp'] ?? '')?.[1] ?? '64';
  const tls = spec.files.tls;
  const volumes: Record<string, unknown>[] = [
    // Files are root-owned with group fsGroup in a secret volume: 0440 lets uid 10001 read them. With
    // TLS both Secrets are projected into the one folder, where the bridge's arguments name the files.
    tls === null
      ? { name: 'config', secret: { secretName: `${name}-config`, defaultMode: 0o440 } }
      : {
          name: 'config',
          projected: {
            defaultMode: 0o440,
            sources: [{ secret: { name: `${name}-config` } }, { secret: { name: tlsSecretName(name) } }],
          },
        },
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: `${tmpSize}Mi` } },
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'config', mountPath: CONTAINER_FILES_DIR, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const scheme = tls === null ? {} : { scheme: 'HTTPS' };
  const docs: Record<string, unknown>[] = [secret];
  if (tls !== null && input.inlineSecrets) {
    docs.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata('-tls'),
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': tls.cert.content, 'tls.key': tls.key.content },
    });
  }
  if (spec.stateVolume) {
    volumes.push({ name: 'state', persistentVolumeClaim: { claimName: `${name}-state` } });
    mounts.push({ name: 'state', mountPath: spec.stateVolume.target });
    docs.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: metadata('-state'),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  const reach = reachMounts(spec);
  reach.forEach((m) => {
    // bind-1, bind-2, ... and volume-1, ... in the order of the server's mounts.
    const volumeName = `${m.type}-${reach.filter((r) => r.type === m.type).indexOf(m) + 1}`;
    mounts.push({ name: volumeName, mountPath: m.target, readOnly: m.readOnly });
    if (m.type === 'bind') {
      // Socket for the Docker socket (a bind of it passes only with --allow-docker-socket).
      const type = DOCKER_SOCKET_PATHS.includes(m.source) ? 'Socket' : 'Directory';
      volumes.push({ name: volumeName, hostPath: { path: m.source, type } });
      return;
    }
    const claimName = k8sName(m.source);
    volumes.push({ name: volumeName, persistentVolumeClaim: { claimName } });
    if (claimed.has(claimName)) return;
    claimed.add(claimName);
    docs.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName,
        ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
        labels: { 'app.kubernetes.io/name': 'mcp-fleet', 'app.kubernetes.io/managed-by': 'mcp-fleet' },
        annotations: { [LABELS.server]: spec.server, [VOLUME_ANNOTATION]: m.source },
      },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
  });
  const hostAliases = hostAliasesOf(spec.container.extraHosts);
  docs.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(),
    spec: {
      replicas: 1,
      // One writer of the state volume and one holder of the port at a time.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { 'app.kubernetes.io/instance': name } },
      template: {
        metadata: { labels, annotations: { ...c.labels } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUNTIME_UID,
            runAsGroup: RUNTIME_GID,
            fsGroup: RUNTIME_GID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'bridge',
              image: c.image,
              imagePullPolicy: 'IfNotPresent',
              args: c.cmd,
              ...(c.workdir !== null ? { workingDir: c.workdir } : {}),
              ports: [{ name: 'mcp', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: c.readOnlyRootfs,
                capabilities: { drop: c.capDrop },
              },
              resources: {
                limits: {
                  memory: `${Math.floor(c.memoryBytes / MIB)}Mi`,
                  cpu: `${Math.round(c.nanoCpus / 1e6)}m`,
                },
                requests: { memory: '64Mi', cpu: '50m' },
              },
              // The kubelet does not verify a probe's certificate, so HTTPS needs no CA here.
              readinessProbe: { httpGet: { path: '/readyz', port: 'mcp', ...scheme }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'mcp', ...scheme }, periodSeconds: 30 },
              volumeMounts: mounts,
            },
          ],
          volumes,
          ...(hostAliases.length > 0 ? { hostAliases } : {}),
        },
      },
    },
  });
  docs.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(),
    spec: {
      type: 'LoadBalancer',
      // Keeps the client's address, which the NetworkPolicy and the bridge's --allow-cidr check.
      externalTrafficPolicy: 'Local',
      selector: { 'app.kubernetes.io/instance': name },
      ports: [{ name: 'mcp', port: port?.hostPort ?? CONTAINER_PORT, targetPort: 'mcp', protocol: 'TCP' }],
      ...(input.allowCidrs.length > 0 ? { loadBalancerSourceRanges: [...input.allowCidrs] } : {}),
    },
  });
  docs.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(),
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': name } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ...(input.allowCidrs.length > 0
            ? { from: input.allowCidrs.map((cidr) => ({ ipBlock: { cidr } })) }
            : {}),
          ports: [{ protocol: 'TCP', port: CONTAINER_PORT }],
        },
      ],
    },
  });
  return docs;
}

/** The Docker volume a PersistentVolumeClaim stands for. */
const VOLUME_ANNOTATION = 'io.mcp-fleet.volume';

/** `NAME:IP` lines as hostAliases, one entry per address in first-seen order. */
function hostAliasesOf(lines: readonly string[]): { ip: string; hostnames: string[] }[] {
  const byIp = new Map<string, string[]>();
  for (const { name, ip } of lines.map(splitExtraHost)) {
    const names = byIp.get(ip) ?? [];
    names.push(name);
    byIp.set(ip, names);
  }
  return [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
}

/** What the reach asks of the cluster: hostPath's limits, the claims' storage, the networks left out. */
function reachNotes(specs: readonly InstanceSpec[]): string[] {
  const mounts = specs.flatMap((spec) => reachMounts(spec).map((m) => ({ spec, m })));
  const binds = distinct(mounts.filter(({ m }) => m.type === 'bind').map(({ m }) => m.source));
  const users = new Map<string, number>();
  for (const { m } of mounts.filter(({ m }) => m.type === 'volume'))
    users.set(k8sName(m.source), (users.get(k8sName(m.source)) ?? 0) + 1);
  const networks = distinct(specs.flatMap((s) => s.container.extraNetworks));
  const notes: string[] = [];
  if (binds.length > 0) {
    notes.push(
      `Bind mounts are hostPath volumes (${binds.join(', ')}): hostPath ties each pod to a node that has`,
      'the path (add a nodeSelector), and the baseline and restricted Pod Security levels refuse it, so the',
      'namespace must admit privileged pods. `type: Directory` wants a folder: make it `File` for a file.',
    );
  }
  if (users.size > 0) {
    notes.push(
      `Named volumes are PersistentVolumeClaims (1Gi, ReadWriteOnce, the default storage class): ${[...users.keys()].join(', ')}.`,
    );
    for (const [claim, count] of users) {
      if (count > 1) {
        notes.push(
          `${claim} is shared by ${count} instances: ReadWriteOnce lets their pods share it on one node only; give it a ReadWriteMany storage class otherwise.`,
        );
      }
    }
  }
  if (networks.length > 0) {
    notes.push(
      `Docker networks have no Kubernetes counterpart and are left out (${networks.join(', ')}): reach what`,
      'runs there through a Service (ExternalName, or one with Endpoints for an outside address), and',
      'allow it in a NetworkPolicy egress rule where egress is restricted.',
    );
  }
  return notes;
}

function tlsSecretName(instance: string): string {
  return `${instance}-tls`;
}

/** The certificate's expiry; by reference also the certificate itself and how to make its Secret. */
function tlsNotes(spec: InstanceSpec, input: K8sInput): string[] {
  const instance = spec.container.name ?? spec.server;
  const notes = [tlsNote(spec.files.tls?.cert.content ?? null, `instance ${instance}`)];
  const tls = spec.files.tls;
  if (tls === null || input.inlineSecrets) return notes;
  const name = k8sName(instance);
  const command = shellLine([
    'kubectl',
    'create',
    'secret',
    'tls',
    tlsSecretName(name),
    ...(input.namespace === undefined ? [] : ['--namespace', input.namespace]),
    '--cert',
    `./${instance}/tls.crt`,
    '--key',
    `./${instance}/tls.key`,
  ]);
  return [
    ...notes,
    `Its TLS Secret is not in this file: save the certificate below as ./${instance}/tls.crt, put its`,
    `private key (PEM) in ./${instance}/tls.key (or export with --inline-secrets), then: ${command}`,
    ...tls.cert.content
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => `  ${line}`),
  ];
}

/**
 * A DNS-1123 label (lower-case letters, digits, "-", at most 63): a name that is one already stays as
 * it is; any other gets the cleaned form plus 8 hex of the original, so two names never meet.
 */
export function k8sName(name: string): string {
  if (/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 54)
    .replace(/-+$/, '');
  return cleaned === '' ? `mcp-${digest}` : `${cleaned}-${digest}`;
}
