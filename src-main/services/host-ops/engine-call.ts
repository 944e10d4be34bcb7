import { FleetError } from '../../shared/errors';
import type { DockerHost } from '../docker/docker-host';

/** The errors bounded() raised for a call that went unanswered (not for the call's own failures). */
const unansweredErrors = new WeakSet<Error>();

/** Whether err is bounded()'s "did not answer" rather than an answer from the engine. */
export function isUnanswered(err: unknown): boolean {
  return err instanceof Error && unansweredErrors.has(err);
}

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
    timer = setTimeout(() => {
      const err = new FleetError(
        'unavailable',
        `the Docker engine on ${docker.where.hostName} did not answer within ${ms / 1000} s (${what})`,
      );
      unansweredErrors.add(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}
