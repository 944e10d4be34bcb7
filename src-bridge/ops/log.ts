/** JSON-lines logging on stdout. Lines carry an event name and small fields, never message bodies or secrets. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined | object>;

export interface AuditFields {
  member: string;
  session: string | null;
  method: string;
  /** What the request names: one of tool (tools/call), prompt (prompts/get), uri (resources/read). */
  tool?: string | undefined;
  prompt?: string | undefined;
  uri?: string | undefined;
  outcome: string;
  ms: number;
  /** The correlation id, also in the response's result._meta when it has a result. */
  cid: string;
}

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  audit(fields: AuditFields): void;
  enabled(level: LogLevel): boolean;
  /** Writes what is buffered now; call before the process exits. */
  flush(): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receives whole lines, each ending in a newline; defaults to stdout. */
  write?: (chunk: string) => void;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((chunk: string) => process.stdout.write(chunk));
  // Lines are gathered and written once per turn of the event loop: one syscall for a burst of audits
  // instead of one per request keeps logging off the hot path.
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    write(chunk);
  };
  // One line per call at info: its timestamp is formatted once per millisecond, not once per line.
  let stampMs = Number.NaN;
  let stamp = '';
  const now = (): string => {
    const ms = Date.now();
    if (ms !== stampMs) {
      stampMs = ms;
      stamp = new Date(ms).toISOString();
    }
    return stamp;
  };
  const push = (line: string): void => {
    pending += line + '\n';
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const emit = (level: LogLevel, event: string, fields: LogFields | undefined): void => {
    if (RANK[level] < threshold) return;
    push(JSON.stringify({ ts: now(), level, event, ...fields }));
  };
  const audit = (fields: AuditFields): void => {
    if (RANK.info < threshold) return;
    // The same line emit() would write, built without copying the fields twice.
    const { member, session, method, tool, prompt, uri, outcome, ms, cid } = fields;
    push(
      JSON.stringify({
        ts: now(),
        level: 'info',
        event: 'audit',
        member,
        session,
        method,
        tool,
        prompt,
        uri,
        outcome,
        ms,
        cid,
      }),
    );
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    audit,
    enabled: (level) => RANK[level] >= threshold,
    flush,
  };
}
