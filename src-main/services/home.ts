import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The OS's per-user app-data folder for MCP Fleet; the same folder Electron's userData points at. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.MCP_FLEET_HOME) return resolve(env.MCP_FLEET_HOME);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'mcp-fleet');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'mcp-fleet');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'mcp-fleet');
}
