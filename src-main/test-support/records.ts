/** Records as the store returns them, for tests of code that only reads them. */
import { createHash, randomBytes } from 'node:crypto';
import { EMPTY_REACH } from '../shared/server-mounts';
import type { MemberRecord, ServerRecord } from '../services/store/types';

export function serverRecord(overrides: Partial<ServerRecord> = {}): ServerRecord {
  return {
    id: 'server-1',
    name: 'memory',
    sourceKind: 'npx',
    sourceValue: '@modelcontextprotocol/server-memory@2026.8.31',
    args: [],
    env: [],
    mode: 'shared',
    port: 18080,
    roots: [],
    bridgeLimits: {},
    reach: EMPTY_REACH,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function memberRecord(
  name: string,
  tools: string[] = ['*'],
  token = randomBytes(32).toString('base64url'),
): MemberRecord {
  return {
    id: `member-${name}`,
    serverId: 'server-1',
    name,
    token,
    tokenSha256: createHash('sha256').update(token).digest('hex'),
    tools,
    resources: ['*'],
    prompts: ['*'],
    limits: {},
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}
