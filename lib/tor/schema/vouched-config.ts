// Configs hotrc's Tor decoder built and validated itself, remembered by identity so they are
// never checked again. A config is vouched for only once it is deep-frozen, so what was checked
// is what stays: a vouched config cannot change. `TorConfig.is` and `TorConfig.decode` take one
// as it is, so `new ReloadableConfig(await loadFromFile(path), ...)` (which checks its initial
// config with the codec), the engine's check of each decoded config, and a `base` laid under
// every reload cost nothing for a config of any size, instead of a second parse of every bridge
// line and router set entry. A WeakSet: it holds no config alive.
import { isDeepFrozen } from '../../engine/freeze.js';

const vouched = new WeakSet<object>();

/**
 * Remembers `config` as one the Tor codec accepts. Only for a deep-frozen config whose every
 * value was read by its field's codec or taken from a config the codec accepts (decodeTorrc's
 * result); one not frozen all the way down is a programmer error.
 * @example vouchForConfig(deepFreeze(config)); isVouchedConfig(config) // true
 */
export function vouchForConfig<C extends object>(config: C): C {
  if (!isDeepFrozen(config)) {
    throw new TypeError('vouchForConfig: the config is not frozen all the way down');
  }
  vouched.add(config);
  return config;
}

/**
 * Whether `u` is a config vouchForConfig remembered.
 * @example isVouchedConfig(defaultConfig()) // false: a copy nobody decoded
 */
export function isVouchedConfig(u: unknown): boolean {
  return typeof u === 'object' && u !== null && vouched.has(u);
}
