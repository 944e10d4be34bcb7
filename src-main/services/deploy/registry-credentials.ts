/**
 * The credential a push to a registry logs in with (`mcp-fleet images login`), kept in the encrypted
 * store beside the settings but never listed with them, keyed by the registry's host[:port] as Docker
 * keys its own. A Docker engine reached over its API never reads the host's `~/.docker/config.json`
 * (that file belongs to the docker CLI, and its credential helpers cannot be reached through the API),
 * so a push has to hand the engine the credential itself.
 */
import { FleetError } from '../../shared/errors';
import { checkSetting } from '../../shared/fleet-settings';
import type { Store } from '../store/store';

export interface RegistryCredential {
  username: string;
  password: string;
}

const MAX = 4096;

/** The registry part (host[:port]) of a push-registry value such as `registry.example:5000/team`. */
export function registryHost(registry: string): string {
  return registry.split('/')[0] ?? registry;
}

export class RegistryCredentials {
  constructor(
    private readonly store: Store,
    private readonly actor: string,
  ) {}

  /**
   * Stores the credential for a registry (its host[:port], or a push-registry value). Throws
   * FleetError('invalid_input') for a bad registry, user name or password; nothing is saved then.
   */
  set(registry: string, credential: RegistryCredential): { registry: string; username: string } {
    const host = this.registry(registry);
    const { username, password } = credential;
    if (username === '' || username.length > MAX || /[\p{Cc}:]/u.test(username)) {
      throw new FleetError(
        'invalid_input',
        'the user name must be non-empty, without a colon or control characters',
      );
    }
    if (password === '' || password.length > MAX || /[\r\n]/.test(password)) {
      throw new FleetError('invalid_input', 'the password must be one non-empty line');
    }
    this.store.transaction(() => {
      this.store.settings.setSecret(key(host), JSON.stringify({ username, password }));
      this.store.audit.append({
        actor: this.actor,
        action: 'images.login',
        target: host,
        outcome: 'ok',
        detail: `user ${username}`,
      });
    });
    return { registry: host, username };
  }

  /** Forgets a registry's credential; false when none was stored. Throws FleetError('invalid_input') for a bad registry. */
  remove(registry: string): boolean {
    const host = this.registry(registry);
    return this.store.transaction(() => {
      const gone = this.store.settings.unsetSecret(key(host));
      if (gone) {
        this.store.audit.append({
          actor: this.actor,
          action: 'images.logout',
          target: host,
          outcome: 'ok',
          detail: '',
        });
      }
      return gone;
    });
  }

  /** The credential for a registry (or a push-registry value), or null: the push goes without one. */
  get(registry: string): RegistryCredential | null {
    const raw = this.store.settings.getSecret(key(registryHost(registry)));
    if (raw === null) return null;
    try {
      const parsed = JSON.parse(raw) as Partial<RegistryCredential>;
      if (typeof parsed.username === 'string' && typeof parsed.password === 'string') {
        return { username: parsed.username, password: parsed.password };
      }
    } catch {
      // Falls through: said without quoting what was stored.
    }
    throw new FleetError(
      'invalid_input',
      `the stored credential for ${registryHost(registry)} is damaged: run \`mcp-fleet images login ${registryHost(registry)}\` again`,
    );
  }

  private registry(given: string): string {
    const checked = checkSetting('push-registry', given);
    if (!checked.ok)
      throw new FleetError('invalid_input', checked.message.replace(/^push-registry/, 'the registry'));
    return registryHost(checked.value);
  }
}

function key(host: string): string {
  return `registry-auth:${host}`;
}
