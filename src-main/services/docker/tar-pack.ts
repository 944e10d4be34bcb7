import { Readable } from 'node:stream';
import { FleetError } from '../../shared/errors';

export interface TarEntry {
  /** Path inside the archive, "/"-separated, relative ("Dockerfile", "app/server.js"). */
  name: string;
  data: string | Buffer;
  /** Unix permission bits; 0o644 by default. */
  mode?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  const cut = name.lastIndexOf('/', name.length - 2);
  const prefix = name.slice(0, cut);
  const rest = name.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(rest) > 100) {
    throw new FleetError(
      'invalid_input',
      `a file path in the build context is too long for a tar archive: ${name}`,
    );
  }
  return { name: rest, prefix };
}

function header(entry: TarEntry, size: number): Buffer {
  if (entry.name === '' || entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
    throw new FleetError(
      'invalid_input',
      `a build context path must be relative and stay inside: ${entry.name}`,
    );
  }
  const { name, prefix } = splitName(entry.name);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(entry.mode ?? 0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  // A fixed time keeps the archive (and the build cache key Docker derives from it) stable.
  block.write(octal(0, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/**
 * A tar archive of in-memory files as a stream, for an image build context sent as it is produced.
 * Throws FleetError('invalid_input') at once for a path that is absolute, climbs out, or is too long.
 */
export function packTar(entries: readonly TarEntry[]): Readable {
  const files = entries.map((entry) => {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    return { head: header(entry, data.length), data };
  });
  function* blocks(): Generator<Buffer> {
    for (const { head, data } of files) {
      yield head;
      yield data;
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad > 0) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(blocks(), { objectMode: false });
}
