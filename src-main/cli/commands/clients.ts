import os from 'node:os';
import path from 'node:path';
import {
  CLIENT_FORMATS,
  claudeCodeAddCommand,
  isClientFormat,
  tokenEnvVar,
  type ClientFormat,
} from '../../services/export/client-config';
import { CLIENT_FILES, defaultClientFile, type MachineEnv } from '../../services/export/client-files';
import { installClientConfig } from '../../services/export/client-install';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import type { RenderExport } from './export';

export const CLIENTS_USAGE = `mcp-fleet clients install FORMAT SERVER --member M [--file PATH] [--host HOST] [--inline-secrets] [--port N] [--ca-file PATH]
    (FORMAT: ${CLIENT_FORMATS.join('|')})
    (adds the member's entry to that client's file on this machine, or --file, after copying it to FILE.bak-<time>;
    claude-code without --file prints its \`claude mcp add\` command)`;

const FORM = 'clients install FORMAT SERVER --member M [--file PATH]';

/** `render` is how the export command reaches the export service: the same URL, token and audit entry. */
export async function clientsCommand(
  ctx: CommandContext,
  argv: string[],
  render: RenderExport,
  machine: MachineEnv = { platform: process.platform, home: os.homedir(), env: process.env },
): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'install') throw usage(`expected: mcp-fleet ${FORM}`);
  const a = parseArgs(rest, {
    member: 'string',
    file: 'string',
    host: 'string',
    'inline-secrets': 'flag',
    port: 'string',
    'ca-file': 'string',
  });
  if (a.positionals.length !== 2) throw usage(`expected: mcp-fleet ${FORM}`);
  const [format = '', server = ''] = a.positionals;
  if (!isClientFormat(format)) throw usage(`FORMAT must be one of: ${CLIENT_FORMATS.join(', ')}`);
  const member = a.values.get('member');
  if (member === undefined || member === '')
    throw usage('--member M is required: the member whose token the client sends');
  const portText = a.values.get('port');
  if (
    portText !== undefined &&
    (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
  ) {
    throw usage(`--port must be 1-65535, got "${portText}"`);
  }
  const inlineSecrets = a.flags.has('inline-secrets');
  if (format === 'zed' && !inlineSecrets) {
    throw usage(
      "Zed's settings.json expands no variables, so a token by reference cannot reach Zed: add --inline-secrets (the file is then made mode 0600)",
    );
  }
  const file = a.values.get('file');
  const caFile = a.values.get('ca-file');
  for (const [flag, value] of [
    ['--file', file],
    ['--ca-file', caFile],
  ] as const) {
    if (value === '') throw usage(`${flag} needs a path`);
  }
  const host = a.values.get('host');
  const target = file !== undefined ? path.resolve(file) : defaultClientFile(format, server, machine);

  const result = await render({
    server,
    format,
    member,
    inlineSecrets,
    allowCidrs: [],
    ...(host === undefined ? {} : { host }),
    ...(portText === undefined ? {} : { port: Number(portText) }),
    ...(caFile === undefined ? {} : { caFile: path.resolve(caFile) }),
  });
  const notes = result.notes ?? [];

  if (target === null) return printClaudeCommand(ctx, server, result.content, inlineSecrets, notes);

  const installed = await installClientConfig({
    format,
    file: target,
    content: result.content,
    containsSecrets: result.containsSecrets,
  });
  if (ctx.output.json) {
    return ctx.output.out(JSON.stringify({ format, server, member, ...installed, notes }, null, 2));
  }
  const what = `${server} for member ${member} (${CLIENT_FILES[format].client})`;
  switch (installed.outcome) {
    case 'created':
      ctx.output.out(`created ${installed.file} with ${what} (mode 0600)`);
      break;
    case 'updated':
      ctx.output.out(
        `added ${what} to ${installed.file}; the file as it was is kept as ${installed.backup ?? ''}`,
      );
      break;
    case 'unchanged':
      ctx.output.out(`${installed.file} already has ${what}; nothing changed`);
      break;
  }
  for (const line of notes) ctx.output.out(`note: ${line}`);
}

/**
 * Claude Code's user configuration is its own state file, changed through `claude mcp add`: the
 * command is printed for the member to run, and nothing is written.
 */
function printClaudeCommand(
  ctx: CommandContext,
  server: string,
  content: string,
  inlineSecrets: boolean,
  notes: readonly string[],
): void {
  const entry = (
    JSON.parse(content) as { mcpServers: Record<string, { url: string; headers: { Authorization: string } }> }
  ).mcpServers[server];
  if (entry === undefined) throw new Error(`the claude-code snippet has no entry for ${server}`);
  const command = claudeCodeAddCommand(server, entry.url, entry.headers.Authorization);
  const others = notes.filter((line) => !line.includes(command));
  const lines = [
    'nothing was written: run this command yourself (or give --file PATH to add the entry to a project .mcp.json)',
    ...(inlineSecrets
      ? []
      : [
          `set ${tokenEnvVar(server)} to the member's token first: your shell puts it into the command, and Claude Code keeps it in ~/.claude.json`,
        ]),
    ...others,
  ];
  if (ctx.output.json) {
    return ctx.output.out(
      JSON.stringify(
        { format: 'claude-code' satisfies ClientFormat, server, command, notes: lines },
        null,
        2,
      ),
    );
  }
  process.stdout.write(`${command}\n`);
  // Beside the command, not with it: stdout stays the one line to paste or pipe.
  for (const line of lines) process.stderr.write(`note: ${line}\n`);
}
