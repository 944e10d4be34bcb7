import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FleetError } from '../../shared/errors';
import { ExportFormat, type ExportRenderInput, type ExportResult } from '../../services/export/export-schema';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { single } from './hosts';

export const EXPORT_USAGE = `mcp-fleet export SERVER --format docker-run|compose|swarm|k8s|firewall
    |claude|vscode|cursor|claude-code|codex|gemini|windsurf|zed|goose|continue
    [--member M] [--host HOST] [--inline-secrets] [--port N] [--publish ADDR] [--allow-cidr CIDR]... [--ca-file PATH] [--out FILE]
    (--port: the host port where none is pinned yet; for every member of a Dedicated server, the first of consecutive ports)
    (--ca-file: where the member's machine keeps the fleet CA, for client snippets; default ~/mcp-fleet-ca.pem of this machine)`;

/** How the command reaches the export service: `(input) => ctx.call('export:render', input)` once wired. */
export type RenderExport = (input: ExportRenderInput) => Promise<ExportResult>;

export async function exportCommand(
  ctx: CommandContext,
  argv: string[],
  render: RenderExport,
): Promise<void> {
  const a = parseArgs(argv, {
    format: 'string',
    member: 'string',
    host: 'string',
    'inline-secrets': 'flag',
    port: 'string',
    publish: 'string',
    'allow-cidr': 'multi',
    'ca-file': 'string',
    out: 'string',
  });
  const server = single(a.positionals, 'export SERVER --format FORMAT');
  const format = ExportFormat.safeParse(a.values.get('format'));
  if (!format.success) throw usage(`--format must be one of: ${ExportFormat.options.join(', ')}`);
  const portText = a.values.get('port');
  if (
    portText !== undefined &&
    (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
  ) {
    throw usage(`--port must be 1-65535, got "${portText}"`);
  }
  const member = a.values.get('member');
  const host = a.values.get('host');
  const publish = a.values.get('publish');
  const caFile = a.values.get('ca-file');
  if (caFile === '') throw usage('--ca-file needs a path');
  const result = await render({
    server,
    format: format.data,
    inlineSecrets: a.flags.has('inline-secrets'),
    allowCidrs: a.multi.get('allow-cidr') ?? [],
    ...(member === undefined ? {} : { member }),
    ...(host === undefined ? {} : { host }),
    ...(portText === undefined ? {} : { port: Number(portText) }),
    ...(publish === undefined ? {} : { publishAddress: publish }),
    // The client resolves it from wherever it starts, so a relative path is made absolute here.
    ...(caFile === undefined ? {} : { caFile: path.resolve(caFile) }),
  });
  const notes = (result.notes ?? []).map((line) => `note: ${line}`);
  const out = a.values.get('out');
  if (out !== undefined) {
    await writePrivate(out, result.content);
    if (ctx.output.json)
      return ctx.output.out(JSON.stringify({ format: result.format, file: out, notes: result.notes ?? [] }));
    ctx.output.out(`wrote ${result.format} export of ${server} to ${out} (mode 0600)`);
    for (const line of notes) ctx.output.out(line);
    return;
  }
  if (ctx.output.json) return ctx.output.out(JSON.stringify(result, null, 2));
  process.stdout.write(result.content);
  // Beside the content, not in it: a snippet stays JSON that pastes as it is.
  for (const line of notes) process.stderr.write(`${line}\n`);
}

/** Writes with mode 0600 from the first byte, and narrows an existing file's mode too. */
async function writePrivate(file: string, content: string): Promise<void> {
  try {
    await writeFile(file, content, { mode: 0o600 });
    await chmod(file, 0o600);
  } catch (err) {
    throw new FleetError(
      'invalid_input',
      `could not write ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: err,
      },
    );
  }
}
