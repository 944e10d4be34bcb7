/**
 * The tools a version change adds, removes and changes, from the full tools/list answers of both
 * versions. Pure, so the service, the CLI and the app compare and word it the same way. Imports nothing.
 */

/** A tool as tools/list gives it; fields other than these do not count as a change. */
export interface ToolDefinition {
  name: string;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** The fields compared, in the order a change names them. */
export const COMPARED_TOOL_FIELDS = [
  'title',
  'description',
  'inputSchema',
  'outputSchema',
  'annotations',
] as const;
export type ComparedToolField = (typeof COMPARED_TOOL_FIELDS)[number];

export interface ToolChange {
  name: string;
  /** The fields that differ, in COMPARED_TOOL_FIELDS order. */
  fields: ComparedToolField[];
}

export interface ToolListDiff {
  added: string[];
  removed: string[];
  changed: ToolChange[];
  /** How many tools both versions have alike. */
  unchanged: number;
}

/**
 * Compares two tools/list answers by tool name. Objects compare by content, not key order (a server
 * that rebuilds its schemas may order keys differently); a tool listed twice counts once, as first given.
 */
export function diffTools(before: readonly ToolDefinition[], after: readonly ToolDefinition[]): ToolListDiff {
  const old = byName(before);
  const next = byName(after);
  const added = [...next.keys()].filter((name) => !old.has(name)).sort();
  const removed = [...old.keys()].filter((name) => !next.has(name)).sort();
  const changed: ToolChange[] = [];
  let unchanged = 0;
  for (const name of [...next.keys()].filter((n) => old.has(n)).sort()) {
    const a = old.get(name) as ToolDefinition;
    const b = next.get(name) as ToolDefinition;
    const fields = COMPARED_TOOL_FIELDS.filter((field) => canonical(a[field]) !== canonical(b[field]));
    if (fields.length > 0) changed.push({ name, fields });
    else unchanged += 1;
  }
  return { added, removed, changed, unchanged };
}

/** One line per tool added (+), removed (-) and changed (~, with the fields), then a count. */
export function toolDiffLines(diff: {
  added: readonly string[];
  removed: readonly string[];
  changed: readonly { name: string; fields: readonly string[] }[];
  unchanged: number;
}): string[] {
  return [
    ...diff.added.map((name) => `+ ${name}`),
    ...diff.removed.map((name) => `- ${name}`),
    ...diff.changed.map((c) => `~ ${c.name} (${c.fields.join(', ')})`),
    `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`,
  ];
}

/**
 * What an operator reads about a version change: a header naming both versions and the host they were
 * listed on, then toolDiffLines indented; or one line saying the server runs nowhere, so none were listed.
 */
export function toolDiffReport(
  server: string,
  diff: Parameters<typeof toolDiffLines>[0] & { from: string; to: string; host: string | null },
): string[] {
  if (diff.host === null) return [`${server} runs on no host yet, so no tools were listed to compare`];
  return [
    `tools of ${diff.to} against ${diff.from} (listed on ${diff.host}):`,
    ...toolDiffLines(diff).map((line) => `  ${line}`),
  ];
}

function byName(tools: readonly ToolDefinition[]): Map<string, ToolDefinition> {
  const out = new Map<string, ToolDefinition>();
  for (const tool of tools) if (!out.has(tool.name)) out.set(tool.name, tool);
  return out;
}

/** JSON with object keys sorted at every level; undefined stays apart from null. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
