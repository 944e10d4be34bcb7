import type { Writable } from 'node:stream';

/** The lane of messages the bridge sends on its own account (initialize, subscriptions, cancellations). */
export const BRIDGE_LANE = '';

// A line this long goes out with its newline as a second piece of the same write (cork), rather than
// joined to it first: joining copies the whole line into a new string before it is encoded.
const LONG_LINE = 64 * 1024;

interface Lane {
  lines: string[];
  chars: number;
}

/**
 * Writes lines to the child's stdin one at a time, taking turns between owners (members, and the
 * bridge itself). A pipe takes only what the child reads: writing everything at once would queue it
 * in order of arrival, so one member's run of 4 MiB arguments would sit in front of another's small
 * call for as long as the child takes to read them all. Here a line is written only once the previous
 * one has drained, and the next line comes from the next owner with something waiting, so anyone's
 * message waits behind at most one message of each other owner.
 */
export class FairStdinQueue {
  /** Owners with lines waiting, in the order they get their turn (a served owner moves to the end). */
  private readonly lanes = new Map<string, Lane>();
  private blocked = false;
  private waitingChars = 0;

  constructor(private readonly out: Writable) {
    out.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
  }

  /** Queues one line (without its newline) for the owner; written at once when nothing waits. */
  write(line: string, owner: string): void {
    if (!this.blocked && this.waitingChars === 0) {
      this.blocked = !this.put(line);
      return;
    }
    let lane = this.lanes.get(owner);
    if (!lane) {
      lane = { lines: [], chars: 0 };
      this.lanes.set(owner, lane);
    }
    lane.lines.push(line);
    lane.chars += line.length;
    this.waitingChars += line.length;
  }

  /** Characters of the owner's lines waiting for their turn (0 when the pipe keeps up). */
  queued(owner: string): number {
    return this.lanes.get(owner)?.chars ?? 0;
  }

  private pump(): void {
    while (!this.blocked && this.waitingChars > 0) {
      const [owner, lane] = this.lanes.entries().next().value as [string, Lane];
      const line = lane.lines.shift() as string;
      lane.chars -= line.length;
      this.waitingChars -= line.length;
      // Round robin: the owner just served goes to the back of the line, or leaves it when done.
      this.lanes.delete(owner);
      if (lane.lines.length > 0) this.lanes.set(owner, lane);
      if (this.out.destroyed) return;
      this.blocked = !this.put(line);
    }
  }

  /** Writes one line and its newline; false when the pipe is full (wait for 'drain'). */
  private put(line: string): boolean {
    if (line.length < LONG_LINE) return this.out.write(line + '\n');
    this.out.cork();
    this.out.write(line);
    const room = this.out.write('\n');
    this.out.uncork();
    return room;
  }
}
