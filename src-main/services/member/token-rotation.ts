/**
 * `secrets rotate`: new tokens for a server's members, in two steps so that no client is locked out.
 * First the new tokens are made and the instances redeployed accepting the new and the previous hash;
 * operators hand the new tokens out; then `--finish` redeploys accepting only the new ones.
 */
import { FleetError } from '../../shared/errors';
import type { DeployResult } from '../deploy/types';
import type { EventBus } from '../events';
import type { Store } from '../store/store';
import type { MemberRecord } from '../store/types';
import { newToken, type MemberService } from './member-service';

export interface RotateInput {
  server: string;
  /** One member; all of the server's members when absent. */
  member?: string | undefined;
  /** Stop accepting the previous tokens. */
  finish?: boolean | undefined;
}

export interface RotateResult {
  server: string;
  /** The new tokens, shown once (empty when finishing). */
  tokens: { member: string; token: string }[];
  /** Members whose previous token is no longer accepted (when finishing). */
  finished: string[];
  deploys: DeployResult[];
  /**
   * Why the deploy that applies the change failed; the change is saved regardless (a later deploy
   * applies it), and the tokens are returned here rather than lost in an error.
   */
  deployError: string | null;
}

export interface TokenRotationDeps {
  store: Store;
  events: EventBus;
  actor: string;
  members: MemberService;
}

export class TokenRotation {
  constructor(private readonly d: TokenRotationDeps) {}

  /**
   * Starts or finishes a rotation, then deploys the server where it runs. Throws FleetError: not_found,
   * conflict (a rotation is already under way, or none is to finish). A failed deploy does not throw:
   * see deployError.
   */
  async rotate(input: RotateInput, onProgress?: (line: string) => void): Promise<RotateResult> {
    const { store } = this.d;
    const server = this.d.members.server(input.server);
    const all = store.members.listByServer(server.id);
    const chosen = input.member === undefined ? all : all.filter((m) => m.name === input.member);
    if (input.member !== undefined && chosen.length === 0) {
      throw new FleetError('not_found', `server "${server.name}" has no member named "${input.member}"`);
    }
    if (chosen.length === 0) throw new FleetError('invalid_input', `server "${server.name}" has no members`);
    const pending = (m: MemberRecord): boolean =>
      (store.deployState.member(m.id)?.previousTokenSha256 ?? null) !== null;
    const result: RotateResult = {
      server: server.name,
      tokens: [],
      finished: [],
      deploys: [],
      deployError: null,
    };
    store.transaction(() => {
      if (input.finish === true) {
        const rotating = chosen.filter(pending);
        if (rotating.length === 0)
          throw new FleetError('conflict', `no rotation of "${server.name}" is under way`);
        for (const m of rotating) store.deployState.setMember(m.id, { previousTokenSha256: null });
        result.finished = rotating.map((m) => m.name);
      } else {
        const busy = chosen.filter(pending);
        if (busy.length > 0) {
          throw new FleetError(
            'conflict',
            `a rotation of ${busy.map((m) => m.name).join(', ')} is under way: finish it first with \`mcp-fleet secrets rotate ${server.name} --finish\``,
          );
        }
        for (const m of chosen) {
          const next = newToken();
          store.members.update(m.id, next);
          store.deployState.setMember(m.id, { previousTokenSha256: m.tokenSha256 });
          result.tokens.push({ member: m.name, token: next.token });
        }
      }
      store.audit.append({
        actor: this.d.actor,
        action: input.finish === true ? 'secrets.rotate-finish' : 'secrets.rotate',
        target: server.name,
        outcome: 'ok',
        detail: `members ${(input.finish === true ? result.finished : result.tokens.map((t) => t.member)).join(',')}`,
      });
    });
    this.d.events.emit('store:changed', { domain: 'members' });
    const { deploys, error } = await this.d.members.redeploy(server, onProgress);
    result.deploys = deploys;
    result.deployError = error;
    return result;
  }
}
