import { FleetError } from '../../shared/errors';
import type { DockerHost } from '../docker/docker-host';

/**
 * An engine call that must answer: a request whose forwarded channel went quiet (a dropped connection
 * not yet noticed) would otherwise wait forever and hold the deploy with it.
 */
export async function bounded<T>(
  docker: DockerHost,
  call: Promise<T>,
  what: string,
  ms = 90_000,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new FleetError(
            'unavailable',
            `the Docker engine on ${docker.where.hostName} did not answer within ${ms / 1000} s (${what})`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}
