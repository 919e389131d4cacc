// Everything a host of a fleet runs, wired: the start (etcd, or the cache file), the engine on
// the etcd source, the host's record under its lease, the cache file kept up to date.
import { hostname } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { map, type Subscription } from 'rxjs';
import { moduleLogger } from '../engine/log.js';
import type { Profile } from '../engine/profile.js';
import { type ReloadOptionsInput, resolveReloadOptions } from '../engine/reload-options.js';
import { Reloadable, type ReloadStatus } from '../engine/reloadable-config.js';
import type { EtcdConnection } from '../sources/etcd-connect.js';
import { type EtcdSource, etcdSource } from '../sources/etcd-source.js';
import { writeCacheFile } from './cache-file.js';
import { type CacheKeeper, keepCacheFile } from './cache-keeper.js';
import { checkFleetKey, checkHostName } from './fleet-keys.js';
import { fleetMessages } from './fleet-log.js';
import { type HostReport, hostReport } from './host-report.js';
import { HostReporter } from './host-reporter.js';
import { type FleetStart, loadFromEtcd } from './load-from-etcd.js';

/**
 * What joinFleet needs: where etcd is, the key, the profile; and optionally this host's name,
 * a cache file, the logger, how the source and the record behave, and any reload option.
 * @example const o: JoinFleetOptions<TorConfig> = { hosts: '127.0.0.1:2379', key: '/hotrc/torrc', profile: torProfile, cacheFile: '/var/lib/hotrc/torrc.cache' };
 */
export interface JoinFleetOptions<C>
  extends EtcdConnection,
    Omit<ReloadOptionsInput<C>, 'source' | 'profile'> {
  readonly key: string;
  readonly profile: Profile<C>;
  /** This host's name under `KEY/status/`. Default the hostname. */
  readonly name?: string;
  /** Keep the last value applied here, and start from it when etcd is of no use. Default none. */
  readonly cacheFile?: string;
  readonly logger?: Logger;
  /** The poll (ms): a look at the key this often besides the watch. Default 30000. */
  readonly intervalMs?: number;
  /** The etcd source's safety-net look (ms, jittered). Default 30000. */
  readonly resyncMs?: number;
  /** The watch's reconnection backoff (ms). Default 100 to 5000. */
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  /** The status record's lease (s). Default 5. */
  readonly leaseTtlSec?: number;
}

/**
 * A host in the fleet: its reloadable config (watching), where it started from, its record,
 * and one stop() for all of it.
 * @example const fleet = await joinFleet({ hosts, key, profile }); fleet.rc.get(); await fleet.stop();
 */
export interface FleetHost<C> {
  readonly rc: Reloadable<C>;
  readonly source: EtcdSource;
  readonly start: FleetStart<C>;
  readonly name: string;
  /** The record as it stands now (what is, or is about to be, under `KEY/status/NAME`). */
  report(): HostReport;
  /**
   * Stops the engine, then revokes the record's lease (the record goes at once) and waits for a
   * cache write in flight. Every etcd client and timer is released: the process can exit.
   */
  stop(): Promise<void>;
}

const fleetOnly = [
  'key',
  'profile',
  'name',
  'cacheFile',
  'logger',
  'intervalMs',
  'resyncMs',
  'backoffMinMs',
  'backoffMaxMs',
  'leaseTtlSec',
  'hosts',
  'tls',
  'auth',
  'callTimeoutMs',
] as const;

/**
 * Joins a fleet: loads the config from etcd (or, etcd being of no use, from the cache file,
 * logged as `Configuration started from cache file, etcd unusable`), runs the engine on the etcd
 * source with the same log lines as a file, writes this host's record under `KEY/status/NAME`
 * (bound to a lease, only when it changes) and keeps the cache file. Rejects with a
 * FleetStartError when there is nothing to start from, and a TypeError for bad options.
 * @example
 * const host = await joinFleet({ hosts: ['10.0.0.1:2379'], key: '/hotrc/app', profile: appProfile, cacheFile: '/var/lib/app/config.cache', logger });
 * host.rc.onReload((old, next) => pool.resize(next.pool.max));
 * process.on('SIGTERM', () => host.stop().then(() => process.exit(0)));
 */
export async function joinFleet<C>(options: JoinFleetOptions<C>): Promise<FleetHost<C>> {
  const key = checkFleetKey(options.key);
  if (E.isLeft(key)) throw new TypeError(key.left);
  const name = checkHostName(options.name ?? hostname());
  if (E.isLeft(name)) throw new TypeError(name.left);
  const reload = Object.fromEntries(
    Object.entries(options).filter(([k]) => !(fleetOnly as ReadonlyArray<string>).includes(k)),
  ) as Omit<ReloadOptionsInput<C>, 'source' | 'profile'>;
  const connection: EtcdConnection = {
    hosts: options.hosts,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
  };
  const optional = <K extends keyof JoinFleetOptions<C>>(k: K) =>
    options[k] === undefined ? {} : { [k]: options[k] };
  const source = etcdSource({
    ...connection,
    key: key.right,
    ...optional('maxBytes'),
    ...optional('resyncMs'),
    ...optional('backoffMinMs'),
    ...optional('backoffMaxMs'),
  });
  // Bad reload options are a TypeError now, before anything is read.
  resolveReloadOptions({ ...reload, profile: options.profile, source });
  const started = await loadFromEtcd({
    ...connection,
    key: key.right,
    profile: options.profile,
    cacheFile: options.cacheFile,
    maxBytes: options.maxBytes,
    strict: options.strict,
    base: options.base,
  });
  if (E.isLeft(started)) throw started.left;
  const start = started.right;
  const log = moduleLogger(options.logger);
  if (start.from === 'cache') {
    log.warn(
      { path: key.right, revision: start.revision, reason: start.reason },
      fleetMessages.startedFromCache,
    );
  } else if (options.cacheFile !== undefined) {
    await writeCacheFile(options.cacheFile, {
      key: key.right,
      revision: start.revision,
      sha256: start.sha256,
      bytes: start.bytes,
      savedAt: new Date().toISOString(),
    }).catch((err: unknown) =>
      log.error({ file: options.cacheFile, err }, fleetMessages.cacheWriteFailed),
    );
  }

  const rc = new Reloadable<C>(start.loaded.config, key.right, options.logger, {
    ...reload,
    profile: options.profile,
    source,
  });
  const reporter = new HostReporter({
    ...connection,
    key: key.right,
    name: name.right,
    ...(options.leaseTtlSec === undefined ? {} : { leaseTtlSec: options.leaseTtlSec }),
    logger: options.logger,
  });
  const recordOf = (status: ReloadStatus): HostReport =>
    hostReport(
      name.right,
      // Until the engine has read a version from etcd, it runs what it started from.
      status.version === undefined
        ? { ...status, version: start.revision, sha256: start.sha256 }
        : status,
      { from: status.version === undefined ? start.from : 'etcd', at: new Date() },
    );
  const reports: Subscription = rc.status$
    .pipe(map(recordOf))
    .subscribe((record) => reporter.report(record));
  const keeper: CacheKeeper | undefined =
    options.cacheFile === undefined
      ? undefined
      : keepCacheFile(rc.status$, source, options.cacheFile, options.logger);
  rc.startWatcher(options.intervalMs ?? 30_000);

  let stopping: Promise<void> | undefined;
  return {
    rc,
    source,
    start,
    name: name.right,
    report: () => recordOf(rc.status()),
    stop() {
      stopping ??= (async () => {
        await rc.stop();
        reports.unsubscribe();
        await Promise.all([reporter.stop(), keeper?.stop()]);
      })();
      return stopping;
    },
  };
}
