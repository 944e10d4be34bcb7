/**
 * Client configuration snippets for one member: the instance's URL and its Authorization header, in
 * each client's own format.
 *
 * - claude: Claude Desktop's claude_desktop_config.json. Its file starts stdio servers only, so the
 *   snippet runs mcp-remote (Streamable HTTP only, custom header); mcp-remote expands ${AUTH_HEADER}
 *   from the entry's env, the way its README shows, which keeps the space of "Bearer x" out of args.
 * - vscode: .vscode/mcp.json (`servers`, `type: "http"`); by reference the token is a promptString
 *   input with `password: true`, which VS Code asks for once and keeps in its secret storage.
 * - cursor: .cursor/mcp.json (`mcpServers` with `url` and `headers`); by reference the header reads
 *   `${env:VAR}`, which Cursor interpolates from the environment.
 *
 * With TLS the URL is https. mcp-remote is a Node program, so the snippet hands it the fleet CA through
 * NODE_EXTRA_CA_CERTS (an absolute path: neither JSON nor Node expands `~`); VS Code and Cursor check
 * certificates against the operating system's trust store, which a note beside the JSON says.
 */
import { shellWord } from '../instance-spec/shell-words';
import type { MemberRecord } from '../store/types';
import { NO_TLS_WARNING } from './tls-notes';

export type ClientFormat = 'claude' | 'vscode' | 'cursor';

export interface ClientConfigInput {
  format: ClientFormat;
  server: string;
  member: MemberRecord;
  url: string;
  inlineSecrets: boolean;
  /** The fleet CA on the member's machine (absolute); null when the server runs without TLS. */
  caFile: string | null;
}

export interface ClientSnippet {
  /** The JSON, kept strict: Claude Desktop and Cursor read their files as plain JSON. */
  content: string;
  /** One line beside it: how to trust the fleet CA, or the plain-HTTP warning. */
  notes: string[];
}

/** Pinned, so a snippet does not change behaviour under the member. */
export const MCP_REMOTE_PACKAGE = 'mcp-remote@0.15.1';

export function renderClientConfig(input: ClientConfigInput): ClientSnippet {
  return { content: snippetJson(input), notes: [clientNote(input)] };
}

function clientNote(input: ClientConfigInput): string {
  const { caFile } = input;
  if (caFile === null) return NO_TLS_WARNING;
  const save = `save the fleet CA there with \`mcp-fleet tls ca --out ${shellWord(caFile)}\``;
  switch (input.format) {
    case 'claude':
      return `mcp-remote trusts the fleet CA through NODE_EXTRA_CA_CERTS=${caFile}: ${save} (for another path or machine, export with --ca-file PATH).`;
    case 'vscode':
    case 'cursor': {
      const client = input.format === 'vscode' ? 'VS Code' : 'Cursor';
      return `${client} checks the server's certificate against the operating system's trust store: add the fleet CA there (${save}); Node-based clients take NODE_EXTRA_CA_CERTS=${caFile} instead.`;
    }
  }
}

function snippetJson(input: ClientConfigInput): string {
  const { server, member, url } = input;
  const envVar = tokenEnvVar(server);
  switch (input.format) {
    case 'claude': {
      const insecure = url.startsWith('http://') && !isLoopbackUrl(url);
      const config = {
        mcpServers: {
          [server]: {
            command: 'npx',
            args: [
              '-y',
              MCP_REMOTE_PACKAGE,
              url,
              '--transport',
              'http-only',
              // mcp-remote refuses plain http to anything but localhost unless told.
              ...(insecure ? ['--allow-http'] : []),
              '--header',
              'Authorization:${AUTH_HEADER}',
            ],
            env: {
              AUTH_HEADER: input.inlineSecrets
                ? `Bearer ${member.token}`
                : `Bearer <token of member ${member.name}; run: mcp-fleet export ${server} --format claude --member ${member.name} --inline-secrets>`,
              ...(input.caFile === null ? {} : { NODE_EXTRA_CA_CERTS: input.caFile }),
            },
          },
        },
      };
      return JSON.stringify(config, null, 2) + '\n';
    }
    case 'vscode': {
      const inputId = `mcp-fleet-${server}-token`;
      const config = {
        ...(input.inlineSecrets
          ? {}
          : {
              inputs: [
                {
                  type: 'promptString',
                  id: inputId,
                  description: `MCP Fleet token of ${member.name} for ${server}`,
                  password: true,
                },
              ],
            }),
        servers: {
          [server]: {
            type: 'http',
            url,
            headers: {
              Authorization: input.inlineSecrets ? `Bearer ${member.token}` : `Bearer \${input:${inputId}}`,
            },
          },
        },
      };
      return JSON.stringify(config, null, 2) + '\n';
    }
    case 'cursor': {
      const config = {
        mcpServers: {
          [server]: {
            url,
            headers: {
              Authorization: input.inlineSecrets ? `Bearer ${member.token}` : `Bearer \${env:${envVar}}`,
            },
          },
        },
      };
      return JSON.stringify(config, null, 2) + '\n';
    }
  }
}

/** MCP_FLEET_<SERVER>_TOKEN with the server name in upper case and other characters as "_". */
export function tokenEnvVar(server: string): string {
  return `MCP_FLEET_${server.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

/** https://<host>:<port>/mcp (http:// without TLS), brackets around an IPv6 literal. */
export function instanceUrl(host: string, port: number, tls: boolean): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return `${tls ? 'https' : 'http'}://${bare.includes(':') ? `[${bare}]` : bare}:${port}/mcp`;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
