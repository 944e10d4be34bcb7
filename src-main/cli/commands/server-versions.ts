/**
 * Versions in the CLI: the line `servers add` prints when it pinned a version, the update column of
 * `servers list`, and `servers outdated`.
 */
import { validRange } from 'semver';
import type { ServerView, ServerVersion, VersionPin } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';

export const SERVERS_OUTDATED_USAGE = `mcp-fleet servers outdated
    (the npx/uvx servers whose registry has a newer version than the one pinned; exit 1 when one could not be asked)`;

/** `servers list` waits this long for the registries, then shows "?" for what has not answered. */
const LIST_TIMEOUT_MS = 3_000;

/** What `servers add` says when the registry chose the version. */
export function pinnedLine(kind: ServerView['source']['kind'], pin: VersionPin): string {
  const asked = pin.requested;
  const what =
    asked === null || asked.toLowerCase() === 'latest'
      ? kind === 'uvx'
        ? 'the newest release'
        : 'the latest version'
      : validRange(asked) !== null
        ? `the newest matching "${asked}"`
        : `the "${asked}" tag`;
  return `pinned ${pin.package} to ${pin.version}, ${what} on ${pin.registry}`;
}

/**
 * The update column of `servers list` by server name: "" when current or not a package, the newer version
 * when there is one, "?" when the registry did not answer in time (a note on stderr says so).
 */
export async function updateColumn(ctx: CommandContext, servers: ServerView[]): Promise<Map<string, string>> {
  const column = new Map<string, string>();
  if (!servers.some((s) => s.source.kind === 'npx' || s.source.kind === 'uvx')) return column;
  const versions = await ctx.call('servers:versions', { timeoutMs: LIST_TIMEOUT_MS });
  for (const v of versions) {
    column.set(v.server, v.error !== null ? '?' : v.outdated ? `${v.latest ?? '?'} available` : '');
  }
  const unknown = versions.filter((v) => v.error !== null).length;
  if (unknown > 0) {
    process.stderr.write(
      `mcp-fleet: could not ask the registry about ${unknown} server${unknown === 1 ? '' : 's'}; see \`mcp-fleet servers outdated\`\n`,
    );
  }
  return column;
}

/**
 * `servers outdated`: the npx/uvx servers whose registry has a newer version than the one pinned. Exits 1
 * (after listing what it could check) when a registry could not be asked.
 */
export async function serversOutdatedCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  if (parseArgs(argv, {}).positionals.length > 0) throw usage('servers outdated takes no arguments');
  const versions = await ctx.call('servers:versions', {});
  const outdated = versions.filter((v) => v.outdated);
  const failed = versions.filter((v) => v.error !== null);
  if (ctx.output.json) {
    ctx.output.out(JSON.stringify([...outdated, ...failed], null, 2));
  } else {
    printTable(
      ctx.output,
      outdated.map((v) => ({
        name: v.server,
        package: `${v.kind} ${v.package}`,
        pinned: v.pinned ?? '(none)',
        latest: v.latest ?? '?',
      })),
      ['name', 'package', 'pinned', 'latest'],
      checkedLine(versions, failed),
    );
  }
  if (failed.length > 0) {
    for (const v of failed) process.stderr.write(`mcp-fleet: ${v.server}: ${v.error ?? ''}\n`);
    throw new FleetError(
      'unavailable',
      `could not check ${failed.length} of ${versions.length} server${versions.length === 1 ? '' : 's'}`,
    );
  }
}

function checkedLine(versions: ServerVersion[], failed: ServerVersion[]): string {
  const n = versions.length;
  if (n === 0) return 'no npx or uvx servers to check';
  if (failed.length > 0) return `${n - failed.length} of ${n} npx/uvx servers checked: none is outdated`;
  return `${n === 1 ? 'the npx/uvx server is' : `all ${n} npx/uvx servers are`} on the newest version`;
}
