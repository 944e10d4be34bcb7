/**
 * The instance files (env file, members file) on the host that runs the instance: written over SSH
 * with every argument quoted (the content travels on stdin, never on a command line), or on this
 * machine's disk for a local host. Folder 0700, files 0600, each replaced atomically (written beside,
 * then renamed), so a cut-off write never leaves half a file for a container to read.
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FleetError } from '../../shared/errors';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';

export interface FileToWrite {
  hostPath: string;
  content: string;
}

/** Suffix of a file moved aside while its replacement is tried. */
export const ASIDE = '.previous';

export interface HostFiles {
  /** Writes the files into `dir` (created 0700), each 0600. */
  write(dir: string, files: readonly FileToWrite[]): Promise<void>;
  /** Renames each existing file to `<file>.previous` (a failed replacement puts them back). */
  moveAside(paths: readonly string[]): Promise<void>;
  /** Renames `<file>.previous` back over each file, where one exists. */
  restore(paths: readonly string[]): Promise<void>;
  /** Deletes `<file>.previous` of each file. */
  discardAside(paths: readonly string[]): Promise<void>;
  /** Deletes the folder and everything in it; nothing when it is missing. */
  removeDir(dir: string): Promise<void>;
  /**
   * Writes a file that holds no secret and that the container user must read through a mount of its
   * folder (the approved set): folder 0755, file 0644, replaced atomically by a rename in the folder.
   */
  writePublic(dir: string, file: FileToWrite): Promise<void>;
}

// $1 the folder, $2 the file; the content arrives on stdin.
const WRITE =
  'umask 077 && mkdir -p -- "$1" && chmod 700 -- "$1" && cat > "$2.tmp" && mv -f -- "$2.tmp" "$2"';
// $1 the folder, $2 the file; the content arrives on stdin.
const WRITE_PUBLIC =
  'mkdir -p -- "$1" && chmod 755 -- "$1" && cat > "$2.tmp" && chmod 644 -- "$2.tmp" && mv -f -- "$2.tmp" "$2"';
const ASIDE_SH = `for f; do if [ -e "$f" ]; then mv -f -- "$f" "$f${ASIDE}"; fi; done`;
const RESTORE_SH = `for f; do if [ -e "$f${ASIDE}" ]; then mv -f -- "$f${ASIDE}" "$f"; fi; done`;
const DISCARD_SH = `for f; do rm -f -- "$f${ASIDE}"; done`;

/** Files on an SSH host, through the held session. Every method throws FleetError. */
export class SshHostFiles implements HostFiles {
  constructor(
    private readonly ssh: SshSessionRegistry,
    private readonly hostId: string,
    private readonly hostName: string,
  ) {}

  async write(dir: string, files: readonly FileToWrite[]): Promise<void> {
    // One channel per file, in parallel over the one session.
    await Promise.all(
      files.map(async (file) => {
        if (path.posix.dirname(file.hostPath) !== dir) {
          throw new FleetError('internal', `${file.hostPath} is not inside ${dir}`);
        }
        await this.run(['sh', '-c', WRITE, 'sh', dir, file.hostPath], `write ${file.hostPath}`, file.content);
      }),
    );
  }

  async writePublic(dir: string, file: FileToWrite): Promise<void> {
    if (path.posix.dirname(file.hostPath) !== dir) {
      throw new FleetError('internal', `${file.hostPath} is not inside ${dir}`);
    }
    await this.run(
      ['sh', '-c', WRITE_PUBLIC, 'sh', dir, file.hostPath],
      `write ${file.hostPath}`,
      file.content,
    );
  }

  async moveAside(paths: readonly string[]): Promise<void> {
    await this.run(['sh', '-c', ASIDE_SH, 'sh', ...paths], 'move the previous files aside');
  }

  async restore(paths: readonly string[]): Promise<void> {
    await this.run(['sh', '-c', RESTORE_SH, 'sh', ...paths], 'restore the previous files');
  }

  async discardAside(paths: readonly string[]): Promise<void> {
    await this.run(['sh', '-c', DISCARD_SH, 'sh', ...paths], 'delete the previous files');
  }

  async removeDir(dir: string): Promise<void> {
    await this.run(['rm', '-rf', '--', dir], `delete ${dir}`);
  }

  private async run(argv: string[], what: string, stdin?: string): Promise<void> {
    const result = await this.ssh.exec(this.hostId, argv, {
      timeoutMs: 30_000,
      ...(stdin === undefined ? {} : { stdin }),
    });
    if (result.code !== 0) {
      const why = result.stderr.trim().split('\n').slice(-1)[0] ?? '';
      throw new FleetError(
        'unavailable',
        `could not ${what} on "${this.hostName}"${why === '' ? '' : `: ${why}`}`,
      );
    }
  }
}

/** Files on this machine (the local host). */
export class LocalHostFiles implements HostFiles {
  async write(dir: string, files: readonly FileToWrite[]): Promise<void> {
    await this.fs(`write into ${dir}`, async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const file of files) {
        const tmp = `${file.hostPath}.tmp`;
        await rm(tmp, { force: true });
        await writeFile(tmp, file.content, { mode: 0o600 });
        await rename(tmp, file.hostPath);
      }
    });
  }

  async writePublic(dir: string, file: FileToWrite): Promise<void> {
    await this.fs(`write into ${dir}`, async () => {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await chmod(dir, 0o755);
      const tmp = `${file.hostPath}.tmp`;
      await rm(tmp, { force: true });
      await writeFile(tmp, file.content, { mode: 0o644 });
      await chmod(tmp, 0o644);
      await rename(tmp, file.hostPath);
    });
  }

  async moveAside(paths: readonly string[]): Promise<void> {
    await this.fs('move the previous files aside', async () => {
      for (const p of paths) await rename(p, p + ASIDE).catch(ignoreMissing);
    });
  }

  async restore(paths: readonly string[]): Promise<void> {
    await this.fs('restore the previous files', async () => {
      for (const p of paths) await rename(p + ASIDE, p).catch(ignoreMissing);
    });
  }

  async discardAside(paths: readonly string[]): Promise<void> {
    await this.fs('delete the previous files', async () => {
      for (const p of paths) await rm(p + ASIDE, { force: true });
    });
  }

  async removeDir(dir: string): Promise<void> {
    await this.fs(`delete ${dir}`, () => rm(dir, { recursive: true, force: true }));
  }

  private async fs(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new FleetError('unavailable', `could not ${what} on this machine (${code})`, { cause: err });
    }
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
