/**
 * The backup file `mcp-fleet store backup` writes: one line naming the format, one line of JSON with the
 * key settings the store had (store.json: scrypt parameters and salt, none of them secret) and a checksum,
 * then the store copy itself, still encrypted with the store's key. Carrying the settings makes the file
 * enough on its own: with the passphrase it was made under, it restores on a new machine or after a
 * passphrase change. A bare store file (what Store.backup writes) is read too, as a file without settings.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { FleetError } from '../../shared/errors';
import { fsyncDir } from './file-swap';
import { parseKdf, type KdfSettings } from './key-providers';

const MAGIC = 'MCP-FLEET-BACKUP ';
const FORMAT = 1;
/** The header is a few hundred bytes; anything longer is not one of ours. */
const MAX_HEADER = 16 * 1024;

export interface BackupHeader {
  /** The key settings the store had when the backup was made. */
  settings: KdfSettings;
  /** The store's schema version then. */
  schema: number;
  createdAt: string;
  /** Length and SHA-256 of the store part, to tell a truncated or damaged file from a wrong passphrase. */
  bytes: number;
  sha256: string;
}

export interface BackupFile {
  path: string;
  /** Null for a bare store file, which carries no settings: it needs the ones of the store it came from. */
  header: BackupHeader | null;
  /** Where the store part starts. */
  offset: number;
}

function damaged(path: string, why: string): FleetError {
  return new FleetError('invalid_input', `${path} is not a usable MCP Fleet backup: ${why}`);
}

/**
 * Writes `dest` (mode 0600) from the store copy at `storeCopy`, whole or not at all: a synced temp file
 * beside it is linked (or with `force` renamed) into place. Throws FleetError('conflict') when `dest`
 * exists and `force` is not set.
 */
export function writeBackupFile(
  storeCopy: string,
  meta: Omit<BackupHeader, 'bytes' | 'sha256'>,
  dest: string,
  force: boolean,
): void {
  const body = readFileSync(storeCopy);
  const header: BackupHeader = {
    ...meta,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.partial`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, `${MAGIC}${FORMAT}\n${JSON.stringify(header)}\n`);
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (force) renameSync(tmp, dest);
    else {
      try {
        // link() never replaces: a file that appeared at `dest` meanwhile is kept.
        linkSync(tmp, dest);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw exists(dest);
        throw err;
      }
    }
    fsyncDir(dirname(dest));
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function exists(dest: string): FleetError {
  return new FleetError(
    'conflict',
    `${dest} already exists; choose another file or pass --force to replace it`,
  );
}

function readUpTo(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads a backup's header. Throws FleetError: not_found, invalid_input for a damaged or unknown format. */
export function readBackupFile(path: string): BackupFile {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw damaged(path, 'it is not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof FleetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new FleetError(
      code === 'ENOENT' ? 'not_found' : 'invalid_input',
      `cannot read ${path} (${code ?? 'error'})`,
    );
  }
  if (size === 0) throw damaged(path, 'it is empty');
  const head = readUpTo(path, MAX_HEADER);
  if (!head.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) return { path, header: null, offset: 0 };
  const formatEnd = head.indexOf(0x0a);
  const headerEnd = formatEnd === -1 ? -1 : head.indexOf(0x0a, formatEnd + 1);
  if (headerEnd === -1) throw damaged(path, 'its header is cut short (a truncated file?)');
  const format = head.subarray(MAGIC.length, formatEnd).toString('latin1');
  if (format !== String(FORMAT)) {
    throw damaged(
      path,
      `it has format ${JSON.stringify(format.slice(0, 20))}, and this MCP Fleet reads format ${FORMAT}`,
    );
  }
  let raw: Partial<BackupHeader> & Record<string, unknown>;
  try {
    raw = JSON.parse(head.subarray(formatEnd + 1, headerEnd).toString('utf8')) as typeof raw;
  } catch {
    throw damaged(path, 'its header is not valid JSON');
  }
  const { schema, createdAt, bytes, sha256 } = raw;
  if (
    !Number.isInteger(schema) ||
    typeof createdAt !== 'string' ||
    !Number.isInteger(bytes) ||
    typeof sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(sha256)
  ) {
    throw damaged(path, 'its header lacks the schema, time, length or checksum');
  }
  const settings = parseKdf(JSON.stringify(raw.settings ?? null), path);
  const header: BackupHeader = {
    settings,
    schema: schema as number,
    createdAt,
    bytes: bytes as number,
    sha256,
  };
  const offset = headerEnd + 1;
  if (size - offset !== header.bytes) {
    throw damaged(
      path,
      `it should hold ${header.bytes} bytes of store after its header and holds ${size - offset} (a truncated or appended file)`,
    );
  }
  return { path, header, offset };
}

/** Writes the store part of `file` to `to` (mode 0600, new file) and checks it against the header's checksum. */
export function extractStore(file: BackupFile, to: string): void {
  const body = readFileSync(file.path).subarray(file.offset);
  if (file.header && createHash('sha256').update(body).digest('hex') !== file.header.sha256) {
    throw damaged(
      file.path,
      'its store part does not match the checksum in its header (the file is damaged)',
    );
  }
  const fd = openSync(to, 'wx', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
