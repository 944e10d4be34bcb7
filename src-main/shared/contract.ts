/**
 * The one contract between the UI and the services. Every channel is listed once with zod schemas for
 * its input and output; TypeScript types are inferred from them, so the interface cannot drift from the
 * implementation. The Electron preload, the web-mode client and the CLI all speak it.
 * This module imports only zod.
 */
import { z } from 'zod';
import {
  bridgeLimitsProblem,
  checkRootRules,
  limitProblem,
  type BridgeLimits as BridgeLimitsValue,
  type BridgeRoot,
  type MemberLimits as MemberLimitsValue,
} from './bridge-settings';
import { ErrorCode, ErrorShape } from './errors';
import { ServerReachSchema } from './server-mounts';
import { SETTING_KEYS, SETTING_SOURCES } from './fleet-settings';
import {
  MEMBER_NAME_PATTERN,
  MEMBER_NAME_RULE,
  accessListProblem,
  normaliseAccess,
  type AccessKind,
} from './members-file';

/** Names of hosts, servers and members: Docker's container-name alphabet, so they can label containers. */
export const Name = z.string().regex(MEMBER_NAME_PATTERN, MEMBER_NAME_RULE);

export const EnvKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and "_", not starting with a digit');

export const Port = z.number().int().min(1).max(65535);

// ---------- hosts ----------

export const SshCredentialInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password'), password: z.string().min(1, 'must not be empty') }),
  z.object({
    kind: z.literal('key'),
    privateKey: z.string().min(1, 'must not be empty'),
    passphrase: z.string().optional(),
  }),
  z.object({ kind: z.literal('agent') }),
]);
export type SshCredentialInput = z.infer<typeof SshCredentialInput>;

export const SshUser = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be a valid login name');
export const SshAddress = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or an IP address');
export const HostKeySha256 = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must look like SHA256:<43 base64 characters>');

export const HostAddInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ssh'),
    name: Name,
    user: SshUser,
    address: SshAddress,
    port: Port.default(22),
    credential: SshCredentialInput,
    /** An operator-supplied host-key fingerprint (SHA256:...) to pin instead of trusting on first use. */
    hostKeySha256: HostKeySha256.optional(),
  }),
  z.object({ kind: z.literal('local'), name: Name }),
]);
export type HostAddInput = z.infer<typeof HostAddInput>;

/**
 * hosts set: what is given changes, the rest stays. A new address or port keeps the pinned key, so the
 * new endpoint must present it; `acceptHostKeySha256` pins exactly that fingerprint instead (after a
 * legitimate key change). Unless `noCheck`, the new settings must log in before anything is saved.
 */
export const HostSetInput = z
  .object({
    name: Name,
    user: SshUser.optional(),
    address: SshAddress.optional(),
    port: Port.optional(),
    credential: SshCredentialInput.optional(),
    acceptHostKeySha256: HostKeySha256.optional(),
    noCheck: z.boolean().optional(),
  })
  .strict();
export type HostSetInput = z.infer<typeof HostSetInput>;

export const HostSetField = z.enum(['user', 'address', 'port', 'credential', 'hostKey']);
export type HostSetField = z.infer<typeof HostSetField>;

/** What the UI sees of a host: never a password or a key, only whether one is stored. */
export const HostView = z.object({
  name: Name,
  kind: z.enum(['ssh', 'local']),
  user: z.string().nullable(),
  address: z.string().nullable(),
  port: Port.nullable(),
  auth: z.enum(['password', 'key', 'agent', 'none']),
  hasSecret: z.boolean(),
  hostKeySha256: z.string().nullable(),
  createdAt: z.string(),
});
export type HostView = z.infer<typeof HostView>;

export const HostChanged = z.object({
  host: HostView,
  /** The fields whose value changed; empty when everything given was already so. */
  changed: z.array(HostSetField),
  /** Whether the new settings logged in before they were saved (false with noCheck). */
  checked: z.boolean(),
});
export type HostChanged = z.infer<typeof HostChanged>;

// ---------- servers ----------

export const ServerSource = z.object({
  kind: z.enum(['npx', 'uvx', 'image', 'command']),
  /** npx/uvx: package with optional @version; image: an image reference; command: the executable. */
  value: z.string().min(1, 'must not be empty').max(512),
});
export type ServerSource = z.infer<typeof ServerSource>;

export const Mode = z.enum(['shared', 'dedicated']);
export type Mode = z.infer<typeof Mode>;

export const EnvEntryInput = z.object({ key: EnvKey, value: z.string().max(32768), secret: z.boolean() });
export type EnvEntryInput = z.infer<typeof EnvEntryInput>;

/**
 * A Shared-mode root (the bridge's --root): checked by the bridge's own rules, name trimmed. Its URI may
 * not hold "=": the flag form URI=NAME ends the URI at the first one, so it would come back split.
 */
export const Root = z
  .strictObject({ uri: z.string().max(4096), name: z.string().max(1024).optional() })
  .transform((value, ctx): BridgeRoot => {
    const checked = checkRootRules(
      { uri: value.uri, ...(value.name === undefined ? {} : { name: value.name }) },
      'root',
    );
    if (!checked.ok || value.uri.includes('=')) {
      const message = checked.ok
        ? `root ${JSON.stringify(value.uri.slice(0, 200))} must write "=" as %3D`
        : checked.message;
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    }
    return checked.root;
  });
export type Root = z.input<typeof Root>;

/** A number the bridge takes as a cap or rate (see limitProblem); whole numbers when `whole`. */
function limitSchema(whole: boolean) {
  return z.number().superRefine((value, ctx) => {
    const problem = limitProblem(value, whole);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}
const WholeLimit = limitSchema(true);
const RateLimit = limitSchema(false);

/** Drops the keys zod leaves as undefined, so the value fits the exactOptionalPropertyTypes records. */
function defined<T extends object>(value: { [K in keyof T]?: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The bridge's server-wide caps (--member-sessions … --max-connections-per-source); each optional. */
export const BridgeLimits = z
  .strictObject({
    memberSessions: WholeLimit.optional(),
    memberInflight: WholeLimit.optional(),
    memberRps: RateLimit.optional(),
    maxConnections: WholeLimit.optional(),
    maxConnectionsPerSource: WholeLimit.optional(),
  })
  .transform((value, ctx): BridgeLimitsValue => {
    const limits = defined<BridgeLimitsValue>(value);
    const problem = bridgeLimitsProblem(limits);
    if (problem !== null) ctx.issues.push({ code: 'custom', message: problem, input: value });
    return limits;
  });
export type BridgeLimits = z.input<typeof BridgeLimits>;

/** A member's own fair-share limits (the members file's `limits`); each optional, unknown keys refused. */
export const MemberLimits = z
  .strictObject({
    sessions: WholeLimit.optional(),
    inflight: WholeLimit.optional(),
    rps: RateLimit.optional(),
  })
  .transform((value): MemberLimitsValue => defined<MemberLimitsValue>(value));
export type MemberLimits = z.input<typeof MemberLimits>;

/**
 * A member's access to tools, resources or prompts: ['*'] all, [] none, or names / URI patterns with
 * `*` wildcards (the rule in members-file.ts). Stored without repeats, ['*'] alone when it allows all.
 */
function accessSchema(kind: AccessKind) {
  return z
    .array(z.string())
    .superRefine((value, ctx) => {
      const problem = accessListProblem(kind, value);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => normaliseAccess(value));
}
export const ToolAccess = accessSchema('tools');
export const ResourceAccess = accessSchema('resources');
export const PromptAccess = accessSchema('prompts');

/** What a view shows of roots and limits: stored values, already checked when they were saved. */
const RootView = z.object({ uri: z.string(), name: z.string().optional() });
const ServerReachView = z.object({
  mounts: z.array(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('bind'), source: z.string(), target: z.string(), readOnly: z.boolean() }),
      z.object({
        kind: z.literal('volume'),
        source: z.string(),
        target: z.string(),
        readOnly: z.boolean(),
        shared: z.boolean(),
      }),
    ]),
  ),
  networks: z.array(z.string()),
  extraHosts: z.array(z.object({ name: z.string(), ip: z.string() })),
  allowDockerSocket: z.boolean(),
});
const BridgeLimitsView = z.object({
  memberSessions: z.number().optional(),
  memberInflight: z.number().optional(),
  memberRps: z.number().optional(),
  maxConnections: z.number().optional(),
  maxConnectionsPerSource: z.number().optional(),
});
const MemberLimitsView = z.object({
  sessions: z.number().optional(),
  inflight: z.number().optional(),
  rps: z.number().optional(),
});

export const ServerAddInput = z.object({
  name: Name,
  source: ServerSource,
  args: z.array(z.string().max(4096)).max(256).default([]),
  env: z.array(EnvEntryInput).max(256).default([]),
  mode: Mode,
  port: Port.optional(),
  /** Shared only: the roots the server is told (bridge --root); none by default. */
  roots: z.array(Root).max(64).default([]),
  /** The bridge's caps; absent ones keep the bridge's defaults. */
  bridgeLimits: BridgeLimits.default({}),
  /** Mounts, volumes, networks and extra hosts it reaches on its host; none by default. */
  reach: ServerReachSchema.optional(),
});
export type ServerAddInput = z.input<typeof ServerAddInput>;

export const EnvEntryView = z.object({
  key: EnvKey,
  /** null when the value is secret: the renderer never receives secret values. */
  value: z.string().nullable(),
  secret: z.boolean(),
  hasSecret: z.boolean(),
});
export type EnvEntryView = z.infer<typeof EnvEntryView>;

export const ServerView = z.object({
  name: Name,
  source: ServerSource,
  args: z.array(z.string()),
  env: z.array(EnvEntryView),
  mode: Mode,
  port: Port.nullable(),
  roots: z.array(RootView),
  bridgeLimits: BridgeLimitsView,
  reach: ServerReachView,
  memberCount: z.number().int(),
  instanceCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ServerView = z.infer<typeof ServerView>;

// ---------- versions ----------

/**
 * The exact version a registry gave an npx or uvx source that named none (or a tag or range): what was
 * asked (null: nothing), what is stored, and which registry said so (without credentials).
 */
export const VersionPin = z.object({
  package: z.string(),
  requested: z.string().nullable(),
  version: z.string(),
  registry: z.string(),
});
export type VersionPin = z.infer<typeof VersionPin>;

/** servers:add's answer: the server as stored, and the version the registry chose when one was chosen. */
export const ServerAdded = ServerView.extend({ pinned: VersionPin.nullable() });
export type ServerAdded = z.infer<typeof ServerAdded>;

/** A package source to pin: `pkg`, `pkg@latest`, `pkg@^1` (npm) or `pkg` (PyPI). */
export const RegistryResolveInput = z.object({
  kind: z.enum(['npx', 'uvx']),
  value: z.string().min(1, 'must not be empty').max(512),
});
export type RegistryResolveInput = z.infer<typeof RegistryResolveInput>;

export const ResolvedSource = z.object({
  /** The source with its exact version. */
  source: ServerSource,
  /** null when the source was exact already. */
  pinned: VersionPin.nullable(),
});
export type ResolvedSource = z.infer<typeof ResolvedSource>;

/** An npx or uvx server's pinned version beside the newest its registry has. */
export const ServerVersion = z.object({
  server: z.string(),
  kind: z.enum(['npx', 'uvx']),
  package: z.string(),
  /** As stored; null when the source names no version. */
  pinned: z.string().nullable(),
  /** The registry's `latest` tag (npm) or newest final release (PyPI); null when it could not be asked. */
  latest: z.string().nullable(),
  /** A newer version exists, or the stored one is not exact. */
  outdated: z.boolean(),
  registry: z.string(),
  /** Why the registry could not be asked. */
  error: z.string().nullable(),
});
export type ServerVersion = z.infer<typeof ServerVersion>;

export const ServerVersionsInput = z.object({
  /** How long each registry may take to answer; default 10 s. */
  timeoutMs: z.number().int().min(500).max(30_000).optional(),
});

// ---------- health ----------

/** unknown: the host could not be reached, so nothing is known (never shown as unhealthy). */
export const HealthState = z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']);
export type HealthState = z.infer<typeof HealthState>;

export const HealthCounts = z.object({
  healthy: z.number().int(),
  degraded: z.number().int(),
  unhealthy: z.number().int(),
  unknown: z.number().int(),
});
export type HealthCounts = z.infer<typeof HealthCounts>;

export const InstanceHealth = z.object({
  instanceId: z.string(),
  server: z.string(),
  /** The member of a Dedicated instance; null for Shared. */
  member: z.string().nullable(),
  host: z.string(),
  containerName: z.string(),
  /** Its server runs without TLS (--no-tls): tokens cross the network in clear unless a terminator is in front. */
  plainHttp: z.boolean(),
  state: HealthState,
  /** A sentence a person can read: "child exited with code 1 three times in 2 minutes". */
  reason: z.string(),
  /** When the state last changed (ISO time). */
  since: z.string(),
  /** The last probe (ISO time); null before the first. */
  checkedAt: z.string().nullable(),
  /** MCP ping round trip through the auth layer, in ms. */
  latencyMs: z.number().nullable(),
  restarts: z.object({ container: z.number().int().nullable(), child: z.number().int().nullable() }),
  /** Seconds since the container (its bridge) started. */
  uptimeSeconds: z.number().nullable(),
  sessions: z.number().int().nullable(),
});
export type InstanceHealth = z.infer<typeof InstanceHealth>;

export const HealthSummary = z.object({
  /** False when no monitor runs (a one-shot CLI command); then nothing is probed on a schedule. */
  monitoring: z.boolean(),
  paused: z.boolean(),
  intervalMs: z.number().int(),
  lastSweepAt: z.string().nullable(),
  counts: HealthCounts,
  instances: z.array(InstanceHealth),
});
export type HealthSummary = z.infer<typeof HealthSummary>;

export const HealthSample = z.object({
  at: z.string(),
  state: HealthState,
  latencyMs: z.number().nullable(),
});
export type HealthSample = z.infer<typeof HealthSample>;

export const HealthTransition = z.object({
  at: z.string(),
  from: HealthState.nullable(),
  to: HealthState,
  reason: z.string(),
});
export type HealthTransition = z.infer<typeof HealthTransition>;

/** The short history the monitor keeps per instance: a latency sparkline and a state timeline. */
export const HealthHistory = z.object({
  instanceId: z.string(),
  samples: z.array(HealthSample),
  transitions: z.array(HealthTransition),
});
export type HealthHistory = z.infer<typeof HealthHistory>;

export const HealthChange = z.object({
  instanceId: z.string(),
  previous: HealthState.nullable(),
  state: HealthState,
  reason: z.string(),
});
export type HealthChange = z.infer<typeof HealthChange>;

// ---------- app ----------

export const AppInfo = z.object({
  version: z.string(),
  home: z.string(),
  transport: z.enum(['ipc', 'web']),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * Web mode started without MCP_FLEET_PASSPHRASE: `GET /api/state` says whether the store is still
 * locked and whether it exists yet; `POST /api/unlock` opens (or creates) it. Not channels: until the
 * store opens there are no services to dispatch to. The desktop app's counterparts are the session
 * channels below.
 */
export const StoreState = z.object({ locked: z.boolean(), initialized: z.boolean() });
export type StoreState = z.infer<typeof StoreState>;

export const UnlockInput = z.object({ passphrase: z.string().min(1, 'must not be empty').max(1024) });
export type UnlockInput = z.infer<typeof UnlockInput>;

/** The shortest passphrase web mode and the app accept when they create a store. */
export const MIN_NEW_PASSPHRASE = 8;

/**
 * The desktop app's view of a locked store: StoreState, plus whether this computer's keychain can
 * remember the key (`keychain`), and why a remembered key did not open the store (`notice`).
 */
export const SessionState = StoreState.extend({ keychain: z.boolean(), notice: z.string().nullable() });
export type SessionState = z.infer<typeof SessionState>;

/** `remember`: keep the key in the OS keychain so the next start opens at once; false forgets it. */
export const SessionUnlockInput = UnlockInput.extend({ remember: z.boolean() });
export type SessionUnlockInput = z.infer<typeof SessionUnlockInput>;

// ---------- export and import ----------

/**
 * What an export renders: the instance's deployment (docker-run … firewall), or one member's client
 * configuration (claude = Claude Desktop through mcp-remote, vscode, cursor, claude-code = Claude
 * Code's .mcp.json, codex, gemini = Gemini CLI, windsurf, zed, goose, continue).
 */
export const ExportFormat = z.enum([
  'docker-run',
  'compose',
  'swarm',
  'k8s',
  'firewall',
  'claude',
  'vscode',
  'cursor',
  'claude-code',
  'codex',
  'gemini',
  'windsurf',
  'zed',
  'goose',
  'continue',
]);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportRenderInput = z.object({
  server: Name,
  format: ExportFormat,
  /** Dedicated: the member whose instance to export; client formats: whose token. */
  member: Name.optional(),
  /** Where the instance runs (its address for client URLs, its login's home for the files); default this machine. */
  host: Name.optional(),
  /** Secret values inside the output; otherwise by reference (a file or variable the operator fills). */
  inlineSecrets: z.boolean().default(false),
  /** Host port when no instance or server pin says one. */
  port: Port.optional(),
  /** Address the port is published on; empty or absent for all interfaces. */
  publishAddress: z.string().max(64).optional(),
  /** Source ranges admitted (bridge --allow-cidr, NetworkPolicy, firewall rules). */
  allowCidrs: z.array(z.string().max(64)).max(64).default([]),
  /**
   * Client formats: the absolute path where the member's machine keeps the fleet CA (the Claude snippet's
   * NODE_EXTRA_CA_CERTS); default mcp-fleet-ca.pem in the home folder of the machine exporting.
   */
  caFile: z.string().min(1).max(4096).optional(),
});
export type ExportRenderInput = z.input<typeof ExportRenderInput>;

export const ExportResult = z.object({
  format: ExportFormat,
  /** A file name to suggest when saving. */
  filename: z.string(),
  content: z.string(),
  /** True when the content holds a secret value or a token (the operator asked for inline secrets). */
  containsSecrets: z.boolean(),
  /** Lines to show beside the content: TLS (certificate expiry, how to trust the CA, or plain HTTP). */
  notes: z.array(z.string()).optional(),
});
export type ExportResult = z.infer<typeof ExportResult>;

/**
 * The clients whose user-wide file `clients install` edits on the machine running the services; not
 * claude-code, whose user file (~/.claude.json) is Claude Code's own state, changed by `claude mcp add`.
 */
export const ClientInstallFormat = z.enum([
  'claude',
  'vscode',
  'cursor',
  'codex',
  'gemini',
  'windsurf',
  'zed',
  'goose',
  'continue',
]);
export type ClientInstallFormat = z.infer<typeof ClientInstallFormat>;

/** One member's entry, merged into that client's file (clients install FORMAT SERVER --member M). */
export const ClientInstallInput = z.object({
  format: ClientInstallFormat,
  server: Name,
  member: Name,
  /** The token in the file itself (then made mode 0600); otherwise by reference. Zed needs it. */
  inlineSecrets: z.boolean().default(false),
});
export type ClientInstallInput = z.input<typeof ClientInstallInput>;

export const ClientInstalled = z.object({
  format: ClientInstallFormat,
  /** What the client calls itself. */
  client: z.string(),
  /** The file written (a symbolic link followed). */
  file: z.string(),
  /** The copy of the file as it was; null when nothing changed or there was no file. */
  backup: z.string().nullable(),
  outcome: z.enum(['created', 'updated', 'unchanged']),
  changed: z.boolean(),
  /** Where the token goes and how to trust the fleet CA, as the export says. */
  notes: z.array(z.string()),
});
export type ClientInstalled = z.infer<typeof ClientInstalled>;

export const ServersImportInput = z.object({
  /** The file's text: claude_desktop_config.json, mcp.json or an MCP Registry server.json. */
  text: z.string().min(1).max(1_000_000),
  /** Its name, for messages. */
  fileName: z.string().max(4096).optional(),
  /** Import only the entry with this key; or, for a file with one server, the name to give it. */
  name: Name.optional(),
  mode: Mode.default('shared'),
});
export type ServersImportInput = z.input<typeof ServersImportInput>;

export const ServersImportResult = z.object({
  servers: z.array(ServerView),
  /** What needs the operator's attention (a required value left empty, a docker option dropped). */
  warnings: z.array(z.string()),
});
export type ServersImportResult = z.infer<typeof ServersImportResult>;

// ---------- deploy, members, instances ----------

/** A container name: an instance's is longer than a Name (server, member and a digest). */
export const ContainerName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,200}$/, 'must be a container name (letters, digits, "_", "." or "-")');

/** Deploy progress and other streams carry the id the caller chose, so it can tell its own apart. */
export const StreamId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');

export const LimitsInput = z.object({
  memoryBytes: z.number().int().positive().optional(),
  nanoCpus: z.number().int().positive().optional(),
  pidsLimit: z.number().int().positive().optional(),
  tmpfsSizeBytes: z.number().int().positive().optional(),
  /** Allow executing files from /tmp (servers that unpack and run binaries there). */
  tmpExec: z.boolean().optional(),
});

export const TlsChoice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fleet') }),
  z.object({ kind: z.literal('own'), certPem: z.string().max(65_536), keyPem: z.string().max(65_536) }),
  z.object({ kind: z.literal('none') }),
]);
export type TlsChoice = z.infer<typeof TlsChoice>;

export const DeployRunInput = z.object({
  server: Name,
  host: Name,
  /** Shared: the instance's port (pinned from then on). Dedicated: the first port for members without one. */
  port: Port.optional(),
  /** '' for all interfaces, or one address such as 127.0.0.1; saved on the server. */
  publishAddress: z.string().max(64).optional(),
  allowCidrs: z.array(z.string().max(64)).max(64).optional(),
  limits: LimitsInput.optional(),
  /** Run the instances as Swarm services (the host must be a Swarm manager); saved on the server. */
  swarm: z.boolean().optional(),
  /** How the bridges serve TLS; saved on the server. Absent: as saved (default: the fleet CA's leaves). */
  tls: TlsChoice.optional(),
  /** Names clients use for the host (DNS or IP), added to the fleet leaves' SANs; saved on the server. */
  tlsNames: z.array(z.string().min(1).max(253)).max(32).optional(),
  streamId: StreamId.optional(),
});
export type DeployRunInput = z.input<typeof DeployRunInput>;

export const InstanceOutcome = z.object({
  name: z.string(),
  member: z.string().nullable(),
  host: z.string(),
  port: Port.nullable(),
  url: z.string().nullable(),
  action: z.enum(['created', 'replaced', 'unchanged', 'removed', 'failed', 'skipped']),
  tools: z.array(z.string()).nullable(),
  error: z.string().optional(),
  errorCode: ErrorCode.optional(),
});
export type InstanceOutcome = z.infer<typeof InstanceOutcome>;

export const DeployResult = z.object({
  deployId: z.string(),
  server: z.string(),
  host: z.string(),
  image: z.string(),
  imageBuilt: z.boolean(),
  instances: z.array(InstanceOutcome),
  /** False when everything already was as the definition wants it. */
  changed: z.boolean(),
});
export type DeployResult = z.infer<typeof DeployResult>;

export const MemberView = z.object({
  server: z.string(),
  name: z.string(),
  /** ['*'] all, [] none, or the patterns: likewise resources (URI patterns) and prompts. */
  tools: z.array(z.string()),
  resources: z.array(z.string()),
  prompts: z.array(z.string()),
  /** Keys of the member's own (secret) values; the values never reach a UI. */
  envKeys: z.array(z.string()),
  port: Port.nullable(),
  /** The member's own fair-share limits; {} keeps the server's. */
  limits: MemberLimitsView,
  /** True while a rotated-out token is still accepted. */
  rotating: z.boolean(),
  instances: z.array(z.string()),
  createdAt: z.string(),
});
export type MemberView = z.infer<typeof MemberView>;

export const MemberAddInput = z.object({
  server: Name,
  name: Name,
  /** Tool names or patterns (read_*) the member may call: ['*'] all (the default), [] none. */
  tools: ToolAccess.optional(),
  /** Resource URIs or patterns (file:///docs/*) the member may list and read; default all. */
  resources: ResourceAccess.optional(),
  /** Prompt names or patterns the member may list and get; default all. */
  prompts: PromptAccess.optional(),
  /** The member's own values (a personal API key): secret, Dedicated servers only. */
  env: z
    .array(z.object({ key: EnvKey, value: z.string().max(32768) }))
    .max(64)
    .optional(),
  /** The member's own fair-share limits, over the server's --member-* caps. */
  limits: MemberLimits.optional(),
  streamId: StreamId.optional(),
});
export type MemberAddInput = z.input<typeof MemberAddInput>;

export const MemberAdded = z.object({
  member: MemberView,
  /** The member's token: shown this once, kept encrypted, never sent again. */
  token: z.string(),
  deploys: z.array(DeployResult),
  /** Why the deploy that should have followed failed; the member is added regardless. */
  deployError: z.string().nullable(),
});
export type MemberAdded = z.infer<typeof MemberAdded>;

/**
 * A change to a member: each field given replaces the stored one (limits as a whole: {} returns the
 * member to the server's caps); fields not given stay. The token is rotated with secrets:rotate.
 */
export const MemberSetInput = z.object({
  server: Name,
  name: Name,
  tools: ToolAccess.optional(),
  resources: ResourceAccess.optional(),
  prompts: PromptAccess.optional(),
  limits: MemberLimits.optional(),
  streamId: StreamId.optional(),
});
export type MemberSetInput = z.input<typeof MemberSetInput>;

export const MemberChanged = z.object({
  member: MemberView,
  /** The deploys that carried the change to the server's instances. */
  deploys: z.array(DeployResult),
  /** Why that deploy failed; the change is saved regardless. */
  deployError: z.string().nullable(),
});
export type MemberChanged = z.infer<typeof MemberChanged>;

/**
 * A change to a server's bridge settings: the roots (Shared only; [] for none) and the caps (as a
 * whole: {} returns every cap to the bridge's default). Fields not given stay.
 */
export const ServerSetInput = z.object({
  server: Name,
  /** npx/uvx: the exact version to run; image: the tag. The tools it changes are shown before it applies. */
  version: z.string().min(1).max(256).optional(),
  /** The server's arguments, replaced as a whole. */
  args: z.array(z.string().max(4096)).max(256).optional(),
  /** Environment entries to add or replace (a secret one with secret: true). */
  env: z.array(EnvEntryInput).max(256).optional(),
  /** Environment keys to remove. */
  unsetEnv: z.array(EnvKey).max(256).optional(),
  /** The pinned port; null lets the deploy choose. */
  port: Port.nullable().optional(),
  roots: z.array(Root).max(64).optional(),
  bridgeLimits: BridgeLimits.optional(),
  /** Mounts, volumes, networks and extra hosts, replaced as a whole. */
  reach: ServerReachSchema.optional(),
  /** Shared or Dedicated: the instances of the old shape are removed and the new ones made. */
  mode: Mode.optional(),
  /** With a change to Shared: drop the members' own values (a Shared instance cannot keep them apart). */
  dropMemberEnv: z.boolean().optional(),
  /** With a mode change: go on although the new instances start without the old ones' volume data. */
  freshVolumes: z.boolean().optional(),
  /** Check the change and list the tools a version change alters; save and deploy nothing. */
  dryRun: z.boolean().optional(),
  streamId: StreamId.optional(),
});
export type ServerSetInput = z.input<typeof ServerSetInput>;

/**
 * What a mode change does where the server runs (read from the store, no host asked): per host, the
 * instances removed and made; `notes` say what does not carry over (dropped values, volume data).
 */
export const ModeChange = z.object({
  from: Mode,
  to: Mode,
  hosts: z.array(z.object({ host: z.string(), remove: z.array(z.string()), create: z.array(z.string()) })),
  notes: z.array(z.string()),
});
export type ModeChange = z.infer<typeof ModeChange>;

/**
 * What a version change does to the server's tools (shared/tool-diff.ts), from the full tools/list of
 * each version run once on `host`; host null when the server runs nowhere, so nothing was listed.
 */
export const ToolDiff = z.object({
  from: z.string(),
  to: z.string(),
  host: z.string().nullable(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ name: z.string(), fields: z.array(z.string()) })),
  unchanged: z.number().int(),
});
export type ToolDiff = z.infer<typeof ToolDiff>;

export const ServerChanged = z.object({
  /** As saved; with dryRun, as it would be saved. */
  server: ServerView,
  deploys: z.array(DeployResult),
  deployError: z.string().nullable(),
  /** null when the version did not change. */
  toolDiff: ToolDiff.nullable(),
  /** The exact version a registry gave a tag or range; null when none was asked. */
  pinned: VersionPin.nullable(),
  /** What a mode change removes and makes; null when the mode stayed. */
  modeChange: ModeChange.nullable().default(null),
  /** True when nothing was saved or deployed (dryRun). */
  dryRun: z.boolean(),
});
export type ServerChanged = z.infer<typeof ServerChanged>;

export const Drift = z.enum(['ok', 'missing', 'extra', 'config differs', 'not running', 'unknown']);
export type Drift = z.infer<typeof Drift>;

export const InstanceView = z.object({
  name: z.string(),
  server: z.string(),
  member: z.string().nullable(),
  host: z.string(),
  port: Port.nullable(),
  url: z.string().nullable(),
  /** Docker's state (running, exited, …), `absent`, or `unknown` when the host could not be read. */
  state: z.string(),
  drift: Drift,
  tools: z.array(z.string()).nullable(),
  /**
   * How its bridge serves: a fleet CA leaf, the operator's own certificate, or `none` (plain HTTP,
   * --no-tls); notAfter is when the certificate deployed to it expires. null: not known here.
   */
  tls: z.object({ kind: z.enum(['fleet', 'own', 'none']), notAfter: z.string().nullable() }).nullable(),
  error: z.string().optional(),
});
export type InstanceView = z.infer<typeof InstanceView>;

export const InstanceRefInput = z.object({ name: ContainerName, host: Name.optional() });

export const InstanceLogsInput = InstanceRefInput.extend({
  tail: z.number().int().min(1).max(10_000).default(200),
});

export const LogLineView = z.object({ stream: z.enum(['stdout', 'stderr']), text: z.string() });

export const SecretsRotateInput = z.object({
  server: Name,
  member: Name.optional(),
  /** Stop accepting the previous tokens (the second step of a rotation). */
  finish: z.boolean().default(false),
  streamId: StreamId.optional(),
});
export type SecretsRotateInput = z.input<typeof SecretsRotateInput>;

export const RotateResult = z.object({
  server: z.string(),
  /** The new tokens: shown this once. */
  tokens: z.array(z.object({ member: z.string(), token: z.string() })),
  finished: z.array(z.string()),
  deploys: z.array(DeployResult),
  deployError: z.string().nullable(),
});
export type RotateResult = z.infer<typeof RotateResult>;

export const HostCheck = z.object({
  reachable: z.boolean(),
  fingerprint: z.string().nullable(),
  dockerVersion: z.string().nullable(),
  dockerPermitted: z.boolean().nullable(),
  arch: z.string().nullable(),
  /** manager: takes `deploy --swarm`; null when the engine could not be asked. */
  swarm: z.enum(['manager', 'worker', 'inactive']).nullable().optional(),
  freePorts: z.array(Port).optional(),
  dockerTransport: z.string().optional(),
  /** The host's effective base image: on the host, or to be pulled (and whether its registry answered). */
  baseImage: z
    .object({
      ref: z.string(),
      source: z.enum(SETTING_SOURCES),
      state: z.enum(['present', 'pullable', 'unreachable', 'unknown']),
      detail: z.string(),
    })
    .optional(),
  /** The networks the servers running here join, and whether each is there (hosts check). */
  networks: z
    .array(
      z.object({
        name: z.string(),
        servers: z.array(z.string()),
        state: z.enum(['present', 'missing', 'not-attachable']),
      }),
    )
    .optional(),
  error: z.string().optional(),
});
export type HostCheck = z.infer<typeof HostCheck>;

// ---------- tls ----------

/** The fleet CA's certificate: public, what clients trust. Its private key never leaves the store. */
export const TlsCaInfo = z.object({
  pem: z.string(),
  /** SHA-256 fingerprint as AA:BB:…, for comparing by eye. */
  fingerprint256: z.string(),
  /** When the CA expires (ISO time). */
  notAfter: z.string(),
});
export type TlsCaInfo = z.infer<typeof TlsCaInfo>;

// ---------- store: backup, restore, passphrase ----------

/** A backup for the UI to save: the file's bytes in base64, and the name to offer. */
export const StoreBackupFile = z.object({
  fileName: z.string(),
  data: z.string(),
  bytes: z.number().int(),
  schema: z.number().int(),
  createdAt: z.string(),
});
export type StoreBackupFile = z.infer<typeof StoreBackupFile>;

/** The largest backup file the UI uploads (web mode's request limit is lower still). */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

/** A backup file chosen in the UI; `backupPassphrase` when it was made under another passphrase. */
export const StoreRestoreInput = z.object({
  fileName: z.string().min(1).max(255),
  data: z
    .string()
    .min(1, 'the file is empty')
    .max(Math.ceil(MAX_BACKUP_BYTES / 3) * 4, 'the file is too large to be a backup'),
  backupPassphrase: z.string().min(1, 'must not be empty').max(1024).optional(),
});
export type StoreRestoreInput = z.infer<typeof StoreRestoreInput>;

export const StoreRestored = z.object({
  /** The store as it was, kept beside fleet.db (it opens with the current passphrase). */
  previous: z.string(),
  schema: z.number().int(),
  /** When the backup was made; null for a bare store file. */
  createdAt: z.string().nullable(),
  /** The backup was made under another passphrase and now has the store's current one. */
  rekeyed: z.boolean(),
});
export type StoreRestored = z.infer<typeof StoreRestored>;

export const StorePassphraseInput = z.object({
  current: z.string().min(1, 'must not be empty').max(1024),
  next: z.string().min(MIN_NEW_PASSPHRASE, `must be at least ${MIN_NEW_PASSPHRASE} characters`).max(1024),
});
export type StorePassphraseInput = z.infer<typeof StorePassphraseInput>;

/** `keychainForgotten`: the desktop app's remembered key that was removed (it no longer fitted), if any. */
export const StorePassphraseChanged = z.object({ keychainForgotten: z.string().nullable() });
export type StorePassphraseChanged = z.infer<typeof StorePassphraseChanged>;

// ---------- audit ----------

/** Filters of the audit trail of calls; `since` is ISO. Newest `limit` calls, given oldest first. */
export const AuditListInput = z.object({
  server: z.string().min(1).max(200).optional(),
  member: z.string().min(1).max(200).optional(),
  /** A tool or prompt name, or a resource uri. */
  tool: z.string().min(1).max(1000).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(100_000).default(1000),
});
export type AuditListInput = z.input<typeof AuditListInput>;

/** One call from a bridge's audit line. Every text in it came from a container: treat it as untrusted. */
export const AuditCallView = z.object({
  at: z.string(),
  server: z.string(),
  instance: z.string(),
  member: z.string().nullable(),
  session: z.string().nullable(),
  method: z.string(),
  /** The tool or prompt name, or the resource uri. */
  target: z.string().nullable(),
  outcome: z.string(),
  ms: z.number().nullable(),
  correlationId: z.string().nullable(),
  collectedAt: z.string(),
});
export type AuditCallView = z.infer<typeof AuditCallView>;

export const AuditCollected = z.object({
  instances: z.number().int(),
  /** Calls added to the trail by this collection. */
  added: z.number().int(),
  /** Calls deleted for being older than the retention. */
  pruned: z.number().int(),
  retentionDays: z.number().int(),
  /** Instances whose log could not be read this time; collected next time from where they stand. */
  failed: z.array(z.object({ instance: z.string(), host: z.string(), message: z.string() })),
});
export type AuditCollected = z.infer<typeof AuditCollected>;

/** The audit trail's fleet-wide settings as shown: header values never leave the services. */
export const AuditSettingsView = z.object({
  retentionDays: z.number().int(),
  /** The OTLP/HTTP logs URL (a query shown as ••••); null: forwarding is off. */
  otlpEndpoint: z.string().nullable(),
  /** Header names only; their values are shown as •••• wherever they are listed. */
  otlpHeaders: z.array(z.string()),
  updatedAt: z.string().nullable(),
});
export type AuditSettingsView = z.infer<typeof AuditSettingsView>;

/** What to change; what is absent stays. Checked whole before anything is saved. */
export const AuditSettingsInput = z.object({
  /** Days calls are kept, 1 to 3650. */
  retentionDays: z.number().int().optional(),
  /** An http(s) URL posted to as given (e.g. http://collector:4318/v1/logs); null turns forwarding off. */
  otlpEndpoint: z.string().max(2048).nullable().optional(),
  /** [name, value] pairs replacing every header; [] removes them. A value may be a secret. */
  otlpHeaders: z
    .array(z.tuple([z.string().max(128), z.string().max(4096)]))
    .max(20)
    .optional(),
});
export type AuditSettingsInput = z.input<typeof AuditSettingsInput>;

/** Where forwarding the trail to the OTLP collector stands. Messages never hold a header value. */
export const AuditForwardStatus = z.object({
  /** As in AuditSettingsView; null: forwarding is off. */
  endpoint: z.string().nullable(),
  /** The last call (seq) the collector accepted; null: nothing forwarded yet. */
  cursor: z.number().int().nullable(),
  /** Calls in the trail not yet forwarded. */
  pending: z.number().int(),
  /** Calls the collector accepted, in all. */
  sent: z.number().int(),
  /** Calls deleted by retention before their turn came, in all. */
  skipped: z.number().int(),
  lastAttemptAt: z.string().nullable(),
  lastSentAt: z.string().nullable(),
  /** Why the last run stopped short; null when it sent all it had. */
  lastError: z.string().nullable(),
  /** Another process (the app beside the CLI) is forwarding now. */
  busy: z.boolean(),
});
export type AuditForwardStatus = z.infer<typeof AuditForwardStatus>;

export const AuditForwarded = AuditForwardStatus.extend({
  /** Calls accepted in this run. */
  sentNow: z.number().int(),
  /** Calls found pruned before their turn in this run. */
  skippedNow: z.number().int(),
  /** True when every pending call went; false when the run stopped at an error or was busy. */
  delivered: z.boolean(),
});
export type AuditForwarded = z.infer<typeof AuditForwarded>;

/** How far back the usage chart reaches: its SQL groups at most this many days. */
export const AUDIT_USAGE_MAX_DAYS = 90;

/** Calls and errors per member and UTC day since `since` (ISO, at most 90 days back). */
export const AuditUsageInput = z.object({
  since: z.iso.datetime({ offset: true }),
  server: z.string().min(1).max(200).optional(),
  member: z.string().min(1).max(200).optional(),
  /** A tool or prompt name, or a resource uri, as in AuditListInput. */
  tool: z.string().min(1).max(1000).optional(),
});
export type AuditUsageInput = z.input<typeof AuditUsageInput>;

/** One member's calls on one UTC day; errors are calls whose outcome is not "ok". */
export const AuditUsageDay = z.object({
  /** YYYY-MM-DD, UTC. */
  day: z.string(),
  member: z.string().nullable(),
  calls: z.number().int(),
  errors: z.number().int(),
});
export type AuditUsageDay = z.infer<typeof AuditUsageDay>;

// ---------- settings ----------

export const SettingKey = z.enum(SETTING_KEYS);

/** One key for the fleet or a host: the effective value, where it comes from, and what is stored. */
export const SettingView = z.object({
  key: SettingKey,
  /** null: nothing passed on, the tool's own configuration applies (see defaultText). */
  value: z.string().nullable(),
  source: z.enum(SETTING_SOURCES),
  /** The environment variable that overrides every stored value. */
  variable: z.string(),
  fleet: z.string().nullable(),
  /** The host's own override; null for the fleet's listing or when the host has none. */
  host: z.string().nullable(),
  default: z.string().nullable(),
  defaultText: z.string(),
  about: z.string(),
});
export type SettingView = z.infer<typeof SettingView>;

export const SettingsGetInput = z.object({ key: SettingKey.optional(), host: Name.optional() });
export const SettingsListing = z.object({ host: z.string().nullable(), settings: z.array(SettingView) });
export type SettingsListing = z.infer<typeof SettingsListing>;
export const SettingsSetInput = z.object({
  key: SettingKey,
  value: z.string().trim().min(1, 'must not be empty (unset the key instead)').max(512),
  host: Name.optional(),
});
export const SettingsUnsetInput = z.object({ key: SettingKey, host: Name.optional() });
export const SettingsUnset = z.object({ removed: z.boolean(), setting: SettingView });
export type SettingsUnset = z.infer<typeof SettingsUnset>;

// ---------- alerts ----------

export const ALERT_KINDS = [
  'instance_unhealthy',
  'instance_unknown',
  'restart_storm',
  'certificate_expiring',
  'tool_quarantined',
  'deploy_failed',
] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;
export const AlertSeverity = z.enum(['critical', 'warning', 'info']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** One raised alert. Subject and message may quote a container or a server's tool: untrusted text. */
export const AlertView = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: AlertKind,
  severity: AlertSeverity,
  subject: z.string(),
  message: z.string(),
});
export type AlertView = z.infer<typeof AlertView>;

export const WebhookFormat = z.enum(['generic', 'slack']);
export type WebhookFormat = z.infer<typeof WebhookFormat>;

/** A webhook as shown: the URL's path and query and every header value hidden (either may be the secret). */
export const WebhookView = z.object({
  name: z.string(),
  url: z.string(),
  format: WebhookFormat,
  /** Header names only; their values never leave the services. */
  headers: z.array(z.string()),
  createdAt: z.string(),
});
export type WebhookView = z.infer<typeof WebhookView>;

export const AlertsListInput = z.object({ limit: z.number().int().min(1).max(1000).default(50) });
export const AlertsListing = z.object({
  webhooks: z.array(WebhookView),
  /** Newest first. */
  alerts: z.array(AlertView),
  /** Alerts raised in the last 24 hours. */
  lastDay: z.number().int(),
});
export type AlertsListing = z.infer<typeof AlertsListing>;

export const AlertsAddWebhookInput = z.object({
  name: Name,
  url: z.string().min(1).max(2048),
  format: WebhookFormat.default('generic'),
  /** [name, value] pairs; a value may be a secret. */
  headers: z
    .array(z.tuple([z.string().max(128), z.string().max(4096)]))
    .max(20)
    .default([]),
  /** Plain http to an address other than this machine's loopback. */
  allowHttp: z.boolean().default(false),
});
export type AlertsAddWebhookInput = z.input<typeof AlertsAddWebhookInput>;

export const AlertsTestResult = z.object({
  webhook: z.string(),
  delivered: z.boolean(),
  /** The last HTTP status, null when no answer came. */
  status: z.number().int().nullable(),
  attempts: z.number().int(),
  message: z.string(),
});
export type AlertsTestResult = z.infer<typeof AlertsTestResult>;

const NameInput = z.object({ name: Name });

// Tool pinning (issue 14): the definitions a server's bridges serve, and those they quarantine.
export const PIN_KIND_VALUES = ['tools', 'prompts', 'resourceTemplates'] as const;
export const PinKindValue = z.enum(PIN_KIND_VALUES);
export const PinsListInput = z.object({ server: Name });
export type PinsListInput = z.input<typeof PinsListInput>;
const PinnedDefinitionView = z.object({
  hash: z.string(),
  /** The pinned fields as the server listed them; null when the bridge left a long one out. */
  definition: z.record(z.string(), z.unknown()).nullable(),
  /** ISO: approved (pins) or first reported (quarantined). */
  at: z.string(),
});
export const PinEntryView = z.object({
  kind: PinKindValue,
  /** A tool's or prompt's name, a template's uriTemplate. Came from a server: untrusted text. */
  name: z.string(),
  /** approved: served as pinned; changed or new: quarantined (a different or unknown definition seen). */
  status: z.enum(['approved', 'changed', 'new']),
  approved: PinnedDefinitionView.nullable(),
  /** The newest definition reported that is not the approved one (null when none). */
  quarantined: PinnedDefinitionView.nullable(),
});
export type PinEntryView = z.infer<typeof PinEntryView>;
export const PinsView = z.object({
  server: z.string(),
  /** ISO: when the first set was recorded; null until the first green deploy's definitions arrive. */
  recordedAt: z.string().nullable(),
  autoApproveNew: z.boolean(),
  entries: z.array(PinEntryView),
});
export type PinsView = z.infer<typeof PinsView>;
export const PinsApproveInput = z.object({
  server: Name,
  /** Names (or uriTemplates) to approve; none: every quarantined definition. */
  names: z.array(z.string().min(1).max(2048)).max(1000).default([]),
  /** Only this kind; absent: any kind with that name. */
  kind: PinKindValue.optional(),
});
export type PinsApproveInput = z.input<typeof PinsApproveInput>;
export const PinsAutoApproveInput = z.object({ server: Name, on: z.boolean() });
export type PinsAutoApproveInput = z.input<typeof PinsAutoApproveInput>;
/** Where the new set reached: per instance, pushed (the bridge re-read it) or why not. */
export const PinsPushOutcome = z.object({
  instance: z.string(),
  host: z.string(),
  outcome: z.enum(['pushed', 'skipped', 'failed']),
  detail: z.string(),
});
export type PinsPushOutcome = z.infer<typeof PinsPushOutcome>;
export const PinsChanged = z.object({
  pins: PinsView,
  /** What was approved now: kind and name. */
  approved: z.array(z.object({ kind: PinKindValue, name: z.string() })),
  pushed: z.array(PinsPushOutcome),
});
export type PinsChanged = z.infer<typeof PinsChanged>;
const Removed = z.object({ removed: z.literal(true) });
const Nothing = z.object({}).strict();

/** Every request channel: input schema, output schema. */
export const channels = {
  'app:info': { input: Nothing, output: AppInfo },
  'hosts:list': { input: Nothing, output: z.array(HostView) },
  'hosts:add': { input: HostAddInput, output: HostView },
  'hosts:remove': { input: NameInput, output: Removed },
  /** Changes a host's address, port, login or pinned key (hosts set). */
  'hosts:set': { input: HostSetInput, output: HostChanged },
  'servers:list': { input: Nothing, output: z.array(ServerView) },
  'servers:show': { input: NameInput, output: ServerView },
  'servers:add': { input: ServerAddInput, output: ServerAdded },
  'servers:set': { input: ServerSetInput, output: ServerChanged },
  'servers:remove': { input: NameInput, output: Removed },
  /** Each npx/uvx server's pinned version beside the registry's newest (servers outdated). */
  'servers:versions': { input: ServerVersionsInput, output: z.array(ServerVersion) },
  /** The exact version an npx/uvx source would be pinned to; asks the registry unless it is exact. */
  'registry:resolve': { input: RegistryResolveInput, output: ResolvedSource },
  'health:summary': { input: Nothing, output: HealthSummary },
  'health:history': { input: z.object({ instanceId: z.string().min(1).max(64) }), output: HealthHistory },
  'health:pause': { input: z.object({ paused: z.boolean() }), output: HealthSummary },
  'servers:import': { input: ServersImportInput, output: ServersImportResult },
  'export:render': { input: ExportRenderInput, output: ExportResult },
  /** Merges a member's entry into a client's file on the machine running the services (clients install). */
  'clients:install': { input: ClientInstallInput, output: ClientInstalled },
  'deploy:run': { input: DeployRunInput, output: DeployResult },
  'servers:update': {
    input: z.object({ server: Name, streamId: StreamId.optional() }),
    output: z.array(DeployResult),
  },
  'members:add': { input: MemberAddInput, output: MemberAdded },
  'members:set': { input: MemberSetInput, output: MemberChanged },
  'members:list': { input: z.object({ server: Name }), output: z.array(MemberView) },
  'members:remove': {
    input: z.object({ server: Name, name: Name, streamId: StreamId.optional() }),
    output: Removed,
  },
  'instances:list': { input: z.object({ server: Name.optional() }), output: z.array(InstanceView) },
  'instances:logs': { input: InstanceLogsInput, output: z.array(LogLineView) },
  'instances:restart': { input: InstanceRefInput, output: z.object({ done: z.literal(true) }) },
  'instances:stop': { input: InstanceRefInput, output: z.object({ done: z.literal(true) }) },
  'instances:remove': { input: InstanceRefInput, output: Removed },
  'secrets:rotate': { input: SecretsRotateInput, output: RotateResult },
  'hosts:check': { input: NameInput, output: HostCheck },
  /** The fleet CA (created on first need), for clients to trust. */
  'tls:ca': { input: Nothing, output: TlsCaInfo },
  /** A backup of the store to download (store backup). */
  'store:backup': { input: Nothing, output: StoreBackupFile },
  /** Replaces the store with a backup; the store keeps its passphrase (store restore). */
  'store:restore': { input: StoreRestoreInput, output: StoreRestored },
  /** Re-keys the store to a new passphrase (store passphrase). */
  'store:passphrase': { input: StorePassphraseInput, output: StorePassphraseChanged },
  /** Each setting's effective value and source, for the fleet or a host (settings get). */
  'settings:get': { input: SettingsGetInput, output: SettingsListing },
  /** Stores a setting for the fleet or a host, checked first (settings set). */
  'settings:set': { input: SettingsSetInput, output: SettingView },
  /** Removes the fleet's or a host's value, so the next weaker one applies (settings unset). */
  'settings:unset': { input: SettingsUnsetInput, output: SettingsUnset },
  /** The audit trail of calls, filtered (audit). */
  'audit:list': { input: AuditListInput, output: z.array(AuditCallView) },
  /** Collects every instance's new audit lines now (audit --collect). */
  'audit:collect': { input: Nothing, output: AuditCollected },
  /** The trail's retention and OTLP forwarding settings, header values hidden (audit settings). */
  'audit:settings': { input: Nothing, output: AuditSettingsView },
  /** Changes them after checking the whole change; nothing is saved on an error (audit settings --…). */
  'audit:configure': { input: AuditSettingsInput, output: AuditSettingsView },
  /** Sends the calls not yet forwarded to the OTLP collector now (audit forward). */
  'audit:forward': { input: Nothing, output: AuditForwarded },
  /** Where forwarding stands (audit forward --status). */
  'audit:forwarding': { input: Nothing, output: AuditForwardStatus },
  /** Calls and errors per member and UTC day (the Audit page's usage chart). */
  'audit:usage': { input: AuditUsageInput, output: z.array(AuditUsageDay) },
  /** The webhooks (secrets hidden) and the newest alerts (alerts list). */
  'alerts:list': { input: AlertsListInput, output: AlertsListing },
  'alerts:add-webhook': { input: AlertsAddWebhookInput, output: WebhookView },
  'alerts:remove-webhook': { input: NameInput, output: Removed },
  /** Sends a test alert to one webhook and says what it answered (alerts test). */
  'alerts:test': { input: NameInput, output: AlertsTestResult },
  /** A server's pinned definitions and the quarantined ones, with both definitions (tools list). */
  'pins:list': { input: PinsListInput, output: PinsView },
  /** Approves the named (or every) quarantined definition and pushes the set (tools approve). */
  'pins:approve': { input: PinsApproveInput, output: PinsChanged },
  /** Turns the automatic approval of new definitions on or off and pushes the set (tools auto-approve). */
  'pins:auto-approve': { input: PinsAutoApproveInput, output: PinsChanged },
} as const;

export type Channel = keyof typeof channels;
export type ChannelInput<C extends Channel> = z.input<(typeof channels)[C]['input']>;
export type ChannelOutput<C extends Channel> = z.infer<(typeof channels)[C]['output']>;

/** Events pushed from the services to every UI. */
export const events = {
  /** Something in a domain changed; UIs refetch the queries of that domain. */
  'store:changed': z.object({ domain: z.enum(['hosts', 'servers', 'members', 'instances']) }),
  /** Instances changed health state (or monitoring was paused or resumed); carries the new counts. */
  'health:changed': z.object({ changed: z.array(HealthChange), counts: HealthCounts, paused: z.boolean() }),
  /** One line of progress of a deploy (or members, update, rotate) started with that stream id. */
  'deploy:progress': z.object({ streamId: StreamId, line: z.string() }),
  /** An alert was raised (and recorded); the page shows it, the desktop app also notifies. */
  'alerts:raised': AlertView,
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

/**
 * The desktop app's two channels for a locked store (web mode's GET /api/state and POST /api/unlock):
 * not in `channels`, since they answer while there are no services to dispatch to.
 */
export const sessionChannels = {
  'session:state': { input: Nothing, output: SessionState },
  'session:unlock': { input: SessionUnlockInput, output: SessionState },
} as const;

export type SessionChannel = keyof typeof sessionChannels;

export const channelNames = Object.keys(channels) as Channel[];
export const sessionChannelNames = Object.keys(sessionChannels) as SessionChannel[];
export const eventNames = Object.keys(events) as EventName[];

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorShape };

export const ResultShape = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorShape }),
]);

type MethodName<C extends string> = C extends `${infer A}:${infer B}` ? `${A}${Capitalize<B>}` : never;
type ListenerName<E extends string> = `on${Capitalize<MethodName<E>>}`;

/** `hosts:list` → `hostsList`; the one rule both transports and the renderer use. */
export function methodName(channel: string): string {
  const [a = '', b = ''] = channel.split(':');
  return a + b.charAt(0).toUpperCase() + b.slice(1);
}

/** `store:changed` → `onStoreChanged`. */
export function listenerName(event: string): string {
  const m = methodName(event);
  return 'on' + m.charAt(0).toUpperCase() + m.slice(1);
}

/**
 * The API the renderer holds as `window.api`, derived from the contract: one method per channel
 * (`hostsList`, `serversAdd`, ...), one `onX` per event returning its unsubscribe function.
 * Both transports implement exactly this, so the renderer cannot tell which one it has.
 */
export type FleetApi = {
  [C in Channel as MethodName<C>]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;
} & {
  [E in EventName as ListenerName<E>]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

/** The desktop preload's `window.api`: the contract plus the two session channels (`sessionState`, `sessionUnlock`). */
export type DesktopApi = FleetApi & {
  [C in SessionChannel as MethodName<C>]: (
    input: z.input<(typeof sessionChannels)[C]['input']>,
  ) => Promise<Result<z.infer<(typeof sessionChannels)[C]['output']>>>;
};
