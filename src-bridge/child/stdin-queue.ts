import type { Writable } from 'node:stream';

/** The lane of messages the bridge sends on its own account (initialize, subscriptions, cancellations). */
export const BRIDGE_LANE = '';

// A line this long goes out with its newline as a second piece of the same write (cork), rather than
// joined to it first: joining copies the whole line into a new string before it is encoded.
const LONG_LINE = 64 * 1024;

/** How much of the child's attention each member may hold while another member is using it too. */
export interface ChildShareOptions {
  /** Characters of a member's requests at the child and not yet answered; one request may exceed it. */
  chars: number;
  /** Another member counts as present this long after its last message (so between its calls too). */
  presentMs: number;
  now?: () => number;
}

export const DEFAULT_CHILD_SHARE: ChildShareOptions = { chars: 1024 * 1024, presentMs: 1000 };

/**
 * A request's claim on the child: charged to its member when its line is written, released when
 * its call ends (answered, failed, cancelled, timed out, its session or the child gone). Released
 * before it was written, it is never charged.
 */
export class ChildCharge {
  private releaseFn: (() => void) | undefined;
  private released = false;

  /** The call has ended: a line not written yet is dropped rather than sent. */
  get ended(): boolean {
    return this.released;
  }

  /** Called by the queue as it writes the line; false when the call has ended already. */
  attach(release: () => void): boolean {
    if (this.released) return false;
    this.releaseFn = release;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const fn = this.releaseFn;
    this.releaseFn = undefined;
    fn?.();
  }
}

interface Line {
  text: string;
  charge: ChildCharge | undefined;
}

interface Lane {
  lines: Line[];
  chars: number;
}

/**
 * Writes lines to the child's stdin one at a time, taking turns between owners (members, and the
 * bridge itself). A pipe takes only what the child reads: writing everything at once would queue it
 * in order of arrival, so one member's run of 4 MiB arguments would sit in front of another's small
 * call for as long as the child takes to read them all. Here a line is written only once the previous
 * one has drained, and the next line comes from the next owner with something waiting, so anyone's
 * message waits behind at most one message of each other owner.
 *
 * Turns at the pipe are not enough: a single-threaded child reads ahead and answers in order, so the
 * requests a member already has at the child are ahead of everyone's next one. While another member
 * is present, a member whose unanswered requests at the child reach its share (ChildShareOptions)
 * waits in its lane until its own answers come back. Alone, it may use more: nobody waits for it.
 */
export class FairStdinQueue {
  /** Owners with lines waiting, in the order they get their turn (a served owner moves to the end). */
  private readonly lanes = new Map<string, Lane>();
  /** Characters of each member's requests written and not yet released. */
  private readonly atChild = new Map<string, number>();
  /** When each member last sent a line (only members: the bridge's own lane never holds anyone up). */
  private readonly lastSeen = new Map<string, number>();
  private readonly now: () => number;
  private blocked = false;
  private waitingChars = 0;
  private recheck: NodeJS.Timeout | undefined;
  private pumpSoon = false;
  private discarded = false;

  constructor(
    private readonly out: Writable,
    private readonly share: ChildShareOptions = DEFAULT_CHILD_SHARE,
  ) {
    this.now = share.now ?? Date.now;
    out.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
  }

  /**
   * Queues one line (without its newline) for the owner; written at once when nothing waits and the
   * owner is within its share. A request's line carries its charge, released when its call ends.
   */
  write(text: string, owner: string, charge?: ChildCharge): void {
    if (this.discarded) return;
    const line: Line = { text, charge };
    if (owner !== BRIDGE_LANE) this.lastSeen.set(owner, this.now());
    if (!this.blocked && this.waitingChars === 0 && !this.held(owner, line)) {
      this.blocked = !this.put(line, owner);
      return;
    }
    let lane = this.lanes.get(owner);
    if (!lane) {
      lane = { lines: [], chars: 0 };
      this.lanes.set(owner, lane);
    }
    lane.lines.push(line);
    lane.chars += text.length;
    this.waitingChars += text.length;
    // Not blocked means every lane waiting is held: this one may be the first that is not.
    if (!this.blocked) this.pump();
  }

  /** Characters of the owner's lines waiting for their turn (0 when the pipe keeps up). */
  queued(owner: string): number {
    return this.lanes.get(owner)?.chars ?? 0;
  }

  /** Characters of the owner's requests written to the child and not yet answered or ended. */
  unanswered(owner: string): number {
    return this.atChild.get(owner) ?? 0;
  }

  /** The child is gone: what waited goes with it (its calls are answered as failed), and nothing is held. */
  discard(): void {
    this.discarded = true;
    clearTimeout(this.recheck);
    this.lanes.clear();
    this.atChild.clear();
    this.lastSeen.clear();
    this.waitingChars = 0;
  }

  private pump(): void {
    if (this.discarded) return;
    clearTimeout(this.recheck);
    this.recheck = undefined;
    while (!this.blocked && this.waitingChars > 0) {
      const next = this.nextLine();
      if (next === undefined) {
        this.waitForPresenceToLapse();
        return;
      }
      const [owner, lane, index] = next;
      const [line] = lane.lines.splice(index, 1) as [Line];
      lane.chars -= line.text.length;
      this.waitingChars -= line.text.length;
      // Round robin: the owner just served goes to the back of the line, or leaves it when done.
      this.lanes.delete(owner);
      if (lane.lines.length > 0) this.lanes.set(owner, lane);
      if (this.out.destroyed) return;
      // A request whose call ended while it waited (cancelled, its session closed) is not sent.
      if (line.charge?.ended) continue;
      this.blocked = !this.put(line, owner);
    }
  }

  /**
   * The first owner in turn with a line that may go now, and which: its first, or when that request
   * is held, its first notification or response (a cancellation, or the answer to an elicitation the
   * member's call at the child is waiting for, must not wait behind the member's own held requests).
   */
  private nextLine(): [string, Lane, number] | undefined {
    for (const [owner, lane] of this.lanes) {
      const index = this.held(owner, lane.lines[0] as Line)
        ? lane.lines.findIndex((line) => line.charge === undefined)
        : 0;
      if (index >= 0) return [owner, lane, index];
    }
    return undefined;
  }

  /** A member's request waits while it has its share at the child and another member is present. */
  private held(owner: string, line: Line): boolean {
    if (owner === BRIDGE_LANE || line.charge === undefined || line.charge.ended) return false;
    const at = this.atChild.get(owner) ?? 0;
    if (at === 0 || at + line.text.length <= this.share.chars) return false;
    return this.othersPresent(owner);
  }

  private othersPresent(owner: string): boolean {
    const since = this.now() - this.share.presentMs;
    for (const [other, seen] of this.lastSeen) {
      if (other === owner) continue;
      if (seen > since || this.lanes.has(other) || (this.atChild.get(other) ?? 0) > 0) return true;
      // Gone quiet with nothing waiting or at the child: forgotten, so the map stays small.
      this.lastSeen.delete(other);
    }
    return false;
  }

  /**
   * Every waiting line is held: look again when the last member seen may have gone quiet. Holds that
   * rest on calls at the child end with their release, which pumps anyway.
   */
  private waitForPresenceToLapse(): void {
    let latest = 0;
    for (const seen of this.lastSeen.values()) latest = Math.max(latest, seen);
    const wait = latest + this.share.presentMs - this.now() + 1;
    if (wait <= 0) return;
    this.recheck = setTimeout(() => this.pump(), wait);
    this.recheck.unref();
  }

  /** Writes one line and its newline; false when the pipe is full (wait for 'drain'). */
  private put(line: Line, owner: string): boolean {
    const { text, charge } = line;
    if (owner !== BRIDGE_LANE && charge?.attach(() => this.release(owner, text.length)))
      this.atChild.set(owner, (this.atChild.get(owner) ?? 0) + text.length);
    if (text.length < LONG_LINE) return this.out.write(text + '\n');
    this.out.cork();
    this.out.write(text);
    const room = this.out.write('\n');
    this.out.uncork();
    return room;
  }

  private release(owner: string, chars: number): void {
    const left = (this.atChild.get(owner) ?? 0) - chars;
    if (left > 0) this.atChild.set(owner, left);
    else this.atChild.delete(owner);
    // After the current task: calls that end together (a session's, a sweep of timeouts) release
    // first, so a request whose call is ending among them is dropped rather than written.
    if (this.pumpSoon || this.discarded) return;
    this.pumpSoon = true;
    queueMicrotask(() => {
      this.pumpSoon = false;
      if (!this.blocked && this.waitingChars > 0) this.pump();
    });
  }
}
