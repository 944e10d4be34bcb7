/**
 * Client configuration snippets for one member: the instance's URL and its Authorization header, in
 * each client's own format (client-entries.ts has the shapes and the documentation each follows).
 *
 * By default the token goes by reference, through whatever the client documents for it: an input
 * VS Code prompts for, an environment variable the client expands (Cursor, Windsurf, Claude Code's
 * .mcp.json, Gemini CLI, goose) or sends itself (Codex's bearer_token_env_var), Continue's secrets
 * file. Claude Desktop and Zed expand nothing, so their snippet holds a placeholder saying how to get
 * one with the token inline; it is inline in every format only when the operator asks.
 *
 * With TLS the URL is https. Node clients (mcp-remote, Claude Code, Gemini CLI) trust the fleet CA
 * through NODE_EXTRA_CA_CERTS, an absolute path (neither JSON nor Node expands `~`); Continue names it
 * in requestOptions.caBundlePath; the others check the operating system's trust store, which a note
 * beside the snippet says. Without TLS the note is the plain-HTTP warning.
 */
import { stringify } from 'yaml';
import { shellWord } from '../instance-spec/shell-words';
import type { MemberRecord } from '../store/types';
import { clientDocument, tokenEnvVar } from './client-entries';
import { CLIENT_FILES } from './client-files';
import { NO_TLS_WARNING } from './tls-notes';
import { renderTomlTable } from './toml-edit';

export const CLIENT_FORMATS = [
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
] as const;
export type ClientFormat = (typeof CLIENT_FORMATS)[number];

export function isClientFormat(format: string): format is ClientFormat {
  return (CLIENT_FORMATS as readonly string[]).includes(format);
}

export interface ClientConfigInput {
  format: ClientFormat;
  server: string;
  member: Pick<MemberRecord, 'name' | 'token'>;
  url: string;
  inlineSecrets: boolean;
  /** The fleet CA on the member's machine (absolute); null when the server runs without TLS. */
  caFile: string | null;
}

export interface ClientSnippet {
  /** The file's text, kept strict: JSON without comments, so every client of a format reads it. */
  content: string;
  /** The name to save it under. */
  filename: string;
  /** Lines beside it: how to trust the fleet CA (or the plain-HTTP warning), and where the token goes. */
  notes: string[];
}

export { MCP_REMOTE_PACKAGE, tokenEnvVar } from './client-entries';

export function renderClientConfig(input: ClientConfigInput): ClientSnippet {
  const layout = CLIENT_FILES[input.format];
  const document = clientDocument(input);
  const content =
    layout.syntax === 'toml'
      ? tomlDocument(document)
      : layout.syntax === 'yaml'
        ? stringify(document, { indent: 2, lineWidth: 0 })
        : JSON.stringify(document, null, 2) + '\n';
  const notes = [tlsClientNote(input)];
  const token = tokenNote(input);
  if (token !== null) notes.push(token);
  return { content, filename: layout.filename(input.server), notes };
}

/** Codex's snippet: the one `[mcp_servers.NAME]` table. */
function tomlDocument(document: Record<string, unknown>): string {
  const [[container, servers]] = Object.entries(document) as [
    [string, Record<string, Record<string, unknown>>],
  ];
  return Object.entries(servers)
    .map(([name, table]) => renderTomlTable([container, name], table))
    .join('\n');
}

function tlsClientNote(input: ClientConfigInput): string {
  const { caFile } = input;
  if (caFile === null) return NO_TLS_WARNING;
  const save = `save the fleet CA there with \`mcp-fleet tls ca --out ${shellWord(caFile)}\``;
  const client = CLIENT_FILES[input.format].client;
  switch (input.format) {
    case 'claude':
      return `mcp-remote trusts the fleet CA through NODE_EXTRA_CA_CERTS=${caFile}: ${save} (for another path or machine, export with --ca-file PATH).`;
    case 'claude-code':
    case 'gemini':
      return `${client} is a Node program: start it with NODE_EXTRA_CA_CERTS=${caFile} in its environment to trust the fleet CA (${save}).`;
    case 'continue':
      return `Continue reads the fleet CA from requestOptions.caBundlePath (${caFile}): ${save}.`;
    case 'vscode':
    case 'cursor':
    case 'windsurf':
      return `${client} checks the server's certificate against the operating system's trust store: add the fleet CA there (${save}); Node-based clients take NODE_EXTRA_CA_CERTS=${caFile} instead.`;
    case 'codex':
    case 'zed':
    case 'goose':
      return `${client} checks the server's certificate against the operating system's trust store: add the fleet CA there (${save}).`;
  }
}

/** Where a by-reference token comes from, for the formats added with this note (the first three have none). */
function tokenNote(input: ClientConfigInput): string | null {
  const { format, server, member } = input;
  if (input.inlineSecrets || format === 'claude' || format === 'vscode' || format === 'cursor') return null;
  const envVar = tokenEnvVar(server);
  const token = `member ${member.name}'s token (\`mcp-fleet export ${server} --format ${format} --member ${member.name} --inline-secrets\` shows it)`;
  const set = `set ${envVar} to ${token}`;
  switch (format) {
    case 'claude-code':
      return `Claude Code expands \${${envVar}} in .mcp.json when it starts: ${set}. For all your projects instead: ${claudeCodeAddCommand(server, input.url, `Bearer \${${envVar}}`)}`;
    case 'codex':
      return `Codex sends the token it reads from ${envVar} (bearer_token_env_var): ${set} before starting Codex.`;
    case 'gemini':
      return `Gemini CLI expands \${${envVar}} in settings.json: ${set} before starting it.`;
    case 'windsurf':
      return `Windsurf interpolates \${env:${envVar}} in mcp_config.json: ${set} before starting it.`;
    case 'goose':
      return `goose fills \${${envVar}} in the header from env_keys (the environment, or goose's secret store): ${set}.`;
    case 'continue':
      return `Continue reads \${{ secrets.${envVar} }} from ~/.continue/.env (or the workspace's .continue/.env): add a line ${envVar}=<${token}> there.`;
    case 'zed':
      return `Zed's settings.json expands no variables, so the token has to be in it: export or install with --inline-secrets.`;
  }
}

/**
 * The `claude mcp add` command for the user scope. `--header` takes several values, so it comes after
 * the name and URL. A `${VAR}` header stays in double quotes for the member's shell to fill in.
 */
export function claudeCodeAddCommand(server: string, url: string, authorization: string): string {
  const byReference = /^Bearer \$\{[A-Z0-9_]+\}$/.test(authorization);
  const header = byReference
    ? `"Authorization: ${authorization}"`
    : shellWord(`Authorization: ${authorization}`);
  return `claude mcp add --transport http --scope user ${shellWord(server)} ${shellWord(url)} --header ${header}`;
}

/** https://<host>:<port>/mcp (http:// without TLS), brackets around an IPv6 literal. */
export function instanceUrl(host: string, port: number, tls: boolean): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return `${tls ? 'https' : 'http'}://${bare.includes(':') ? `[${bare}]` : bare}:${port}/mcp`;
}
