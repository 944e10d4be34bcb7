/**
 * One member's entry installed into a client's user-wide file on the machine running the services:
 * the UI's "Install in a client on this computer" (clients:install). The snippet is rendered by the
 * export service, exactly as for `mcp-fleet clients install`, and merged by installClientConfig.
 */
import os from 'node:os';
import type {
  ClientInstalled,
  ClientInstallInput,
  ExportRenderInput,
  ExportResult,
} from '../../shared/contract';
import { ClientInstallInput as ClientInstallSchema } from '../../shared/contract';
import { FleetError, describeZodError } from '../../shared/errors';
import { CLIENT_FILES, defaultClientFile, type MachineEnv } from './client-files';
import { installClientConfig } from './client-install';

/** How the snippet is rendered: ExportService.render (the same URL, token and audit entry as an export). */
export type RenderClientSnippet = (input: ExportRenderInput) => Promise<ExportResult>;

export const ZED_NEEDS_INLINE =
  "Zed's settings.json expands no variables, so a token by reference cannot reach Zed: put the token in the file (the file is then made mode 0600)";

/** The machine the services run on: its home folder and environment (XDG_CONFIG_HOME, CODEX_HOME, APPDATA). */
export function thisMachine(): MachineEnv {
  return { platform: process.platform, home: os.homedir(), env: process.env };
}

/**
 * Renders the member's snippet and merges it into the client's file (a copy kept first).
 * Throws FleetError: invalid_input (bad input, Zed without the token inline, a file it cannot read,
 * parse or edit: left unchanged), not_found (server or member), and what the export throws (no port yet).
 */
export async function installMemberClient(
  raw: ClientInstallInput,
  render: RenderClientSnippet,
  machine: MachineEnv = thisMachine(),
): Promise<ClientInstalled> {
  const parsed = ClientInstallSchema.safeParse(raw);
  if (!parsed.success) throw new FleetError('invalid_input', describeZodError(parsed.error));
  const { format, server, member, inlineSecrets } = parsed.data;
  if (format === 'zed' && !inlineSecrets) throw new FleetError('invalid_input', ZED_NEEDS_INLINE);
  const file = defaultClientFile(format, server, machine);
  // Only claude-code has none, and the contract leaves it out; kept as a guard.
  if (file === null) {
    throw new FleetError('invalid_input', `${CLIENT_FILES[format].client} has no file to install into`);
  }
  const snippet = await render({ server, format, member, inlineSecrets, allowCidrs: [] });
  const installed = await installClientConfig({
    format,
    file,
    content: snippet.content,
    containsSecrets: snippet.containsSecrets,
  });
  return {
    format,
    client: CLIENT_FILES[format].client,
    file: installed.file,
    backup: installed.backup,
    outcome: installed.outcome,
    changed: installed.outcome !== 'unchanged',
    notes: snippet.notes ?? [],
  };
}
