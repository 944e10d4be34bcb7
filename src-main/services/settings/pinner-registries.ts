/**
 * The registries unpinned npx and uvx sources are resolved against: the npm-registry and pypi-index
 * settings (the fleet's, or their variables) when set, else what this machine's npm and uv use. So the
 * version pinned at add time is one the image build can fetch.
 */
import { registrySettingsFromEnv, type RegistrySettings } from '../registry/registry-settings';
import type { SettingsService } from './settings-service';

/** Throws FleetError('invalid_input') when an overriding variable or a stored value breaks its rule. */
export function pinnerRegistries(
  settings: Pick<SettingsService, 'effective'>,
  machine: () => RegistrySettings = () => registrySettingsFromEnv(),
): () => RegistrySettings {
  return () => {
    const own = machine();
    const s = settings.effective(null);
    return {
      ...own,
      npm: s['npm-registry'].value ?? own.npm,
      pypi: s['pypi-index'].value ?? own.pypi,
    };
  };
}
