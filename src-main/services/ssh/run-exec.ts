import type { Client, ClientChannel } from 'ssh2';
import { FleetError } from '../../shared/errors';

export interface ExecOptions {
  /** Sent to the command's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: string | Buffer;
  /** Kills the command and rejects after this long. */
  timeoutMs?: number;
  /** Keeps at most this many bytes of stdout and of stderr; the rest is read and dropped. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** The exit status, or null when the command died of a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr went past maxOutputBytes and was cut. */
  truncated: boolean;
}

interface Context {
  hostName: string;
  /** The program name only: arguments may carry values that do not belong in a message. */
  program: string;
  timeoutMs: number;
  maxOutputBytes: number;
}

class Capped {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs one command line on an open session. Throws FleetError('unavailable') on a timeout or a dropped connection. */
export function runExec(
  client: Client,
  command: string,
  opts: ExecOptions,
  ctx: Context,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) {
        reject(
          new FleetError(
            'unavailable',
            `could not start "${ctx.program}" on "${ctx.hostName}": ${err.message}`,
            {
              cause: err,
            },
          ),
        );
        return;
      }
      collect(stream, opts, ctx).then(resolve, reject);
    });
  });
}

function collect(stream: ClientChannel, opts: ExecOptions, ctx: Context): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const stdout = new Capped(ctx.maxOutputBytes);
    const stderr = new Capped(ctx.maxOutputBytes);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // Answer at the limit; the remote side is told to stop but not waited for.
      reject(
        new FleetError(
          'unavailable',
          `"${ctx.program}" on "${ctx.hostName}" did not finish within ${formatDuration(ctx.timeoutMs)} and was stopped`,
        ),
      );
      killRemote(stream);
    }, ctx.timeoutMs);
    stream.on('data', (chunk: Buffer) => stdout.push(chunk));
    stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    stream.on('error', () => {
      // Surfaced through 'close' without an exit status.
    });
    stream.once('close', (code: unknown, signal: unknown) => {
      clearTimeout(timer);
      if (timedOut) return;
      const exitCode = typeof code === 'number' ? code : null;
      const exitSignal = typeof signal === 'string' ? signal : null;
      if (exitCode === null && exitSignal === null) {
        reject(
          new FleetError(
            'unavailable',
            `the connection to "${ctx.hostName}" dropped while "${ctx.program}" ran; it may or may not have finished`,
          ),
        );
        return;
      }
      resolve({
        code: exitCode,
        signal: exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
      });
    });
    stream.end(opts.stdin);
  });
}

/**
 * Sends SIGKILL to the remote command, then closes the channel. ssh2's public signal() is a no-op once
 * stdin is closed (it checks the local write side), so the request goes out through the channel's
 * protocol handle while the channel is still open; OpenSSH honours "signal" requests since 7.9.
 */
function killRemote(stream: ClientChannel): void {
  const internals = stream as unknown as {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  };
  const id = internals.outgoing?.id;
  const protocol = internals._client?._protocol;
  try {
    const state = internals.outgoing?.state;
    if ((state === 'open' || state === 'eof') && id !== undefined && typeof protocol?.signal === 'function') {
      protocol.signal(id, 'KILL');
    } else {
      stream.signal('KILL');
    }
  } catch {
    // The channel may be closing already.
  }
  stream.close();
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
