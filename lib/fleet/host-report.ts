// What one watching host says about itself under `KEY/status/NAME`: which revision it runs,
// how its last attempt ended, and what a restart would still change. Built from the engine's
// status alone, so it holds nothing the status does not: no value, no secret; a rejection's
// reason is the engine's own, already redacted one.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ReloadStatus } from '../engine/reloadable-config.js';

const Nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/**
 * The record a host writes (JSON). `revision` is the etcd `mod_revision` of the config it runs;
 * `rejected` the last attempt that was refused, if the last attempt was one.
 * @example HostReport.is(JSON.parse(text))
 */
export const HostReport = t.type({
  name: t.string,
  /** The revision of the config running (null: not yet read from etcd). */
  revision: Nullable(t.string),
  /** sha256 of the value running. */
  sha256: Nullable(t.string),
  /** Where the running config came from: etcd, or the cache file while etcd was unreachable. */
  from: t.union([t.literal('etcd'), t.literal('cache')]),
  /** The last attempt, when it was refused: which revision, why (kind and one line). */
  rejected: Nullable(
    t.type({ revision: Nullable(t.string), kind: t.string, cause: t.string, reason: t.string }),
  ),
  /** Restart-only fields whose new value waits for a restart. */
  pendingRestart: t.array(t.string),
  /** Whether this host can reach etcd now (it writes this only when it can, so mostly true). */
  reachable: t.boolean,
  /** When this record last changed (ISO 8601). */
  at: t.string,
});
export type HostReport = t.TypeOf<typeof HostReport>;

/**
 * The record for a host from its reloadable config's status.
 * @example hostReport('web-1', rc.status(), { from: 'etcd', at: new Date() })
 */
export function hostReport(
  name: string,
  status: ReloadStatus,
  context: { readonly from: 'etcd' | 'cache'; readonly at: Date },
): HostReport {
  const error = status.lastError;
  // An unreachable source (or a missing key) refused no content: it is not a rejection of a
  // revision, and the host still runs what it ran.
  const refused = error !== undefined && error.version !== undefined;
  return {
    name,
    revision: status.version ?? null,
    sha256: status.sha256 ?? null,
    from: context.from,
    rejected: refused
      ? {
          revision: error.version ?? null,
          kind: error.kind,
          cause: error.cause,
          reason: error.reason,
        }
      : null,
    pendingRestart: status.pendingRestart.map((c) => c.field),
    reachable: status.source?.reachable ?? true,
    at: context.at.toISOString(),
  };
}

/**
 * The record's JSON, as written to etcd.
 * @example await client.put(keys.status(name)).value(encodeHostReport(report)).lease(lease)
 */
export function encodeHostReport(report: HostReport): string {
  return JSON.stringify(report);
}

/**
 * A record read back, checked: a Left says why it is not one (another writer, a newer hotrc).
 * @example decodeHostReport(kv.value.toString())
 */
export function decodeHostReport(text: string): E.Either<string, HostReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return E.left(`not JSON: ${(err as Error).message}`);
  }
  return HostReport.is(parsed) ? E.right(parsed) : E.left('not a hotrc host report');
}

/**
 * Where a host stands against the key's current revision:
 * - `in-sync`: it runs the current revision, nothing waits for a restart
 * - `restart-pending`: it runs the current revision, but some fields wait for a restart
 * - `rejected`: its last attempt refused the current revision (never counted as in sync)
 * - `stale`: it runs an older revision and has not refused the current one (yet)
 * @example standing(report, '42') // 'in-sync'
 */
export type Standing = 'in-sync' | 'restart-pending' | 'rejected' | 'stale';

/**
 * Compares a host's record with the key's current revision (see Standing).
 * @example standing(report, currentRevision)
 */
export function standing(report: HostReport, current: string): Standing {
  if (report.rejected !== null && report.rejected.revision === current) return 'rejected';
  if (report.revision !== current) return 'stale';
  return report.pendingRestart.length > 0 ? 'restart-pending' : 'in-sync';
}
