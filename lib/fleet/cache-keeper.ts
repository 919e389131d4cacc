// Keeps the cache file equal to the value the engine last loaded from etcd (applied, or found
// equal to the running config), so that a restart while etcd is away starts from it.
import type { Logger } from 'pino';
import { distinctUntilChanged, filter, type Observable, type Subscription } from 'rxjs';
import { moduleLogger } from '../engine/log.js';
import type { ReloadStatus } from '../engine/reloadable-config.js';
import type { EtcdSource } from '../sources/etcd-source.js';
import { type CachedValue, writeCacheFile } from './cache-file.js';
import { fleetMessages } from './fleet-log.js';

/**
 * A running cache keeper: stop() waits for the write in flight.
 * @example const keeper = keepCacheFile(rc.status$, source, file, logger); await keeper.stop();
 */
export interface CacheKeeper {
  stop(): Promise<void>;
  /** Resolves once every write asked for so far has ended (for specs and a clean stop). */
  settled(): Promise<void>;
}

/**
 * Writes `file` each time the status shows a new (version, sha256) pair, which only a load that
 * ended well sets (a rejected or vetoed value never reaches the cache). One write at a time; the
 * newest value wins; a failure is logged (error) and the next change tries again.
 * @example const keeper = keepCacheFile(rc.status$, source, '/var/lib/hotrc/torrc.cache', logger);
 */
export function keepCacheFile(
  status$: Observable<ReloadStatus>,
  source: EtcdSource,
  file: string,
  logger: Logger | undefined,
): CacheKeeper {
  const log = moduleLogger(logger);
  let wanted: CachedValue | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const loop = async () => {
    busy = true;
    try {
      while (wanted !== undefined) {
        const value = wanted;
        wanted = undefined;
        await writeCacheFile(file, value).catch((err: unknown) =>
          log.error({ file, err }, fleetMessages.cacheWriteFailed),
        );
      }
    } finally {
      busy = false;
    }
  };
  const subscription: Subscription = status$
    .pipe(
      filter((s) => s.version !== undefined && s.sha256 !== undefined),
      distinctUntilChanged((a, b) => a.version === b.version && a.sha256 === b.sha256),
    )
    .subscribe((s) => {
      const value = source.valueAt(s.version as string);
      // What the engine loaded is what the source served; a mismatch would be a bug, not a cache.
      if (value === undefined || value.sha256 !== s.sha256) return;
      wanted = {
        key: source.key,
        revision: s.version as string,
        sha256: value.sha256,
        bytes: value.bytes,
        savedAt: new Date().toISOString(),
      };
      if (!busy) running = loop();
    });
  return {
    settled: () => running,
    async stop() {
      subscription.unsubscribe();
      await running;
    },
  };
}
