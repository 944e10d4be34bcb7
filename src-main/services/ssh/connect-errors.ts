import { FleetError } from '../../shared/errors';

interface Where {
  name: string;
  address: string;
  port: number;
  username: string;
  readyTimeoutMs: number;
  auth?: { kind: string };
}

export function endpointOf(where: { address: string; port: number }): string {
  return `${where.address}:${where.port}`;
}

const SOCKET_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is sshd running on that port?)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  EHOSTDOWN: 'the host is down',
  ENOTFOUND: 'the name does not resolve',
  EAI_AGAIN: 'the name could not be resolved right now',
  EPIPE: 'the connection was closed',
};

/** Turns what ssh2 raises while connecting into a FleetError with a sentence naming the host and the cause. */
export function describeConnectError(err: unknown, where: Where): FleetError {
  if (err instanceof FleetError) return err;
  const e = (err ?? {}) as { level?: string; code?: string; message?: string };
  const message = e.message ?? String(err);
  const unreachable = (cause: string): FleetError =>
    new FleetError('unavailable', `cannot reach host "${where.name}" (${endpointOf(where)}): ${cause}`, {
      cause: err,
    });
  if (e.level === 'client-authentication') {
    const how =
      where.auth?.kind === 'agent'
        ? 'the SSH agent offered no key the server accepts'
        : 'wrong password or key';
    return new FleetError(
      'unauthorized',
      `login refused for ${where.username}@${endpointOf(where)}: ${how}`,
      {
        cause: err,
      },
    );
  }
  if (e.level === 'agent') {
    return new FleetError('unavailable', `the SSH agent could not be used for "${where.name}": ${message}`, {
      cause: err,
    });
  }
  if (e.level === 'client-timeout') {
    return /keepalive/i.test(message)
      ? unreachable('it stopped answering (keepalive timeout)')
      : unreachable(`no SSH login within ${Math.round(where.readyTimeoutMs / 1000)} s`);
  }
  if (e.code !== undefined && SOCKET_CAUSES[e.code] !== undefined) return unreachable(SOCKET_CAUSES[e.code]!);
  if (e.level === 'client-socket' || e.level === 'client-dns') return unreachable(message);
  if (e.level === 'handshake' || e.level === 'protocol')
    return unreachable(`SSH handshake failed: ${message}`);
  return unreachable(message);
}
