/**
 * Imports server definitions from a client configuration or an MCP Registry server.json through
 * ServerService.add, so an imported server is validated exactly like one typed in. All or nothing:
 * every entry is checked first, and the adds run in one transaction, so a bad entry leaves the store
 * as it was.
 */
import { ServerAddInput as ServerAddSchema, type ServerView } from '../../shared/contract';
import { describeZodError, FleetError } from '../../shared/errors';
import type { ServerService, SourcePinning } from '../server/server-service';
import { validateSource } from '../server/source';
import type { Store } from '../store/store';
import { fromClientConfig, type Candidate } from './client-config-import';
import { ServersImportInput, type ServersImportResult } from './import-schema';
import { parseJsonc } from './jsonc';
import { fromRegistryServer, isRegistryServer } from './registry-import';

export class ImportService {
  constructor(
    private readonly store: Store,
    private readonly servers: ServerService,
    /** Only `importPinning` asks registries. */
    private readonly pinning?: SourcePinning,
  ) {}

  /**
   * Imports the file's servers with their sources as written. Throws FleetError('invalid_input') naming
   * the entry at fault, ('conflict') for a taken name or port.
   */
  importText(raw: ServersImportInput): ServersImportResult {
    return this.commit(this.candidates(raw));
  }

  /**
   * Imports as importText does, each npx/uvx source without an exact version first pinned to the one its
   * registry names (a warning says which). Nothing is saved when a registry cannot answer; throws as
   * importText does, and not_found or unavailable naming the entry.
   */
  async importPinning(raw: ServersImportInput): Promise<ServersImportResult> {
    const candidates = this.candidates(raw);
    const pinning = this.pinning;
    if (pinning === undefined) return this.commit(candidates);
    const pinned: Candidate[] = [];
    for (const c of candidates) {
      const result = await pinning.pin(c.input.source).catch((err: unknown) => {
        if (err instanceof FleetError)
          throw new FleetError(err.code, `entry "${c.entry}": ${err.message}`, { cause: err });
        throw err;
      });
      const note =
        result.pinned === null
          ? []
          : [
              `${c.entry}: ${result.pinned.requested === null ? 'no version given' : `"${result.pinned.requested}" given`}; pinned ${result.source.value}, from ${result.pinned.registry}`,
            ];
      pinned.push({ ...c, input: { ...c.input, source: result.source }, warnings: [...c.warnings, ...note] });
    }
    return this.commit(pinned);
  }

  /** The file's entries, each checked as ServerService.add would check it. */
  private candidates(raw: ServersImportInput): Candidate[] {
    const input = ServersImportInput.parse(raw);
    const source = input.fileName ?? 'the file';
    const doc = parseJsonc(input.text, source);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new FleetError('invalid_input', `${source} must hold a JSON object`);
    }
    const record = doc as Record<string, unknown>;
    let candidates: Candidate[] = isRegistryServer(record)
      ? [fromRegistryServer(record, input.mode)]
      : fromClientConfig(record, input.mode);
    if (candidates.length === 0) throw new FleetError('invalid_input', `${source} defines no servers`);
    if (input.name !== undefined) candidates = [pick(candidates, input.name)];
    for (const c of candidates) check(c);
    return candidates;
  }

  /** Adds the candidates in one transaction: all or none. */
  private commit(candidates: Candidate[]): ServersImportResult {
    const added = this.store.transaction(() =>
      candidates.map((c) => {
        try {
          return this.servers.add(c.input);
        } catch (err) {
          if (err instanceof FleetError)
            throw new FleetError(err.code, `entry "${c.entry}": ${err.message}`, { cause: err });
          throw err;
        }
      }),
    );
    return { servers: added satisfies ServerView[], warnings: candidates.flatMap((c) => c.warnings) };
  }
}

/** The entry keyed `name`; or the only entry, renamed to `name`. */
function pick(candidates: Candidate[], name: string): Candidate {
  const keyed = candidates.find((c) => c.entry === name || c.input.name === name);
  if (keyed) return { ...keyed, input: { ...keyed.input, name } };
  if (candidates.length === 1) {
    const only = candidates[0] as Candidate;
    return { ...only, input: { ...only.input, name } };
  }
  throw new FleetError(
    'invalid_input',
    `no entry "${name}" in the file; it has: ${candidates.map((c) => c.entry).join(', ')}`,
  );
}

/** Validation ServerService.add would do, run on every entry before any is added. */
function check(candidate: Candidate): void {
  const parsed = ServerAddSchema.safeParse(candidate.input);
  if (!parsed.success) {
    const hint = parsed.error.issues.some((i) => i.path[0] === 'name') ? '; import it with --name NAME' : '';
    throw new FleetError(
      'invalid_input',
      `entry "${candidate.entry}": ${describeZodError(parsed.error)}${hint}`,
    );
  }
  try {
    validateSource(parsed.data.source);
  } catch (err) {
    if (err instanceof FleetError)
      throw new FleetError(err.code, `entry "${candidate.entry}": ${err.message}`);
    throw err;
  }
}
