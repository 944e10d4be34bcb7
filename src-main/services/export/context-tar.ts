/**
 * Packs the runtime image's build context into a gzipped tar, the form `docker build -` reads from
 * stdin, so the docker-run export can carry the very context deploy builds from. Deterministic (sorted
 * entries, zero times, fixed owner), so the same context always gives the same bytes.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface Entry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  data?: Buffer;
  linkname?: string;
}

/** Tar (ustar with PAX headers for long names) of `entries` under `dir`, gzipped. */
export async function packContext(dir: string, entries: readonly string[]): Promise<Buffer> {
  const collected: Entry[] = [];
  for (const entry of [...entries].sort()) await collect(dir, entry, collected);
  const blocks: Buffer[] = [];
  for (const entry of collected) blocks.push(...tarEntry(entry));
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

async function collect(root: string, relative: string, out: Entry[]): Promise<void> {
  const full = path.join(root, relative);
  const info = await lstat(full);
  const name = relative.split(path.sep).join('/');
  if (info.isSymbolicLink()) {
    out.push({ name, type: 'symlink', mode: 0o777, linkname: await readlink(full) });
  } else if (info.isDirectory()) {
    out.push({ name: `${name}/`, type: 'dir', mode: 0o755 });
    for (const child of (await readdir(full)).sort()) await collect(root, path.join(relative, child), out);
  } else if (info.isFile()) {
    // Docker keeps the execute bit; the rest is normalised.
    const mode = (info.mode & 0o111) !== 0 ? 0o755 : 0o644;
    out.push({ name, type: 'file', mode, data: await readFile(full) });
  }
}

function tarEntry(entry: Entry): Buffer[] {
  const out: Buffer[] = [];
  const nameBytes = Buffer.byteLength(entry.name);
  const linkBytes = entry.linkname === undefined ? 0 : Buffer.byteLength(entry.linkname);
  if (nameBytes > 100 || linkBytes > 100) {
    const records: string[] = [pax('path', entry.name)];
    if (entry.linkname !== undefined) records.push(pax('linkpath', entry.linkname));
    const body = Buffer.from(records.join(''));
    out.push(
      header({
        name: Buffer.from('PaxHeader'),
        size: body.length,
        mode: 0o644,
        typeflag: 'x',
        linkname: Buffer.alloc(0),
      }),
    );
    out.push(padded(body));
  }
  const data = entry.data ?? Buffer.alloc(0);
  out.push(
    header({
      name: Buffer.from(entry.name).subarray(0, 100),
      size: entry.type === 'file' ? data.length : 0,
      mode: entry.mode,
      typeflag: entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2',
      linkname: Buffer.from(entry.linkname ?? '').subarray(0, 100),
    }),
  );
  if (entry.type === 'file' && data.length > 0) out.push(padded(data));
  return out;
}

/** One PAX record: "<length> <key>=<value>\n", where length counts the whole record. */
function pax(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
  return `${length}${body}`;
}

function header(h: { name: Buffer; size: number; mode: number; typeflag: string; linkname: Buffer }): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => block.write(text, offset, length, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0') + '\0';
  h.name.copy(block, 0);
  put(octal(h.mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(h.size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put(h.typeflag, 156, 1);
  h.linkname.copy(block, 157);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}
