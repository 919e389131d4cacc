import type { Logger } from 'pino';
import type { Profile } from './engine/profile.js';
import { Reloadable, type ReloadOptions } from './engine/reloadable-config.js';
import type { ReloadCallback as EngineReloadCallback } from './engine/transaction.js';
import type { ConfigChange as EngineConfigChange, Loaded as EngineLoaded } from './engine/types.js';
import type { TorConfig } from './tor/schema/tor-config.js';
import { torProfile } from './tor/tor-profile.js';

/**
 * What `new ReloadableConfig` takes: any part of ReloadOptions. For a TorConfig the profile may
 * be left out (hotrc's Tor profile is used); for any other config it must be given.
 * @example const o: ReloadableConfigOptions<AppConfig> = { profile: appProfile };
 */
export type ReloadableConfigOptions<C> = [C] extends [TorConfig]
  ? Partial<ReloadOptions<C>>
  : Partial<ReloadOptions<C>> & { readonly profile: Profile<C> };

/**
 * The design document's `ReloadableConfig`: the engine (`Reloadable`) with hotrc's Tor profile
 * as its default, so `new ReloadableConfig(cfg, '/etc/tor/torrc', logger)` watches a torrc, and
 * `new ReloadableConfig(cfg, 'app.yaml', logger, { profile: appProfile })` any other config.
 * @example
 * const rc = new ReloadableConfig(await loadFromFile(path), path, logger);
 * rc.onReload((old, next) => pool.resize(next.CircuitPoolMinSize, next.CircuitPoolMaxSize));
 * rc.startWatcher(30_000);
 * // ... later
 * await rc.stop();
 */
export class ReloadableConfig<C = TorConfig> extends Reloadable<C> {
  /**
   * @param initial the config running now (usually `await loadFromFile(path)`, or
   *   `await loadConfig(path, profile)`); checked against the profile, frozen.
   * @param path the file to watch; a relative path may not contain `..`.
   * @param logger a pino logger; hotrc logs through `logger.child({ module: 'hotrc' })`.
   * @param options any of ReloadOptions; a bad option throws a TypeError here.
   */
  constructor(initial: C, path: string, logger?: Logger, options?: ReloadableConfigOptions<C>) {
    const given = options as Partial<ReloadOptions<C>> | undefined;
    super(initial, path, logger, {
      ...given,
      profile: given?.profile ?? (torProfile as unknown as Profile<C>),
    });
  }
}

// The engine's generic types, with TorConfig as the default type, as the package names them.
/** A committed change (see `changes$`); `ConfigChange<AppConfig>` for another profile. */
export type ConfigChange<C = TorConfig> = EngineConfigChange<C>;
/** A reload callback (see `onReload`); `ReloadCallback<AppConfig>` for another profile. */
export type ReloadCallback<C = TorConfig> = EngineReloadCallback<C>;
/** A loaded config and what reading it showed; `Loaded<AppConfig>` for another profile. */
export type Loaded<C = TorConfig> = EngineLoaded<C>;
