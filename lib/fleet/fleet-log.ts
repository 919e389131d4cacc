// The fixed log messages of a fleet host, beside the engine's (lib/engine/log.ts): what only a
// host on etcd has to say. Fields are given beside each.

/**
 * - `startedFromCache` (warn; path, revision, reason): etcd was of no use at start, the cache was
 * - `statusWriteFailed` (warn; key, err): the host's status could not be written; retrying
 * - `statusWritten` (debug; key, revision): the host's status was written
 * - `statusLeaseLost` (warn; key): the status lease expired (etcd away too long); re-granting
 * - `cacheWriteFailed` (error; file, err): the cache file could not be written
 * @example logger.warn({ path: key, reason }, fleetMessages.startedFromCache)
 */
export const fleetMessages = Object.freeze({
  startedFromCache: 'Configuration started from cache file, etcd unusable',
  statusWriteFailed: 'Host status write failed, retrying',
  statusWritten: 'Host status written',
  statusLeaseLost: 'Host status lease lost, granting a new one',
  cacheWriteFailed: 'Configuration cache file write failed',
} as const);
