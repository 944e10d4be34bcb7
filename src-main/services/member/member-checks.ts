/**
 * The checks a member's input passes before anything is saved: its access lists (the bridge's own rule
 * in shared/members-file.ts), its limits and its own values. Each throws FleetError('invalid_input').
 */
import type { MemberLimits } from '../../shared/bridge-settings';
import { EnvKey, MemberLimits as MemberLimitsSchema } from '../../shared/contract';
import { FleetError, describeZodError } from '../../shared/errors';
import {
  ACCESS_KINDS,
  accessListProblem,
  describeAccess,
  normaliseAccess,
  type AccessKind,
} from '../../shared/members-file';
import type { ServerRecord } from '../store/types';

/** The shared rule (members-file.ts), so what is saved is what the bridge reads; ['*'] alone for all. */
export function checkAccess(kind: AccessKind, list: readonly string[]): string[] {
  const problem = accessListProblem(kind, list);
  if (problem !== null) throw new FleetError('invalid_input', problem);
  return normaliseAccess(list);
}

/**
 * "tools all; resources file:///docs/*; prompts none" for the lists given, for the audit log. A long
 * list is counted rather than copied: 512 URI patterns would make one entry a megabyte.
 */
export function accessDetail(access: Partial<Record<AccessKind, readonly string[]>>): string {
  return ACCESS_KINDS.flatMap((kind) => {
    const list = access[kind];
    if (list === undefined) return [];
    const text = describeAccess(list);
    return [`${kind} ${text.length <= 200 ? text : `${list.length} patterns`}`];
  }).join('; ');
}

/** The contract checks a call's limits already; this covers callers that reach the service directly. */
export function checkLimits(limits: MemberLimits): MemberLimits {
  const parsed = MemberLimitsSchema.safeParse(limits);
  if (!parsed.success) throw new FleetError('invalid_input', `limits: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export function checkEnv(
  server: ServerRecord,
  env: { key: string; value: string }[],
): { key: string; value: string; secret: boolean }[] {
  if (env.length > 0 && server.mode === 'shared') {
    throw new FleetError(
      'invalid_input',
      `server "${server.name}" is Shared: one instance serves every member, so a member's own values cannot be kept apart; use a Dedicated server`,
    );
  }
  const seen = new Set<string>();
  return env.map((e) => {
    if (!EnvKey.safeParse(e.key).success) {
      throw new FleetError('invalid_input', `${JSON.stringify(e.key)} is not an environment variable name`);
    }
    if (seen.has(e.key)) throw new FleetError('invalid_input', `${e.key} is given twice`);
    seen.add(e.key);
    return { key: e.key, value: e.value, secret: true };
  });
}
