import { describeError } from '../errors';
import { isObject } from './jsonrpc';
import type { Logger } from '../ops/log';
import { decodeHeaderValue } from './stateless-envelope';
import type { Upstream } from '../child/upstream';

/** A tool argument mirrored into an `Mcp-Param-{Name}` header (SEP-2243 `x-mcp-header`). */
export interface ParamHeader {
  /** The header name, lower case as Node gives it: `mcp-param-region`. */
  header: string;
  /** The argument it mirrors (a top-level property of the tool's inputSchema). */
  argument: string;
  numeric: boolean;
}

const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

/** The x-mcp-header declarations of one tool as tools/list describes it. */
export function declarationsOf(tool: unknown): ParamHeader[] {
  const schema = isObject(tool) && isObject(tool.inputSchema) ? tool.inputSchema : undefined;
  const properties = isObject(schema?.properties) ? schema.properties : {};
  const out: ParamHeader[] = [];
  for (const [argument, property] of Object.entries(properties)) {
    if (!isObject(property)) continue;
    const name = property['x-mcp-header'];
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) continue;
    const numeric = property.type === 'number' || property.type === 'integer';
    out.push({ header: `mcp-param-${name.toLowerCase()}`, argument, numeric });
  }
  return out;
}

function primitive(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * What is wrong with a call's `Mcp-Param-*` headers, or undefined: an argument that has a value needs
 * its header, decoded from `=?base64?…?=` when so wrapped, equal to it (numbers compared as numbers);
 * an argument without a value needs none.
 */
export function paramHeaderProblem(
  declarations: readonly ParamHeader[],
  args: unknown,
  header: (name: string) => string | undefined,
): string | undefined {
  const values = isObject(args) ? args : {};
  for (const declaration of declarations) {
    const expected = primitive(values[declaration.argument]);
    if (expected === undefined) continue;
    const raw = header(declaration.header);
    if (raw === undefined)
      return `the argument ${declaration.argument} has a value but its ${declaration.header} header is absent`;
    const given = decodeHeaderValue(raw);
    if (given === undefined) return `the ${declaration.header} header is not valid Base64`;
    const same = declaration.numeric ? Number(given) === Number(expected) : given === expected;
    if (!same) return `the ${declaration.header} header does not match the argument ${declaration.argument}`;
  }
  return undefined;
}

/**
 * The tools' header declarations, learnt from the tools/list answers passing through and fetched by
 * the bridge itself when a 2026-07-28 tools/call comes before any; forgotten when the list changes.
 */
export class ToolHeaderIndex {
  private byTool: Map<string, ParamHeader[]> | undefined;
  private loading: Promise<Map<string, ParamHeader[]>> | undefined;

  constructor(
    private readonly upstream: Upstream,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** A tools/list page the child answered (to anyone); the index learns its tools. */
  learn(result: unknown): void {
    if (!this.byTool || !isObject(result) || !Array.isArray(result.tools)) return;
    for (const tool of result.tools)
      if (isObject(tool) && typeof tool.name === 'string') this.byTool.set(tool.name, declarationsOf(tool));
  }

  forget(): void {
    this.byTool = undefined;
    this.loading = undefined;
  }

  /** The declarations when the index already holds the tool list; undefined when it must be fetched. */
  known(tool: string): ParamHeader[] | undefined {
    return this.byTool ? (this.byTool.get(tool) ?? []) : undefined;
  }

  async declarations(tool: string): Promise<ParamHeader[]> {
    const known = this.byTool ?? (await this.load());
    return known.get(tool) ?? [];
  }

  private load(): Promise<Map<string, ParamHeader[]>> {
    this.loading ??= (async () => {
      const index = new Map<string, ParamHeader[]>();
      try {
        let cursor: unknown;
        for (let page = 0; page < 20; page += 1) {
          const result = await this.upstream.request(
            'tools/list',
            typeof cursor === 'string' ? { cursor } : {},
            this.timeoutMs,
          );
          if (!isObject(result)) break;
          for (const tool of Array.isArray(result.tools) ? result.tools : [])
            if (isObject(tool) && typeof tool.name === 'string') index.set(tool.name, declarationsOf(tool));
          cursor = result.nextCursor;
          if (typeof cursor !== 'string') break;
        }
        this.byTool = index;
      } catch (err) {
        // Without the list nothing can be checked now; the next call tries again.
        this.log.warn('tool_headers_unavailable', { error: describeError(err) });
        this.loading = undefined;
      }
      return index;
    })();
    return this.loading;
  }
}
