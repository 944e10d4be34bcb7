import type { LimitKind, MemberUsage } from './fair-share';
import type { Logger } from '../ops/log';

const KINDS: readonly LimitKind[] = ['sessions', 'inflight', 'rps', 'queue'];
const LOG_EVERY_MS = 60_000;

/**
 * Counts each member's refusals by limit, and logs them without flooding the log: a member held at
 * its limit may be refused thousands of times a second, so the first refusal of a kind is logged at
 * once and then at most one line a minute, with the count since the previous line.
 */
export class RefusalLog {
  private readonly refused = new Map<string, Record<LimitKind, number>>();
  private readonly logged = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  count(member: string, kind: LimitKind): void {
    const counts = this.refused.get(member) ?? { sessions: 0, inflight: 0, rps: 0, queue: 0 };
    counts[kind] += 1;
    this.refused.set(member, counts);
    const key = `${member}\0${kind}`;
    const now = this.now();
    const last = this.logged.get(key);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.since += 1;
      return;
    }
    this.log.warn('member_limited', { member, limit: kind, refused: (last?.since ?? 0) + 1 });
    this.logged.set(key, { at: now, since: 0 });
  }

  counts(member: string): Record<LimitKind, number> {
    return { sessions: 0, inflight: 0, rps: 0, queue: 0, ...this.refused.get(member) };
  }
}

/** Figures about connections, for /status and /metrics. */
export interface ConnectionFigures {
  open: number;
  unauthenticated: number;
  limits: { max: number; perSource: number; unauthenticated: number };
  /** Closed by the bridge at accept (over a cap) or to make room (the oldest unauthenticated). */
  refused: { max: number; perSource: number; unauthenticatedEvicted: number };
}

/** What health.ts reports for fair share and connections; members by name, never a token. */
export interface LimitsReport {
  status(): Record<string, unknown>;
  prometheus(): string[];
}

export function limitsReport(
  usage: () => Iterable<[string, MemberUsage]>,
  connections: () => ConnectionFigures,
): LimitsReport {
  return {
    status: () => ({ members: Object.fromEntries(usage()), connections: connections() }),
    prometheus: () => {
      const lines: string[] = [];
      const metric = (name: string, type: string, help: string, samples: [string, number][]): void => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
      };
      const members = [...usage()];
      // Member names are [A-Za-z0-9._@-] (members.ts): nothing in them needs escaping in a label.
      metric(
        'mcp_bridge_member_refused_total',
        'counter',
        'Requests refused with 429 because the member was over one of its limits.',
        members.flatMap(([name, u]) =>
          KINDS.map((kind): [string, number] => [`{member="${name}",limit="${kind}"}`, u.refused[kind]]),
        ),
      );
      metric(
        'mcp_bridge_member_in_flight',
        'gauge',
        'Requests of the member in flight.',
        members.map(([name, u]) => [`{member="${name}"}`, u.inFlight]),
      );
      metric(
        'mcp_bridge_member_sessions',
        'gauge',
        'Sessions and listen streams the member has open.',
        members.map(([name, u]) => [`{member="${name}"}`, u.sessions]),
      );
      const c = connections();
      metric(
        'mcp_bridge_connections',
        'gauge',
        'Open connections, by whether a request on them authenticated.',
        [
          ['{state="authenticated"}', c.open - c.unauthenticated],
          ['{state="unauthenticated"}', c.unauthenticated],
        ],
      );
      metric(
        'mcp_bridge_connections_refused_total',
        'counter',
        'Connections the bridge closed to stay within its caps.',
        [
          ['{reason="max"}', c.refused.max],
          ['{reason="per_source"}', c.refused.perSource],
          ['{reason="unauthenticated_evicted"}', c.refused.unauthenticatedEvicted],
        ],
      );
      return lines;
    },
  };
}
