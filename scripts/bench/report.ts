// Formats benchmark results as plain-text tables for the terminal and the README.
import type { LoadResult, MemoryResult } from './measure';
import type { NoisyNeighbour } from './noisy';
import type { ClientKind } from './sessions';
import { SCHEMES, type TlsComparison } from './tls';

export interface PhaseOutcome<T> {
  ok: boolean;
  result?: T;
  /** Why the phase has no figure: a start failure, a time limit, an exception. */
  error?: string;
  /** What the figure means when it is not the usual thing (e.g. direct stdio's pipelined run). */
  note?: string;
}

export interface LoadPhases {
  single: PhaseOutcome<LoadResult>;
  concurrent: PhaseOutcome<LoadResult>;
}

export interface TargetResult {
  target: string;
  describe: string;
  /** Set when the bridge/proxy did not start; then there are no figures. */
  start?: string;
  load: Partial<Record<ClientKind, LoadPhases>>;
  memory: PhaseOutcome<MemoryResult>;
}

type Params = Record<'warmup' | 'calls' | 'clients' | 'callsEach' | 'idleSessions', number>;

const BRIDGE = 'mcp-fleet bridge';
const NATIVE = 'native v2 server';
const FLOOR = 'HTTP floor';
const RELAY = 'stdio relay floor';
/** The rows whose front process is compared by CPU per call, each against the floor's. */
const CPU_ROWS = [FLOOR, RELAY, BRIDGE, 'supergateway', 'mcp-proxy'];
const KIND_LABEL: Record<ClientKind, string> = {
  sdk: "the SDK's Client (StdioClientTransport / StreamableHTTPClientTransport)",
  raw: 'a raw client (line-delimited JSON-RPC / keep-alive node:http POSTs)',
  v2: 'the v2 SDK Client (@modelcontextprotocol/client) pinned to 2026-07-28: stateless, no session',
  'raw-stateless':
    'a raw 2026-07-28 client (one keep-alive POST per call with the _meta envelope, no session)',
};
const SESSION_KINDS: ClientKind[] = ['sdk', 'raw'];

const num = (value: number | undefined, digits = 0): string =>
  value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);

function loadCells(outcome: PhaseOutcome<LoadResult> | undefined): string[] {
  const r = outcome?.result;
  if (outcome?.ok !== true || r === undefined) return ['failed', '', '', '', '', ''];
  return [
    num(r.callsPerSecond),
    num(r.p50Ms, 2),
    num(r.p99Ms, 2),
    num(r.frontCpuUsPerCall),
    String(r.wrongAnswers),
    String(r.errors),
  ];
}

function memoryCells(outcome: PhaseOutcome<MemoryResult>): string[] {
  const r = outcome.result;
  if (!outcome.ok || r === undefined) return [outcome.note ?? 'failed', '', ''];
  return [num(r.idleSelfMb, 1), num(r.selfMb, 1), `${num(r.treeMb, 0)} (${r.processes})`];
}

function render(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

function loadOf(results: TargetResult[], target: string, kind: ClientKind, phase: keyof LoadPhases) {
  const outcome = results.find((r) => r.target === target)?.load[kind]?.[phase];
  return outcome?.ok === true ? outcome.result : undefined;
}

function rate(results: TargetResult[], target: string, kind: ClientKind, phase: keyof LoadPhases) {
  return loadOf(results, target, kind, phase)?.callsPerSecond;
}

/** CPU µs per call of the row's front process (bridge, proxy, floor), one client. */
function frontCpu(results: TargetResult[], target: string, kind: ClientKind): number | undefined {
  return loadOf(results, target, kind, 'single')?.frontCpuUsPerCall;
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;

function goalLine(
  label: string,
  value: number | undefined,
  goal: number,
  unit: string,
  atMost = false,
): string {
  if (value === undefined) return `  ?   ${label}: not measured`;
  const met = atMost ? value <= goal : value >= goal;
  const shown = unit === '' ? String(value) : `${value.toFixed(2)}${unit}`;
  return `  ${met ? 'met' : 'NOT'} ${label}: ${shown} (goal ${atMost ? '≤' : '≥'} ${goal}${unit})`;
}

/** The issue's goals with the measured figure each, per kind of client. */
function formatGoals(results: TargetResult[], params: Params, kinds: ClientKind[]): string[] {
  const bridge = results.find((r) => r.target === BRIDGE);
  const lines = ['goals (mcp-fleet bridge):'];
  for (const kind of kinds) {
    const direct = rate(results, 'direct stdio', kind, 'single');
    const single = rate(results, BRIDGE, kind, 'single');
    const floor = rate(results, 'HTTP floor', kind, 'single');
    lines.push(
      ` ${kind} client:`,
      goalLine('1 client, share of direct stdio', ratio(single, direct), 0.5, '×'),
      goalLine(
        '1 client, over supergateway',
        ratio(single, rate(results, 'supergateway', kind, 'single')),
        4,
        '×',
      ),
      goalLine('1 client, over mcp-proxy', ratio(single, rate(results, 'mcp-proxy', kind, 'single')), 4, '×'),
      goalLine(
        `${params.clients} clients, aggregate share of direct stdio 1 client`,
        ratio(rate(results, BRIDGE, kind, 'concurrent'), direct),
        0.8,
        '×',
      ),
      goalLine(
        `${params.clients} clients, answers delivered to the wrong client`,
        bridge?.load[kind]?.concurrent.result?.wrongAnswers,
        0,
        '',
        true,
      ),
      goalLine('1 client, calls/s share of the HTTP floor', ratio(single, floor), 0.8, '×'),
      goalLine(
        "1 client, bridge process CPU per call over the floor's",
        ratio(frontCpu(results, BRIDGE, kind), frontCpu(results, FLOOR, kind)),
        1.3,
        '×',
        true,
      ),
      `       (floor: this client against a canned HTTP answer reaches ${num(ratio(floor, direct), 2)}× direct ` +
        `stdio; the bridge reaches ${num(ratio(single, floor), 2)}× that floor)`,
      `       (relay floor, the least a stdio bridge does: ${num(ratio(rate(results, RELAY, kind, 'single'), floor), 2)}× ` +
        `the floor's calls/s at ${num(ratio(frontCpu(results, RELAY, kind), frontCpu(results, FLOOR, kind)), 2)}× its CPU ` +
        `per call; the bridge spends ${num(ratio(frontCpu(results, BRIDGE, kind), frontCpu(results, RELAY, kind)), 2)}× the relay's CPU)`,
    );
  }
  lines.push(
    goalLine(`RSS with ${params.idleSessions} idle sessions`, bridge?.memory.result?.selfMb, 80, ' MB', true),
  );
  return lines;
}

/** The 2026-07-28 rows side by side: the bridge against its own stateful figure and the native server. */
function formatStateless(results: TargetResult[]): string[] {
  const lines = ['2026-07-28 (stateless) through the mcp-fleet bridge:'];
  for (const [kind, sessionKind] of [
    ['v2', 'sdk'],
    ['raw-stateless', 'raw'],
  ] as const) {
    const bridge = rate(results, BRIDGE, kind, 'single');
    lines.push(
      `  ${kind} client, 1 client: ${num(bridge)} calls/s = ${num(ratio(bridge, rate(results, BRIDGE, sessionKind, 'single')), 2)}× ` +
        `the ${sessionKind} client's stateful session through the bridge, ` +
        `${num(ratio(bridge, rate(results, NATIVE, kind, 'single')), 2)}× the native v2 server`,
    );
  }
  return lines;
}

/**
 * CPU per call of each row's front process alone (never the MCP server behind it), one client, beside
 * the floor's: what the bridge itself costs a call, apart from how fast the client can go.
 */
function formatCpu(results: TargetResult[], params: Params, kinds: ClientKind[]): string[] {
  const rows = CPU_ROWS.filter((target) => results.some((r) => r.target === target));
  const shown = kinds.filter((kind) => rows.some((target) => frontCpu(results, target, kind) !== undefined));
  if (shown.length === 0) return [];
  const cell = (target: string, kind: ClientKind): string => {
    const cpu = frontCpu(results, target, kind);
    const floor = frontCpu(results, FLOOR, kind);
    return cpu === undefined ? '—' : `${num(cpu)} µs (${num(ratio(cpu, floor), 2)}×)`;
  };
  return [
    `CPU of the front process per call (utime+stime of /proc/<pid>/stat over the ${params.calls} calls of ` +
      `1 client; the MCP server child not counted), and its ratio to the floor's:`,
    render([
      ['front process', ...shown.map((kind) => `${kind} client`)],
      ...rows.map((target) => [target, ...shown.map((kind) => cell(target, kind))]),
    ]),
  ];
}

/** Goals first, then a table per measurement and client kind, then every failure spelled out. */
export function formatReport(results: TargetResult[], params: Params, kinds: ClientKind[]): string {
  const head = ['target', 'calls/s', 'p50 ms', 'p99 ms', 'CPU µs/call', 'wrong', 'errors'];
  const sessionKinds = kinds.filter((kind) => SESSION_KINDS.includes(kind));
  const sections: string[] = [...formatGoals(results, params, sessionKinds)];
  const cpu = formatCpu(results, params, kinds);
  if (cpu.length > 0) sections.push('', ...cpu);
  if (kinds.some((kind) => !SESSION_KINDS.includes(kind))) sections.push('', ...formatStateless(results));
  for (const kind of kinds) {
    const measured = results.filter((r) => r.load[kind] !== undefined);
    if (measured.length === 0) continue;
    const clients = SESSION_KINDS.includes(kind) ? 'own sessions' : 'own clients, no sessions';
    sections.push(
      '',
      `with ${KIND_LABEL[kind]}`,
      `tools/call echo, 1 client, ${params.calls} sequential calls after ${params.warmup} warmup`,
      render([head, ...measured.map((r) => [r.target, ...loadCells(r.load[kind]?.single)])]),
      `tools/call echo, ${params.clients} concurrent clients (${clients}) × ${params.callsEach} calls, one bridge/proxy`,
      render([head, ...measured.map((r) => [r.target, ...loadCells(r.load[kind]?.concurrent)])]),
    );
  }
  sections.push(
    '',
    `memory: RSS of the bridge/proxy process alone, fresh and with ${params.idleSessions} idle SDK sessions`,
    render([
      ['target', 'RSS fresh MB', `RSS ${params.idleSessions} sessions MB`, 'with children MB (procs)'],
      ...results.map((r) => [r.target, ...memoryCells(r.memory)]),
    ]),
  );

  const notes: string[] = [];
  for (const r of results) {
    if (r.start !== undefined) {
      notes.push(`${r.target}: did not start: ${r.start}`);
      continue;
    }
    const phases: [string, PhaseOutcome<LoadResult | MemoryResult> | undefined][] = [
      ...kinds
        .filter((kind) => r.load[kind] !== undefined)
        .flatMap((kind): [string, PhaseOutcome<LoadResult> | undefined][] => [
          [`${kind}, 1 client`, r.load[kind]?.single],
          [`${kind}, ${params.clients} clients`, r.load[kind]?.concurrent],
        ]),
      ['memory', r.memory],
    ];
    for (const [label, outcome] of phases) {
      if (outcome?.error !== undefined) notes.push(`${r.target} (${label}): ${outcome.error}`);
      if (outcome?.ok === true && outcome.note !== undefined)
        notes.push(`${r.target} (${label}): ${outcome.note}`);
      const first = outcome?.ok === true ? (outcome.result as Partial<LoadResult>).firstError : undefined;
      if (first !== undefined) notes.push(`${r.target} (${label}): first error: ${first}`);
    }
  }
  if (notes.length > 0) sections.push('', 'notes:', ...notes.map((note) => `  ${note}`));
  return sections.join('\n');
}

const median = (values: number[]): number | undefined => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * The TLS row: HTTPS beside plain HTTP through the same bridge bundle, medians of the alternating
 * rounds (the range of calls/s beside), and the throughput TLS costs against the goal (≤ 15 %).
 */
export function formatTls(comparison: TlsComparison, params: Params): string {
  const title =
    `HTTPS (--tls-cert, self-signed P-256) beside plain HTTP through the mcp-fleet bridge: raw keep-alive ` +
    `client, median of ${comparison.rounds} alternating rounds`;
  if (comparison.error !== undefined) return `${title}\n  failed: ${comparison.error}`;
  const phases = [
    ['single', '1 client'],
    ['concurrent', `${params.clients} clients`],
  ] as const;
  const rows: string[][] = [
    ['', 'calls/s', 'range', 'p50 ms', 'bridge CPU ms/call', 'client CPU ms/call', 'wrong', 'errors'],
  ];
  const rates: Partial<Record<string, number>> = {};
  const cpu: Partial<Record<string, number>> = {};
  for (const [phase, label] of phases) {
    for (const scheme of SCHEMES) {
      const samples = comparison.samples.filter((s) => s.phase === phase && s.scheme === scheme);
      const perSecond = samples.map((s) => s.load.callsPerSecond);
      const rate = median(perSecond);
      rates[`${phase}/${scheme}`] = rate;
      cpu[`${phase}/${scheme}`] = median(samples.map((s) => s.bridgeCpuMsPerCall ?? Number.NaN));
      rows.push([
        `${label}, ${scheme.toUpperCase()}`,
        num(rate),
        perSecond.length === 0 ? '—' : `${num(Math.min(...perSecond))}–${num(Math.max(...perSecond))}`,
        num(median(samples.map((s) => s.load.p50Ms)), 2),
        num(cpu[`${phase}/${scheme}`], 3),
        num(median(samples.map((s) => s.clientCpuMsPerCall)), 3),
        String(samples.reduce((sum, s) => sum + s.load.wrongAnswers, 0)),
        String(samples.reduce((sum, s) => sum + s.load.errors, 0)),
      ]);
    }
  }
  const lines = [title, render(rows)];
  for (const [phase, label] of phases) {
    const plain = rates[`${phase}/http`];
    const secure = rates[`${phase}/https`];
    const cost = plain === undefined || secure === undefined || plain === 0 ? undefined : 1 - secure / plain;
    const plainCpu = cpu[`${phase}/http`];
    const secureCpu = cpu[`${phase}/https`];
    const extraCpu =
      plainCpu === undefined || secureCpu === undefined || plainCpu === 0
        ? '—'
        : `${(secureCpu - plainCpu).toFixed(3)} ms (${(((secureCpu - plainCpu) / plainCpu) * 100).toFixed(1)} %)`;
    lines.push(
      cost === undefined
        ? `  ?   TLS cost in throughput, ${label}: not measured`
        : `  ${cost <= 0.15 ? 'met' : 'NOT'} TLS cost in throughput, ${label}: ${(cost * 100).toFixed(1)} % ` +
            `(goal ≤ 15 %); bridge CPU per call ${extraCpu} more`,
    );
  }
  const firstError = comparison.samples.find((s) => s.load.firstError !== undefined);
  if (firstError !== undefined)
    lines.push(`  first error (${firstError.scheme}, ${firstError.phase}): ${firstError.load.firstError}`);
  return lines.join('\n');
}

/**
 * The noisy-neighbour row: A's latency alone and beside each of B's floods, what B was served and
 * refused, and the goal (A's p99 under the flood at most 3× its p99 alone, no answer to the wrong caller).
 */
export function formatNoisy(noisy: NoisyNeighbour): string {
  const { sizes } = noisy;
  const title =
    `noisy neighbour: members A and B on one bridge in front of ` +
    `${sizes.server === 'echo' ? 'echo-stdio-server.mjs (answers at once)' : 'server-everything'}, with the default per-member caps (32 sessions, ` +
    `16 in flight, 50 rps); A makes ${sizes.calls} echo calls at ${sizes.perSecond}/s (raw client), B ` +
    `${sizes.clients} clients each looping echo calls of ${Math.round(sizes.bodyBytes / 1024)} KiB`;
  const rows: string[][] = [
    [
      '',
      'A calls',
      'A p50 ms',
      'A p99 ms',
      'A wrong',
      'A errors',
      'B served/s',
      'B 429/s',
      'B wrong',
      'B errors',
      'bridge CPU',
    ],
  ];
  const cores = (value: number | undefined): string => (value === undefined ? '—' : `${num(value * 100)} %`);
  const aCells = (a: LoadResult): string[] => [
    String(a.calls),
    num(a.p50Ms, 2),
    num(a.p99Ms, 2),
    String(a.wrongAnswers),
    String(a.errors),
  ];
  if (noisy.alone !== undefined)
    rows.push(['A alone', ...aCells(noisy.alone), '—', '—', '—', '—', cores(noisy.aloneBridgeCores)]);
  const refusedLines: string[] = [];
  for (const run of noisy.floods) {
    const label = `B floods, ${run.honoursRetryAfter ? 'honours' : 'ignores'} Retry-After`;
    const b = run.b;
    const refused = b === undefined ? 0 : Object.values(b.refused).reduce((sum, n) => sum + n, 0);
    rows.push([
      label,
      ...aCells(run.a),
      b === undefined ? '—' : num(b.served / b.seconds),
      b === undefined ? '—' : num(refused / b.seconds),
      b === undefined ? '—' : String(b.wrong),
      b === undefined ? '—' : String(b.errors),
      cores(run.bridgeCores),
    ]);
    if (b !== undefined) {
      const kinds = Object.entries(b.refused)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ');
      refusedLines.push(
        `  ${label}: B sent ${b.requests} in ${num(b.seconds, 1)} s, ${b.served} served, ${refused} refused` +
          `${kinds === '' ? '' : ` (${kinds})`}${b.firstError === undefined ? '' : `; first error: ${b.firstError}`}`,
      );
    }
  }
  const lines = [title, render(rows), ...refusedLines];
  const aloneP99 = noisy.alone?.p99Ms;
  const child = noisy.childAlone;
  if (child !== undefined) {
    lines.push(
      `  one of B's ${Math.round(child.bodyBytes / 1024)} KiB echoes through the server alone (no bridge, ` +
        `${child.calls} in a row over its stdio): p50 ${num(child.p50Ms, 1)} ms, p99 ${num(child.p99Ms, 1)} ms` +
        (aloneP99 === undefined
          ? ''
          : `; a call of A that reaches the child behind one waits that long: p50 alone is ` +
            `${num(child.p50Ms / aloneP99, 1)}× A's p99 alone`),
    );
  }
  for (const run of noisy.floods) {
    lines.push(
      goalLine(
        `A's p99 under B's flood (${run.honoursRetryAfter ? 'honouring' : 'ignoring'} Retry-After) over A's p99 alone`,
        ratio(run.a.p99Ms, aloneP99),
        3,
        '×',
        true,
      ),
    );
  }
  const wrong =
    noisy.floods.length === 0
      ? undefined
      : (noisy.alone?.wrongAnswers ?? 0) +
        noisy.floods.reduce((sum, run) => sum + run.a.wrongAnswers + (run.b?.wrong ?? 0), 0);
  lines.push(goalLine('answers delivered to the wrong caller (A and B)', wrong, 0, '', true));
  if (noisy.error !== undefined) lines.push(`  failed: ${noisy.error}`);
  const firstError = [noisy.alone, ...noisy.floods.map((run) => run.a)].find(
    (a) => a?.firstError !== undefined,
  );
  if (firstError?.firstError !== undefined) lines.push(`  A's first error: ${firstError.firstError}`);
  return lines.join('\n');
}
