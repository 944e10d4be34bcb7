import { FleetError } from '../../shared/errors';
import { localDockerEndpoint, startDockerAdvice } from '../platform-defaults';

/** Who is asking which engine: the words every Docker error sentence needs. */
export interface DockerWhere {
  /** The host's name, or "this machine". */
  hostName: string;
  /** The login that talks to the engine (the SSH user, or the local user). */
  login: string;
}

interface DockerModemError {
  statusCode?: number;
  reason?: string;
  code?: string;
  /** Where a failed connect aimed: a socket or pipe, or an IP address with `port` (Node's net errors). */
  address?: string;
  port?: number;
  message?: string;
  json?: { message?: string } | string | null;
}

/** The engine's own message from a docker-modem error, without the "(HTTP code 409) conflict -" prefix. */
export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as DockerModemError;
  if (e.json && typeof e.json === 'object' && typeof e.json.message === 'string')
    return e.json.message.trim();
  if (typeof e.json === 'string' && e.json.trim() !== '') return e.json.trim();
  const message = e.message ?? String(err);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as DockerModemError | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function permissionDenied(where: DockerWhere): FleetError {
  const on = where.hostName === 'this machine' ? 'this machine' : where.hostName;
  return new FleetError(
    'unauthorized',
    `the login ${where.login} on ${on} may not use Docker: add it to the docker group (then log in again)`,
  );
}

/** SSH hosts run Linux; "this machine" gets the advice for the OS the app runs on. */
const platformOf = (where: DockerWhere): NodeJS.Platform =>
  where.hostName === 'this machine' ? process.platform : 'linux';

function noEngine(where: DockerWhere, detail: string, platform: NodeJS.Platform): FleetError {
  return new FleetError(
    'unavailable',
    `no Docker engine answers on ${where.hostName} (${detail}): ${startDockerAdvice(platform)}`,
  );
}

/** No engine socket or pipe at `socket`. */
export function dockerMissing(
  where: DockerWhere,
  socket: string,
  platform: NodeJS.Platform = platformOf(where),
): FleetError {
  return noEngine(where, `${socket} is missing`, platform);
}

/** Where a failed connect aimed, else the endpoint this machine uses. */
function endpointOf(err: DockerModemError | null): string {
  if (typeof err?.address === 'string' && err.address !== '') {
    return typeof err.port === 'number' ? `${err.address}:${err.port}` : err.address;
  }
  const local = localDockerEndpoint();
  return local.kind === 'socket' ? local.path : local.host;
}

/**
 * Maps what dockerode raises to a FleetError with an operator sentence. `what` names the object of
 * the call ("container mcp-x", "image y:1") for not-found and conflict messages.
 */
export function mapDockerError(err: unknown, where: DockerWhere, what = 'the object'): FleetError {
  if (err instanceof FleetError) return err;
  const status = statusOf(err);
  const message = engineMessage(err);
  const code = (err as DockerModemError | null)?.code;
  if (code === 'EACCES' || /permission denied.*docker\.sock/i.test(message)) return permissionDenied(where);
  if (code === 'ENOENT') return dockerMissing(where, endpointOf(err as DockerModemError | null));
  if (code === 'ECONNREFUSED') {
    // The socket file is there (or a TCP port was named) but no engine holds it: stopped, or crashed.
    return noEngine(
      where,
      `nothing listens on ${endpointOf(err as DockerModemError | null)}`,
      platformOf(where),
    );
  }
  const port =
    /(?:Bind for [^:\s]*:(\d+) failed|listen tcp[46]? [^:\s]*:(\d+): bind: address already in use)/i.exec(
      message,
    );
  if (port) {
    return new FleetError(
      'conflict',
      `port ${port[1] ?? port[2]} is already in use on ${where.hostName}: pick another port or stop what holds it`,
      { cause: err },
    );
  }
  if (status === 404)
    return new FleetError('not_found', `${what} on ${where.hostName}: ${message}`, { cause: err });
  if (status === 409)
    return new FleetError('conflict', `${what} on ${where.hostName}: ${message}`, { cause: err });
  if (status === 400)
    return new FleetError('invalid_input', `Docker on ${where.hostName} refused: ${message}`, { cause: err });
  if (status !== undefined) {
    return new FleetError('unavailable', `Docker on ${where.hostName} failed (${status}): ${message}`, {
      cause: err,
    });
  }
  return new FleetError('unavailable', `the Docker engine on ${where.hostName} did not answer: ${message}`, {
    cause: err,
  });
}
