import type { Readable } from 'node:stream';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** One line without its newline; a last line without one is given as it is. */
  text: string;
}

const STREAMS: Record<number, LogLine['stream']> = { 1: 'stdout', 2: 'stderr' };

/**
 * Docker's multiplexed log format (containers without a TTY): frames of an 8-byte header — stream
 * (1 stdout, 2 stderr), three zero bytes, a big-endian length — and that many bytes. Yields lines per
 * stream, keeping a partial line of each until its newline (or the end) arrives.
 */
export async function* demuxLines(
  source: AsyncIterable<Buffer> | Buffer,
  tty: boolean,
): AsyncGenerator<LogLine> {
  const partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };
  let pending: Buffer = Buffer.alloc(0);
  const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(source) ? [source] : source;
  for await (const chunk of chunks) {
    if (tty) {
      yield* split('stdout', chunk.toString('utf8'), partial);
      continue;
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const stream = STREAMS[pending[0] ?? 0] ?? 'stdout';
      yield* split(stream, pending.subarray(8, 8 + size).toString('utf8'), partial);
      pending = pending.subarray(8 + size);
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (partial[stream] !== '') yield { stream, text: partial[stream] };
  }
}

/**
 * The same lines as demuxLines, of a whole log already read (a non-follow read), as one array: no
 * promise per line, which is most of what a long log costs to go through one line at a time.
 */
export function demuxBuffer(source: Buffer, tty: boolean): LogLine[] {
  const out: LogLine[] = [];
  const partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };
  const take = (stream: LogLine['stream'], text: string): void => {
    for (const line of split(stream, text, partial)) out.push(line);
  };
  if (tty) take('stdout', source.toString('utf8'));
  else {
    let at = 0;
    while (source.length - at >= 8) {
      const size = source.readUInt32BE(at + 4);
      if (source.length - at < 8 + size) break;
      take(STREAMS[source[at] ?? 0] ?? 'stdout', source.toString('utf8', at + 8, at + 8 + size));
      at += 8 + size;
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (partial[stream] !== '') out.push({ stream, text: partial[stream] });
  }
  return out;
}

function* split(
  stream: LogLine['stream'],
  text: string,
  partial: Record<LogLine['stream'], string>,
): Generator<LogLine> {
  const lines = (partial[stream] + text).split('\n');
  partial[stream] = lines.pop() ?? '';
  for (const line of lines) yield { stream, text: line.endsWith('\r') ? line.slice(0, -1) : line };
}

/** Ends the HTTP response behind a follow stream: the forwarded channel closes with it. */
export function destroyQuietly(stream: Readable | Buffer | undefined): void {
  if (stream && !Buffer.isBuffer(stream)) stream.destroy();
}
