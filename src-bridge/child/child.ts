import { spawn, type ChildProcess } from 'node:child_process';
import { describeError } from '../errors';
import type { Logger } from '../ops/log';
import { BRIDGE_LANE, type ChildCharge, type ChildShareOptions, FairStdinQueue } from './stdin-queue';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  at: string;
  /** Set when the process could not be started at all (command not found, say). */
  error?: string;
}

export interface ChildSpec {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  /** Each member's share of the child while others use it too (stdin-queue.ts); the default otherwise. */
  share?: ChildShareOptions;
}

export interface ChildHandlers {
  onLine(line: string): void;
  onExit(info: ExitInfo): void;
}

// A child that writes this much without a newline is broken; holding more would only exhaust memory.
const MAX_LINE_CHARS = 64 * 1024 * 1024;
const MAX_STDERR_LINE = 2000;

/** One run of the stdio server: newline-delimited JSON on stdin/stdout, stderr into the log. */
export class ChildProcessHandle {
  private readonly proc: ChildProcess;
  private exited = false;
  private readonly exitWaiters: (() => void)[] = [];
  private readonly stdin: FairStdinQueue | undefined;

  constructor(
    spec: ChildSpec,
    handlers: ChildHandlers,
    private readonly log: Logger,
  ) {
    // detached: the server gets its own process group, so a stop reaches what npx or uvx started under it.
    this.proc = spawn(spec.command, [...spec.args], {
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const finish = (info: ExitInfo): void => {
      if (this.exited) return;
      this.exited = true;
      this.stdin?.discard();
      handlers.onExit(info);
      for (const waiter of this.exitWaiters.splice(0)) waiter();
    };
    this.proc.on('error', (err) => {
      finish({ code: null, signal: null, at: new Date().toISOString(), error: describeError(err) });
    });
    // 'close' comes once stdout is drained, so answers written just before the end still count; a
    // grandchild holding the pipes open must not delay it for long, hence the short timer after 'exit'.
    let exitInfo: ExitInfo | undefined;
    this.proc.on('exit', (code, signal) => {
      exitInfo = { code, signal, at: new Date().toISOString() };
      const info = exitInfo;
      setTimeout(() => finish(info), 200).unref();
      // Whatever the server started under it goes too, so a restart never runs beside a leftover.
      if (this.proc.pid !== undefined) {
        try {
          process.kill(-this.proc.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
    });
    this.proc.on('close', (code, signal) =>
      finish(exitInfo ?? { code, signal, at: new Date().toISOString() }),
    );
    this.proc.stdin?.on('error', (err) => log.debug('child_stdin_error', { error: describeError(err) }));
    this.stdin = this.proc.stdin ? new FairStdinQueue(this.proc.stdin, spec.share) : undefined;

    // The start of a line whose end has not arrived. Only each new chunk is searched for the end, so
    // a line of many megabytes (a large tool result) costs one pass, not one per chunk.
    let partial = '';
    this.proc.stdout?.setEncoding('utf8');
    this.proc.stdout?.on('data', (chunk: string) => {
      let start = 0;
      let newline = chunk.indexOf('\n');
      while (newline >= 0) {
        const line = partial + chunk.slice(start, newline);
        partial = '';
        start = newline + 1;
        if (line.trim() !== '') handlers.onLine(line);
        newline = chunk.indexOf('\n', start);
      }
      partial += start === 0 ? chunk : chunk.slice(start);
      if (partial.length > MAX_LINE_CHARS) {
        log.error('child_line_too_long', { chars: partial.length });
        partial = '';
        this.kill('SIGKILL');
      }
    });

    let errBuffer = '';
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (chunk: string) => {
      errBuffer += chunk;
      const lines = errBuffer.split('\n');
      errBuffer = lines.pop() ?? '';
      if (errBuffer.length > MAX_STDERR_LINE) {
        lines.push(errBuffer);
        errBuffer = '';
      }
      for (const line of lines) {
        const text = line.replace(/\r$/, '');
        if (text.trim() !== '') log.info('child_stderr', { line: text.slice(0, MAX_STDERR_LINE) });
      }
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /**
   * Writes one message, or queues it in its owner's lane while stdin is backed up; false when the
   * child is gone. Lines still queued when it exits go with it (their calls are answered as failed).
   */
  write(line: string, owner: string = BRIDGE_LANE, charge?: ChildCharge): boolean {
    if (this.exited || !this.stdin || !this.proc.stdin || this.proc.stdin.destroyed) return false;
    this.stdin.write(line, owner, charge);
    return true;
  }

  /** Characters of the owner's requests at the child and not yet answered. */
  unanswered(owner: string): number {
    return this.stdin?.unanswered(owner) ?? 0;
  }

  /** Characters of the owner's messages waiting for stdin. */
  queued(owner: string): number {
    return this.stdin?.queued(owner) ?? 0;
  }

  /** Signals the whole process group, falling back to the process when there is no group. */
  kill(signal: NodeJS.Signals): void {
    if (this.exited || this.proc.pid === undefined) return;
    try {
      process.kill(-this.proc.pid, signal);
    } catch {
      this.proc.kill(signal);
    }
  }

  waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Ends the process politely, then less so: close stdin, wait, SIGTERM, wait, SIGKILL. */
  async stop(graceMs: number): Promise<void> {
    this.proc.stdin?.end();
    if (await this.waitForExit(graceMs)) return;
    this.kill('SIGTERM');
    if (await this.waitForExit(graceMs)) return;
    this.kill('SIGKILL');
    await this.waitForExit(graceMs);
  }
}
