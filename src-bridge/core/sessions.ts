import type { Logger } from '../ops/log';
import type { Member } from '../access/members';
import type { Session } from './session';

export interface SessionRegistryLimits {
  maxSessions: number;
  /** A session with no request, no open stream and no call in flight for this long is ended. */
  idleMs: number;
  keepAliveMs: number;
}

/** All live sessions, with the housekeeping timer: keep-alive comments on streams and idle expiry. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly perMember = new Map<Member, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly limits: SessionRegistryLimits,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get full(): boolean {
    return this.sessions.size >= this.limits.maxSessions;
  }

  /** Live sessions the member owns, for its --member-sessions cap. */
  countOf(member: Member): number {
    return this.perMember.get(member) ?? 0;
  }

  add(session: Session): void {
    this.sessions.set(session.id, session);
    this.perMember.set(session.member, this.countOf(session.member) + 1);
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  delete(session: Session): void {
    if (!this.sessions.delete(session.id)) return;
    const left = this.countOf(session.member) - 1;
    if (left > 0) this.perMember.set(session.member, left);
    else this.perMember.delete(session.member);
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  startHousekeeping(expire: (session: Session) => void): void {
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const session of this.sessions.values()) {
        session.keepAlive();
        if (session.hasOpenStream || session.inflight.size > 0) session.lastActive = now;
        else if (now - session.lastActive > this.limits.idleMs) {
          this.log.info('session_expired', { session: session.id, member: session.member.name });
          expire(session);
        }
      }
    }, this.limits.keepAliveMs);
    this.timer.unref();
  }

  stopHousekeeping(): void {
    clearInterval(this.timer);
  }
}
