/**
 * Exports: turns a server definition into the artefacts operators use (the docker-run command,
 * compose, swarm and k8s files, firewall rules, client snippets), every one from the InstanceSpec
 * deploy runs.
 */
import os from 'node:os';
import path from 'node:path';
import { FleetError } from '../../shared/errors';
import { parseCidrs, parsePublishAddress } from '../instance-spec/address';
import { assertHasMembers, buildInstanceSpec } from '../instance-spec/instance-spec';
import { containerName, instanceConfigDir } from '../instance-spec/names';
import type { InstanceSpec, SourceImageConfig, TlsMaterial } from '../instance-spec/types';
import type { Store } from '../store/store';
import type { HostRecord, MemberRecord, ServerRecord } from '../store/types';
import { instanceUrl, isClientFormat, renderClientConfig } from './client-config';
import { renderCompose } from './compose';
import { renderDockerRunScript } from './docker-run-script';
import { ExportRenderInput, type ExportResult } from './export-schema';
import { renderFirewall } from './firewall';
import { renderK8s } from './k8s';
import type { RuntimeImageResolver, SourceImageInspector } from './runtime-image-ref';
import { renderSwarm } from './swarm';
import { tlsNote } from './tls-notes';

/**
 * The certificate and key an instance's bridge serves HTTPS with (a leaf from the fleet CA, or the
 * operator's own); null: the server runs without TLS (--no-tls).
 */
export type TlsFor = (input: {
  server: ServerRecord;
  host: HostRecord | null;
  containerName: string;
}) => Promise<TlsMaterial | null>;

/** Where the fleet CA is expected on the member's machine unless --ca-file says otherwise. */
export const DEFAULT_CA_FILE_NAME = 'mcp-fleet-ca.pem';

export interface ExportDeps {
  store: Store;
  runtimeImage: RuntimeImageResolver;
  inspectSourceImage: SourceImageInspector;
  /** Required: an export must never fall back to plain HTTP because nobody said where TLS comes from. */
  tlsFor: TlsFor;
  /** This machine's home folder, for instances on the local host. */
  localHome?: string;
  /** Who the audit log names for exports. */
  actor?: string;
  /**
   * The push-registry ref of a local runtime tag for the swarm and k8s exports (a host's setting, else
   * the fleet's), with its digest once pushed; null when no push-registry is set.
   */
  pushedImage?: (hostId: string | null, localTag: string) => PushedRef | null;
}

export interface PushedRef {
  registry: string;
  ref: string;
  digest: string | null;
}

/**
 * The home folder of a host's login, where its instances' folders go. One rule for deploy and export,
 * so both write the same paths: root's is /root, anyone else's /home/<user>; this machine's is the
 * home of the user running MCP Fleet.
 */
export function hostHome(host: HostRecord | null, localHome: string = os.homedir()): string {
  if (host === null || host.kind === 'local') return localHome;
  return host.user === null || host.user === 'root' ? '/root' : `/home/${host.user}`;
}

export class ExportService {
  constructor(private readonly deps: ExportDeps) {}

  /**
   * Renders one export and records it in the audit log (which says whether secrets went out inline).
   * Throws FleetError: not_found (server, member, host), invalid_input (what cannot run).
   */
  async render(raw: ExportRenderInput): Promise<ExportResult> {
    const input = ExportRenderInput.parse(raw);
    const result = await this.renderParsed(input);
    this.deps.store.audit.append({
      actor: this.deps.actor ?? 'unknown',
      action: 'servers.export',
      target: input.server,
      outcome: 'ok',
      detail: `${input.format}${input.member === undefined ? '' : ` for ${input.member}`}${result.containsSecrets ? ', secrets inline' : ''}`,
    });
    return result;
  }

  private async renderParsed(input: ReturnType<typeof ExportRenderInput.parse>): Promise<ExportResult> {
    const { store } = this.deps;
    const server = store.servers.getByName(input.server);
    if (!server) throw new FleetError('not_found', `no server named "${input.server}"`);
    const host = input.host === undefined ? null : store.hosts.getByName(input.host);
    if (input.host !== undefined && host === null)
      throw new FleetError('not_found', `no host named "${input.host}"`);
    const allMembers = store.members.listByServer(server.id);
    const member = input.member === undefined ? null : allMembers.find((m) => m.name === input.member);
    if (member === undefined) {
      throw new FleetError(
        'not_found',
        `server "${server.name}" has no member named "${input.member ?? ''}"`,
      );
    }
    const publishAddress = parsePublishAddress(input.publishAddress ?? '');
    const cidrs = parseCidrs(input.allowCidrs);
    const title = `server ${server.name} (${server.mode}) on ${host === null ? 'this machine' : `host ${host.name}`}`;

    if (isClientFormat(input.format)) {
      const who = member ?? onlyMember(server, allMembers);
      const instance = server.mode === 'dedicated' ? who : null;
      const port = this.portFor(server, instance, host, input.port);
      const caFile = this.caFile(input.caFile);
      const loopback = publishAddress === '::1' || publishAddress.startsWith('127.');
      const address = loopback || host === null ? 'localhost' : (host.address ?? 'localhost');
      const name = containerName(server.name, instance?.name ?? null);
      const tls = await this.deps.tlsFor({ server, host, containerName: name });
      const snippet = renderClientConfig({
        format: input.format,
        server: server.name,
        member: who,
        url: instanceUrl(address, port, tls !== null),
        inlineSecrets: input.inlineSecrets,
        caFile: tls === null ? null : caFile,
      });
      return {
        format: input.format,
        filename: snippet.filename,
        content: snippet.content,
        containsSecrets: input.inlineSecrets,
        notes: [...snippet.notes, ...(tls === null ? [] : [tlsNote(tls.certPem, `instance ${name}`)])],
      };
    }

    const targets: (MemberRecord | null)[] =
      server.mode === 'shared'
        ? [null]
        : member !== null
          ? [member]
          : allMembers.length > 0
            ? allMembers
            : [null];
    // Refused before the image, whose context takes seconds to pack, as are the ports (from the store alone).
    assertHasMembers(server, allMembers);
    const placed = targets.map((target, index) => ({
      target,
      port: this.portFor(server, target, host, input.port === undefined ? undefined : input.port + index),
    }));
    // Firewall rules need only the ports; the image is not worth building a context for.
    const firewall = input.format === 'firewall';
    const image = firewall
      ? { tag: 'mcp-fleet/runtime:unused', build: null }
      : await this.deps.runtimeImage(server, { pack: input.format === 'docker-run' });
    const imageConfig =
      server.sourceKind === 'image' && !firewall
        ? await this.deps.inspectSourceImage(server.sourceValue)
        : undefined;
    const pushed =
      input.format === 'swarm' || input.format === 'k8s'
        ? (this.deps.pushedImage?.(host?.id ?? null, image.tag) ?? null)
        : null;
    const imageRef =
      pushed === null ? image.tag : pushed.digest === null ? pushed.ref : `${pushed.ref}@${pushed.digest}`;
    const imageNote = pushed === null ? undefined : pushNote(pushed, server.name, host?.name);
    const specs: InstanceSpec[] = [];
    for (const { target, port } of placed) {
      // Firewall rules need only the ports: no certificate is asked for (or issued) for them.
      const tls = firewall
        ? null
        : await this.deps.tlsFor({
            server,
            host,
            containerName: containerName(server.name, target?.name ?? null),
          });
      specs.push(
        this.spec(server, allMembers, target, host, {
          image: imageRef,
          imageConfig,
          port,
          publishAddress,
          allowCidrs: cidrs.map((c) => c.text),
          tls,
        }),
      );
    }
    // The TLS private key is a secret like the env's secret values: out only with --inline-secrets.
    const hasSecrets = specs.some((s) => s.files.env.secretKeys.length > 0 || s.files.tls !== null);
    const secretsOut = input.inlineSecrets && hasSecrets;
    const notes = firewall
      ? []
      : specs.map((s) => tlsNote(s.files.tls?.cert.content ?? null, `instance ${s.container.name ?? ''}`));
    if (imageNote !== undefined) notes.push(imageNote.join(' '));
    const inlineSecrets = input.inlineSecrets;
    const allowCidrs = cidrs.map((c) => c.text);
    const [filename, content] = ((): [string, string] => {
      switch (input.format) {
        case 'docker-run':
          return [
            `${server.name}-docker-run.sh`,
            renderDockerRunScript({ specs, build: image.build, inlineSecrets, title }),
          ];
        case 'compose':
          return [`${server.name}-compose.yaml`, renderCompose({ specs, inlineSecrets, title })];
        case 'swarm':
          return [
            `${server.name}-stack.yaml`,
            renderSwarm({ specs, inlineSecrets, title, ...(imageNote ? { imageNote } : {}) }),
          ];
        case 'k8s':
          return [
            `${server.name}-k8s.yaml`,
            renderK8s({ specs, allowCidrs, inlineSecrets, title, ...(imageNote ? { imageNote } : {}) }),
          ];
        case 'firewall':
          return [
            `${server.name}-firewall.sh`,
            renderFirewall({ ports: specs.map((s) => s.port), cidrs, title }),
          ];
      }
    })();
    return { format: input.format, filename, content, containsSecrets: !firewall && secretsOut, notes };
  }

  private spec(
    server: ServerRecord,
    allMembers: readonly MemberRecord[],
    member: MemberRecord | null,
    host: HostRecord | null,
    rest: {
      image: string;
      imageConfig: SourceImageConfig | undefined;
      port: number;
      publishAddress: string;
      allowCidrs: string[];
      tls: TlsMaterial | null;
    },
  ): InstanceSpec {
    const name = containerName(server.name, member?.name ?? null);
    return buildInstanceSpec({
      server,
      members: member === null ? allMembers : [member],
      image: rest.image,
      ...(rest.imageConfig === undefined ? {} : { imageConfig: rest.imageConfig }),
      port: rest.port,
      publishAddress: rest.publishAddress,
      configDir: instanceConfigDir(hostHome(host, this.deps.localHome), name),
      allowCidrs: rest.allowCidrs,
      tls: rest.tls,
    });
  }

  /** --ca-file, else mcp-fleet-ca.pem in this machine's home folder; absolute, as NODE_EXTRA_CA_CERTS needs. */
  private caFile(given: string | undefined): string {
    if (given === undefined) return path.join(this.deps.localHome ?? os.homedir(), DEFAULT_CA_FILE_NAME);
    if (/\p{Cc}/u.test(given) || !(path.posix.isAbsolute(given) || path.win32.isAbsolute(given))) {
      throw new FleetError(
        'invalid_input',
        `--ca-file must be an absolute path without control characters (the client reads it from wherever it starts), got ${JSON.stringify(given)}`,
      );
    }
    return given;
  }

  /**
   * The port given (Dedicated members without --member: consecutive ports from it, in member-name
   * order), else the instance's pinned port on that host, else the server's pin.
   */
  private portFor(
    server: ServerRecord,
    member: MemberRecord | null,
    host: HostRecord | null,
    given?: number,
  ): number {
    if (given !== undefined) {
      if (given > 65535) throw new FleetError('invalid_input', `ports from --port run past 65535`);
      return given;
    }
    const deployed = this.deps.store.instances
      .listByServer(server.id)
      .filter((i) => i.memberId === (member?.id ?? null) && (host === null || i.hostId === host.id));
    const pinned = deployed[0]?.port ?? (server.mode === 'shared' ? server.port : null);
    if (pinned === null || pinned === undefined) {
      throw new FleetError(
        'invalid_input',
        `no port is pinned for ${member === null ? `server "${server.name}"` : `member "${member.name}" of "${server.name}"`} yet: deploy it once, or give one with --port${server.mode === 'dedicated' ? ' (and --member)' : ''}`,
      );
    }
    return pinned;
  }
}

/** The header lines (and a note) saying which registry image an export names, and whether it is there yet. */
function pushNote(pushed: PushedRef, server: string, host: string | undefined): string[] {
  const command = `mcp-fleet images push ${server}${host === undefined ? '' : ` --host ${host}`}`;
  return pushed.digest === null
    ? [
        `The runtime image ${pushed.ref} has not been pushed to ${pushed.registry} yet:`,
        `run \`${command}\`, then export again to name it by digest.`,
      ]
    : [
        `The runtime image is ${pushed.ref}@${pushed.digest}, pushed to ${pushed.registry}`,
        `by \`${command}\` or a Swarm deploy: every node pulls the same bytes.`,
      ];
}

function onlyMember(server: ServerRecord, members: readonly MemberRecord[]): MemberRecord {
  if (members.length === 1) return members[0] as MemberRecord;
  throw new FleetError(
    'invalid_input',
    members.length === 0
      ? `server "${server.name}" has no members yet: add one with \`mcp-fleet members add ${server.name} NAME\``
      : `say which member the snippet is for: --member ${members.map((m) => m.name).join(' | ')}`,
  );
}
