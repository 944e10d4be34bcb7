/**
 * Each client's configuration file: what it is written in, where the server's entry sits in it, and
 * where the client looks for it on this machine. One table for the snippets (their file names) and
 * for `mcp-fleet clients install` (which file it edits, and how).
 */
import path from 'node:path';
import type { ClientFormat } from './client-config';

/** jsonc: comments and trailing commas allowed, because the client reads the file that way. */
export type ClientSyntax = 'json' | 'jsonc' | 'yaml' | 'toml';

/** A map of entries keyed by server name, or a list of entries told apart by a field. */
export type ClientSlot =
  { kind: 'map'; path: readonly string[] } | { kind: 'list'; path: readonly string[]; idField: string };

export interface ClientFileLayout {
  /** What the client calls itself, for messages. */
  client: string;
  syntax: ClientSyntax;
  /** Where a snippet's entries go; a snippet holds exactly these (plus, for Continue, a block's header). */
  slots: readonly ClientSlot[];
  /** The name a saved snippet gets. */
  filename: (server: string) => string;
}

const mcpServers: ClientSlot = { kind: 'map', path: ['mcpServers'] };

export const CLIENT_FILES: Record<ClientFormat, ClientFileLayout> = {
  claude: {
    client: 'Claude Desktop',
    syntax: 'json',
    slots: [mcpServers],
    filename: () => 'claude_desktop_config.json',
  },
  vscode: {
    client: 'VS Code',
    syntax: 'jsonc',
    slots: [
      { kind: 'list', path: ['inputs'], idField: 'id' },
      { kind: 'map', path: ['servers'] },
    ],
    filename: () => 'mcp.json',
  },
  cursor: { client: 'Cursor', syntax: 'json', slots: [mcpServers], filename: () => 'mcp.json' },
  'claude-code': { client: 'Claude Code', syntax: 'json', slots: [mcpServers], filename: () => '.mcp.json' },
  codex: {
    client: 'Codex',
    syntax: 'toml',
    slots: [{ kind: 'map', path: ['mcp_servers'] }],
    filename: () => 'config.toml',
  },
  gemini: { client: 'Gemini CLI', syntax: 'jsonc', slots: [mcpServers], filename: () => 'settings.json' },
  windsurf: { client: 'Windsurf', syntax: 'json', slots: [mcpServers], filename: () => 'mcp_config.json' },
  zed: {
    client: 'Zed',
    syntax: 'jsonc',
    slots: [{ kind: 'map', path: ['context_servers'] }],
    filename: () => 'settings.json',
  },
  goose: {
    client: 'goose',
    syntax: 'yaml',
    slots: [{ kind: 'map', path: ['extensions'] }],
    filename: () => 'config.yaml',
  },
  continue: {
    client: 'Continue',
    syntax: 'yaml',
    slots: [{ kind: 'list', path: ['mcpServers'], idField: 'name' }],
    filename: (server) => `${server}.yaml`,
  },
};

export interface MachineEnv {
  platform: NodeJS.Platform;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Where the client reads its user-wide configuration on this kind of machine; null for Claude Code,
 * whose user file (~/.claude.json) is its own running state and is changed through `claude mcp add`.
 */
export function defaultClientFile(format: ClientFormat, server: string, machine: MachineEnv): string | null {
  const { platform, home, env } = machine;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const appData = env.APPDATA ?? p.join(home, 'AppData', 'Roaming');
  const xdgConfig = env.XDG_CONFIG_HOME ?? p.join(home, '.config');
  // Where Electron apps keep their user data: Application Support, %APPDATA%, or XDG_CONFIG_HOME.
  const appSupport =
    platform === 'darwin'
      ? p.join(home, 'Library', 'Application Support')
      : platform === 'win32'
        ? appData
        : xdgConfig;
  switch (format) {
    case 'claude':
      return p.join(appSupport, 'Claude', 'claude_desktop_config.json');
    case 'vscode':
      // The user profile's mcp.json ("MCP: Open User Configuration").
      return p.join(appSupport, 'Code', 'User', 'mcp.json');
    case 'cursor':
      return p.join(home, '.cursor', 'mcp.json');
    case 'claude-code':
      return null;
    case 'codex':
      return p.join(env.CODEX_HOME ?? p.join(home, '.codex'), 'config.toml');
    case 'gemini':
      return p.join(home, '.gemini', 'settings.json');
    case 'windsurf':
      return p.join(home, '.codeium', 'windsurf', 'mcp_config.json');
    case 'zed':
      return platform === 'win32'
        ? p.join(appData, 'Zed', 'settings.json')
        : p.join(xdgConfig, 'zed', 'settings.json');
    case 'goose':
      return platform === 'win32'
        ? p.join(appData, 'Block', 'goose', 'config', 'config.yaml')
        : p.join(xdgConfig, 'goose', 'config.yaml');
    case 'continue':
      // A block file of its own, which Continue loads for every workspace from ~/.continue/mcpServers.
      return p.join(home, '.continue', 'mcpServers', CLIENT_FILES.continue.filename(server));
  }
}
