/**
 * The document each client's snippet holds: the server's entry under the key the client reads, with
 * the field names its documentation gives (the URL above each case). `inlineSecrets` puts the token
 * itself in the Authorization header; otherwise the header refers to it the way that client can.
 */
import type { ClientConfigInput } from './client-config';

/** Pinned, so a snippet does not change behaviour under the member. */
export const MCP_REMOTE_PACKAGE = 'mcp-remote@0.15.1';

/** MCP_FLEET_<SERVER>_TOKEN with the server name in upper case and other characters as "_". */
export function tokenEnvVar(server: string): string {
  return `MCP_FLEET_${server.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

export function clientDocument(input: ClientConfigInput): Record<string, unknown> {
  const { server, member, url, inlineSecrets, caFile } = input;
  const envVar = tokenEnvVar(server);
  const bearer = (reference: string): string => `Bearer ${inlineSecrets ? member.token : reference}`;
  switch (input.format) {
    // https://modelcontextprotocol.io/quickstart/user and https://www.npmjs.com/package/mcp-remote:
    // Claude Desktop's file starts stdio servers only, so mcp-remote (Streamable HTTP only, a custom
    // header) bridges; it expands ${AUTH_HEADER} from the entry's env, which keeps the space of
    // "Bearer x" out of args.
    case 'claude': {
      const insecure = url.startsWith('http://') && !isLoopbackUrl(url);
      const args = ['-y', MCP_REMOTE_PACKAGE, url, '--transport', 'http-only'];
      // mcp-remote refuses plain http to anything but localhost unless told.
      if (insecure) args.push('--allow-http');
      args.push('--header', 'Authorization:${AUTH_HEADER}');
      const placeholder = `<token of member ${member.name}; run: mcp-fleet export ${server} --format claude --member ${member.name} --inline-secrets>`;
      const env = {
        AUTH_HEADER: bearer(placeholder),
        ...(caFile === null ? {} : { NODE_EXTRA_CA_CERTS: caFile }),
      };
      return { mcpServers: { [server]: { command: 'npx', args, env } } };
    }
    // https://code.visualstudio.com/docs/copilot/reference/mcp-configuration: `servers` with
    // `type: "http"`; by reference the token is a promptString input with `password: true`, which
    // VS Code asks for once and keeps in its secret storage.
    case 'vscode': {
      const inputId = `mcp-fleet-${server}-token`;
      const inputs = [
        {
          type: 'promptString',
          id: inputId,
          description: `MCP Fleet token of ${member.name} for ${server}`,
          password: true,
        },
      ];
      const entry = { type: 'http', url, headers: { Authorization: bearer(`\${input:${inputId}}`) } };
      return { ...(inlineSecrets ? {} : { inputs }), servers: { [server]: entry } };
    }
    // https://docs.cursor.com/context/model-context-protocol: `mcpServers` with `url` and `headers`;
    // Cursor interpolates `${env:VAR}` from the environment.
    case 'cursor':
      return { mcpServers: { [server]: { url, headers: { Authorization: bearer(`\${env:${envVar}}`) } } } };
    // https://code.claude.com/docs/en/mcp: the project-scope .mcp.json, `type: "http"` with `url` and
    // `headers`; Claude Code expands `${VAR}` in url and headers of that file when it starts. (The
    // `claude mcp add` form stores the header as given in ~/.claude.json, so the note carries it.)
    case 'claude-code':
      return {
        mcpServers: { [server]: { type: 'http', url, headers: { Authorization: bearer(`\${${envVar}}`) } } },
      };
    // https://developers.openai.com/codex/mcp: a `[mcp_servers.NAME]` table in ~/.codex/config.toml;
    // a Streamable HTTP server has `url`, and Codex sends `Authorization: Bearer` with the token from
    // the variable `bearer_token_env_var` names; `http_headers` holds literal headers.
    case 'codex':
      return {
        mcp_servers: {
          [server]: inlineSecrets
            ? { url, http_headers: { Authorization: bearer('') } }
            : { url, bearer_token_env_var: envVar },
        },
      };
    // https://geminicli.com/docs/tools/mcp-server: `mcpServers` in ~/.gemini/settings.json; `httpUrl`
    // is Streamable HTTP (`url` would be SSE), with `headers`. String values in settings.json expand
    // `$VAR` and `${VAR}` (https://geminicli.com/docs/get-started/configuration).
    case 'gemini':
      return {
        mcpServers: { [server]: { httpUrl: url, headers: { Authorization: bearer(`\${${envVar}}`) } } },
      };
    // https://docs.windsurf.com/windsurf/cascade/mcp: ~/.codeium/windsurf/mcp_config.json, a remote
    // server with `serverUrl` and `headers`; the file interpolates `${env:VAR}` in both.
    case 'windsurf':
      return {
        mcpServers: { [server]: { serverUrl: url, headers: { Authorization: bearer(`\${env:${envVar}}`) } } },
      };
    // https://zed.dev/docs/ai/mcp: `context_servers` in settings.json, a remote server with `url` and
    // `headers` (without an Authorization header Zed would start OAuth). Nothing in it expands
    // variables, so by reference it carries a placeholder.
    case 'zed': {
      const placeholder = `<token of member ${member.name}; Zed expands no variables: run mcp-fleet export ${server} --format zed --member ${member.name} --inline-secrets>`;
      return { context_servers: { [server]: { url, headers: { Authorization: bearer(placeholder) } } } };
    }
    // https://block.github.io/goose/docs/guides/config-files: `extensions` in config.yaml, keyed by
    // the name in lower case as goose keys it, `type: streamable_http` with `uri` and `headers`.
    // goose fills `${VAR}` in headers from `envs` and `env_keys`, and an env_keys value from the
    // environment or its secret store (crates/goose/src/agents/extension_manager.rs).
    case 'goose':
      return {
        extensions: {
          [server.toLowerCase()]: {
            type: 'streamable_http',
            name: server,
            enabled: true,
            uri: url,
            headers: { Authorization: bearer(`\${${envVar}}`) },
            env_keys: inlineSecrets ? [] : [envVar],
            envs: {},
            timeout: 300,
          },
        },
      };
    // https://docs.continue.dev/customize/deep-dives/mcp and https://docs.continue.dev/reference: a
    // block file for .continue/mcpServers/ (name, version, schema, then `mcpServers`), an item with
    // `type: streamable-http`, `url`, and `requestOptions` (the models' format: `headers`,
    // `caBundlePath`). `${{ secrets.NAME }}` reads NAME from ~/.continue/.env or the workspace's.
    case 'continue': {
      const requestOptions = {
        headers: { Authorization: bearer(`\${{ secrets.${envVar} }}`) },
        ...(caFile === null ? {} : { caBundlePath: caFile }),
      };
      return {
        name: `MCP Fleet ${server}`,
        version: '0.0.1',
        schema: 'v1',
        mcpServers: [{ name: server, type: 'streamable-http', url, requestOptions }],
      };
    }
  }
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
