// Builds the runtime image on a Docker engine (local socket, or a remote one reached over SSH) from
// a context made by runtimeImageContext. The tag names the content, so an existing tag is reused.
import type Dockerode from 'dockerode';
import { FleetError } from '../../shared/errors';
import type { RuntimeImageContext } from './runtime-image-context';

/** Label on every runtime image, so the app can find (and prune) the ones it built. */
export const RUNTIME_IMAGE_LABEL = 'org.mcp-fleet.runtime';

export interface BuildRuntimeImageOptions {
  /** Build even when the tag exists already. */
  force?: boolean;
  /** One line per build step or output line, for a progress view. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw new FleetError('unavailable', `the Docker engine did not answer: ${describe(err)}`, { cause: err });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Builds context.tag unless it exists; resolves to whether a build ran.
 * Throws FleetError('unavailable') when the engine cannot be reached or the build fails (with the
 * failing step's message, e.g. a base image the engine cannot pull).
 */
export async function buildRuntimeImage(
  docker: Dockerode,
  context: RuntimeImageContext,
  options: BuildRuntimeImageOptions = {},
): Promise<{ tag: string; built: boolean }> {
  if (options.force !== true && (await imageExists(docker, context.tag))) {
    return { tag: context.tag, built: false };
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      { context: context.dir, src: context.entries },
      {
        t: context.tag,
        buildargs: context.buildArgs,
        target: context.target,
        labels: { [RUNTIME_IMAGE_LABEL]: '1' },
        rm: true,
        forcerm: true,
        ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
      },
    );
  } catch (err) {
    throw new FleetError('unavailable', `could not start building ${context.tag}: ${describe(err)}`, {
      cause: err,
    });
  }
  const events = await new Promise<BuildEvent[]>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: BuildEvent[]) => (err ? reject(err) : resolve(output)),
      (event: BuildEvent) => {
        const line = (event.stream ?? event.status ?? '').trimEnd();
        if (line !== '') options.onProgress?.(line);
      },
    );
  }).catch((err: unknown) => {
    throw new FleetError('unavailable', `building ${context.tag} was cut off: ${describe(err)}`, {
      cause: err,
    });
  });
  const failure = events.find((event) => event.error !== undefined || event.errorDetail !== undefined);
  if (failure !== undefined) {
    const message = (failure.errorDetail?.message ?? failure.error ?? 'unknown error').trim();
    throw new FleetError('unavailable', `building ${context.tag} failed: ${message}`);
  }
  return { tag: context.tag, built: true };
}
