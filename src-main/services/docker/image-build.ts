import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { FleetError } from '../../shared/errors';
import { mapDockerError } from './docker-errors';
import type { DockerWhere } from './docker-errors';

/** A build context: a tar stream sent as it is read, or files under a directory packed on the way. */
export type BuildContext = { tar: Readable } | { dir: string; files: string[] };

export interface BuildProgress {
  /** "step" for a Dockerfile step, "output" for what a step prints, "status" for pulls and the like. */
  kind: 'step' | 'output' | 'status';
  text: string;
}

export interface ImageBuildOptions {
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  dockerfile?: string;
  noCache?: boolean;
  onProgress?: (progress: BuildProgress) => void;
  signal?: AbortSignal;
}

interface BuildEvent {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Builds an image on the engine with the context streamed to it; progress goes to onProgress as it
 * arrives. Resolves to the image id. Throws FleetError('unavailable') with the build's own error line
 * (a failing RUN, a base image that cannot be pulled), or the mapped engine error.
 */
export async function buildImage(
  docker: Dockerode,
  where: DockerWhere,
  context: BuildContext,
  options: ImageBuildOptions,
): Promise<{ tag: string; imageId: string | null }> {
  const buildOptions: Record<string, unknown> = { t: options.tag, rm: true, forcerm: true };
  if (options.buildArgs) buildOptions.buildargs = options.buildArgs;
  if (options.labels) buildOptions.labels = options.labels;
  if (options.target !== undefined) buildOptions.target = options.target;
  if (options.dockerfile !== undefined) buildOptions.dockerfile = options.dockerfile;
  if (options.noCache === true) buildOptions.nocache = true;
  if (options.signal) buildOptions.abortSignal = options.signal;
  const source = 'tar' in context ? context.tar : { context: context.dir, src: context.files };
  let response: NodeJS.ReadableStream;
  try {
    response = await docker.buildImage(source, buildOptions as Dockerode.ImageBuildOptions);
  } catch (err) {
    throw mapDockerError(err, where, `the build of ${options.tag}`);
  }
  // Filled from inside the line handler; an object, so the checks below see the handler's writes.
  const outcome: { imageId: string | null; failure: string | null } = { imageId: null, failure: null };
  let rest = '';
  const handle = (line: string): void => {
    if (line.trim() === '') return;
    let event: BuildEvent;
    try {
      event = JSON.parse(line) as BuildEvent;
    } catch {
      return;
    }
    if (event.error !== undefined || event.errorDetail?.message !== undefined) {
      outcome.failure ??= (event.errorDetail?.message ?? event.error ?? '').trim();
      return;
    }
    if (event.aux?.ID) outcome.imageId = event.aux.ID;
    const text = (
      event.stream ?? [event.id, event.status, event.progress].filter(Boolean).join(' ')
    ).trimEnd();
    if (text === '' || !options.onProgress) return;
    const kind = event.stream === undefined ? 'status' : /^Step \d+\/\d+ :/.test(text) ? 'step' : 'output';
    options.onProgress({ kind, text });
  };
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(handle);
    }
    handle(rest);
  } catch (err) {
    if (options.signal?.aborted)
      throw new FleetError('unavailable', `the build of ${options.tag} was cancelled`);
    throw mapDockerError(err, where, `the build of ${options.tag}`);
  }
  if (outcome.failure !== null) {
    throw new FleetError(
      'unavailable',
      `the image build of ${options.tag} on ${where.hostName} failed: ${outcome.failure}`,
    );
  }
  return { tag: options.tag, imageId: outcome.imageId };
}
