import { readFile } from 'node:fs/promises';
import { FleetError } from '../../shared/errors';
import type { ServersImportInput, ServersImportResult } from '../../services/import/import-schema';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { single } from './hosts';

export const IMPORT_USAGE = `mcp-fleet servers import FILE [--name N] [--mode shared|dedicated]
    (FILE: claude_desktop_config.json, mcp.json or an MCP Registry server.json; - for standard input)`;

/** How the command reaches the import service: `(input) => ctx.call('servers:import', input)` once wired. */
export type ImportServers = (input: ServersImportInput) => Promise<ServersImportResult>;

/** `servers import ...`: argv is what follows `import`. */
export async function importCommand(
  ctx: CommandContext,
  argv: string[],
  importServers: ImportServers,
): Promise<void> {
  const a = parseArgs(argv, { name: 'string', mode: 'string' });
  const file = single(a.positionals, 'servers import FILE');
  const mode = a.values.get('mode') ?? 'shared';
  if (mode !== 'shared' && mode !== 'dedicated') throw usage('--mode must be shared or dedicated');
  const name = a.values.get('name');
  const result = await importServers({
    text: await readText(file),
    fileName: file === '-' ? 'standard input' : file,
    mode,
    ...(name === undefined ? {} : { name }),
  });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(result, null, 2));
  for (const s of result.servers) {
    const secrets = s.env.filter((e) => e.secret).map((e) => e.key);
    ctx.output.out(
      `imported server ${s.name} (${s.source.kind} ${s.source.value}, ${s.mode})${secrets.length > 0 ? `, secret env: ${secrets.join(', ')}` : ''}`,
    );
  }
  for (const warning of result.warnings) ctx.output.out(`warning: ${warning}`);
}

async function readText(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FleetError(
      code === 'ENOENT' ? 'not_found' : 'invalid_input',
      `could not read ${file}: ${code ?? 'error'}`,
      {
        cause: err,
      },
    );
  }
}
