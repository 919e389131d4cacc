import { deepFreeze } from '../../engine/freeze.js';
import { fieldNames, isReloadable, type TorConfig } from './tor-config.js';

/**
 * The reloadable fields of `fileConfig` over the rest of `current`: what a reload makes live.
 * @example mergeReloadable(current, fromFile).SocksPort === current.SocksPort // true
 */
export function mergeReloadable(current: TorConfig, fileConfig: TorConfig): TorConfig {
  return deepFreeze(
    Object.fromEntries(
      fieldNames.map((f) => [f, isReloadable(f) ? fileConfig[f] : current[f]]),
    ) as unknown as TorConfig,
  );
}
