/**
 * Settings instead of hidden variables (issue 13): the fleet's own values and each host's overrides, and
 * the effective value of every key for a host. Precedence, strongest first: the key's environment
 * variable (an override for one process, as the variables always were), the host's override, the fleet's
 * value, the built-in default.
 */
import type { SettingView, SettingsListing, SettingsUnset } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import {
  SETTINGS,
  SETTING_KEYS,
  checkSetting,
  settingFromVariable,
  type SettingKey,
  type SettingSource,
} from '../../shared/fleet-settings';
import type { EventBus } from '../events';
import { FLEET_SCOPE } from '../store/settings-repository';
import type { Store } from '../store/store';
import type { HostRecord } from '../store/types';

export interface EffectiveSetting {
  /** null: nothing set anywhere and no built-in value (the tool's own configuration applies). */
  value: string | null;
  source: SettingSource;
}

export type EffectiveSettings = Record<SettingKey, EffectiveSetting>;

export interface SettingsScope {
  key?: SettingKey | undefined;
  /** A host's name: its overrides and effective values; absent for the fleet's own. */
  host?: string | undefined;
}

export class SettingsService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly actor: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /**
   * Each key (or the one asked for) with its effective value and where it comes from, for the fleet or
   * for one host. Throws FleetError: not_found for an unknown host, invalid_input when an overriding
   * variable holds a value its key refuses.
   */
  get(scope: SettingsScope = {}): SettingsListing {
    const host = scope.host === undefined ? null : this.host(scope.host);
    const keys = scope.key === undefined ? SETTING_KEYS : [scope.key];
    return { host: host?.name ?? null, settings: keys.map((key) => this.view(key, host)) };
  }

  /**
   * Stores a value for the fleet or one host after checking it. Throws FleetError: invalid_input for a
   * value the key refuses, not_found for an unknown host; nothing is saved then.
   */
  set(input: { key: SettingKey; value: string; host?: string | undefined }): SettingView {
    const checked = checkSetting(input.key, input.value);
    if (!checked.ok) throw new FleetError('invalid_input', checked.message);
    const host = input.host === undefined ? null : this.host(input.host);
    this.store.transaction(() => {
      this.store.settings.set(input.key, checked.value, host?.id ?? FLEET_SCOPE);
      this.store.audit.append({
        actor: this.actor,
        action: 'settings.set',
        target: host === null ? input.key : `${host.name}:${input.key}`,
        outcome: 'ok',
        detail: checked.value,
      });
    });
    this.events.emit('store:changed', { domain: 'hosts' });
    return this.view(input.key, host, false);
  }

  /** Removes the fleet's or a host's value, so the next weaker one applies. Throws FleetError('not_found') for an unknown host. */
  unset(input: { key: SettingKey; host?: string | undefined }): SettingsUnset {
    const host = input.host === undefined ? null : this.host(input.host);
    const removed = this.store.transaction(() => {
      const gone = this.store.settings.unset(input.key, host?.id ?? FLEET_SCOPE);
      if (gone) {
        this.store.audit.append({
          actor: this.actor,
          action: 'settings.unset',
          target: host === null ? input.key : `${host.name}:${input.key}`,
          outcome: 'ok',
          detail: '',
        });
      }
      return gone;
    });
    if (removed) this.events.emit('store:changed', { domain: 'hosts' });
    return { removed, setting: this.view(input.key, host, false) };
  }

  /**
   * Every key's effective value for a host (its id), or for the fleet when null. Throws
   * FleetError('invalid_input') when an overriding variable or a stored value breaks its key's rule.
   */
  effective(hostId: string | null): EffectiveSettings {
    const out = {} as EffectiveSettings;
    for (const key of SETTING_KEYS) out[key] = this.resolve(key, hostId);
    return out;
  }

  private resolve(key: SettingKey, hostId: string | null, strict = true): EffectiveSetting {
    const variable = settingFromVariable(key, this.env[SETTINGS[key].variable]);
    if (!variable.ok) {
      if (strict) throw new FleetError('invalid_input', variable.message);
    } else if (variable.value !== null) {
      return { value: variable.value, source: 'environment' };
    }
    const stored = (scope: string, source: SettingSource): EffectiveSetting | null => {
      const value = this.store.settings.get(key, scope);
      if (value === null) return null;
      const checked = checkSetting(key, value);
      if (!checked.ok) {
        throw new FleetError('invalid_input', `the stored ${checked.message}; set it again or unset it`);
      }
      return { value: checked.value, source };
    };
    return (
      (hostId === null ? null : stored(hostId, 'host')) ??
      stored(FLEET_SCOPE, 'fleet') ?? { value: SETTINGS[key].default, source: 'default' }
    );
  }

  /** strict: an invalid overriding variable throws (get); after a change it only shows as not applying. */
  private view(key: SettingKey, host: HostRecord | null, strict = true): SettingView {
    const def = SETTINGS[key];
    const effective = this.resolve(key, host?.id ?? null, strict);
    return {
      key,
      value: effective.value,
      source: effective.source,
      variable: def.variable,
      fleet: this.store.settings.get(key, FLEET_SCOPE),
      host: host === null ? null : this.store.settings.get(key, host.id),
      default: def.default,
      defaultText: def.defaultText,
      about: def.about,
    };
  }

  private host(name: string): HostRecord {
    const host = this.store.hosts.getByName(name);
    if (!host) throw new FleetError('not_found', `no host named "${name}"`);
    return host;
  }
}
