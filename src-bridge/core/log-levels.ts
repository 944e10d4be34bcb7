/** MCP logging levels (RFC 5424 severities), least severe first. */
export const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** What a session that never sent logging/setLevel receives. */
export const DEFAULT_SESSION_LEVEL: LogLevelName = 'info';

export function isLogLevelName(value: unknown): value is LogLevelName {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

export function severity(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}

/** True when a message of `messageLevel` should reach a session whose threshold is `sessionLevel`. */
export function wantsLevel(sessionLevel: LogLevelName | undefined, messageLevel: unknown): boolean {
  // A message with a level outside the spec is passed on rather than silently lost.
  if (!isLogLevelName(messageLevel)) return true;
  return severity(messageLevel) >= severity(sessionLevel ?? DEFAULT_SESSION_LEVEL);
}

/**
 * The level to ask the child for: the most verbose any session wants, so each session can then be
 * filtered down to its own. Undefined while no session has chosen one, which leaves the server's default.
 */
export function upstreamLevel(levels: Iterable<LogLevelName | undefined>): LogLevelName | undefined {
  let lowest: LogLevelName | undefined;
  let anyExplicit = false;
  for (const level of levels) {
    if (level !== undefined) anyExplicit = true;
    const effective = level ?? DEFAULT_SESSION_LEVEL;
    if (lowest === undefined || severity(effective) < severity(lowest)) lowest = effective;
  }
  return anyExplicit ? lowest : undefined;
}
