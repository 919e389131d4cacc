// `hotrc status` as a function: each host's record under `KEY/status/`, where it stands against
// the key's current revision (a rejection is never in sync), and one verdict for a script.

import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { etcdFailure } from '../sources/etcd-connect.js';
import { checkFleetKey, fleetKeys } from './fleet-keys.js';
import { decodeHostReport, type HostReport, type Standing, standing } from './host-report.js';

/**
 * One host: its name (from its status key), where it stands, and its record.
 * @example `${h.name} ${h.standing} ${h.report.revision}`
 */
export interface HostStanding {
  readonly name: string;
  readonly standing: Standing;
  readonly report: HostReport;
}

/**
 * The fleet on one key: the key's current revision (null: the key does not exist), each host in
 * name order, the records that could not be read, and how many hosts stand where.
 * @example status.counts['in-sync'] === status.hosts.length
 */
export interface FleetStatus {
  readonly key: string;
  readonly revision: string | null;
  readonly hosts: ReadonlyArray<HostStanding>;
  readonly unreadable: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
  readonly counts: Readonly<Record<Standing, number>>;
}

/**
 * What the fleet's state means for someone waiting for it:
 * - `in-sync`: every host runs the current revision, nothing waits for a restart (and at least
 *   one host reports)
 * - `rejected`: some host refused the current revision: waiting will not help
 * - `waiting`: otherwise (a host is stale, waits for a restart, or no host reports yet; an
 *   unreadable record counts here, never as in sync)
 * @example if (fleetVerdict(status) === 'rejected') process.exit(1);
 */
export type FleetVerdict = 'in-sync' | 'rejected' | 'waiting';

/**
 * The verdict on a FleetStatus (see FleetVerdict).
 * @example fleetVerdict(status) // 'in-sync'
 */
export function fleetVerdict(status: FleetStatus): FleetVerdict {
  if (status.counts.rejected > 0) return 'rejected';
  const all = status.hosts.length + status.unreadable.length;
  return all > 0 && status.counts['in-sync'] === all && status.revision !== null
    ? 'in-sync'
    : 'waiting';
}

/**
 * Reads the key's revision and every host's record in one etcd transaction (one revision of the
 * store, so no record is compared with a revision it has not seen); a Left (one line) when etcd
 * cannot be asked. The key must pass `checkFleetKey` (a TypeError otherwise).
 * @example const s = await readFleetStatus(client, '/hotrc/torrc'); if (E.isRight(s)) fleetVerdict(s.right)
 */
export async function readFleetStatus(
  client: Etcd3,
  key: string,
): Promise<E.Either<string, FleetStatus>> {
  const checked = checkFleetKey(key);
  if (E.isLeft(checked)) throw new TypeError(checked.left);
  const keys = fleetKeys(key);
  let value: { mod_revision: string } | undefined;
  let records: ReadonlyArray<{ key: Buffer; value: Buffer }>;
  try {
    const answer = await client
      .if(keys.config, 'Create', '>', -1)
      .then(client.get(keys.config), client.getAll().prefix(keys.statusPrefix))
      .commit();
    value = answer.responses[0]?.response_range?.kvs[0];
    records = answer.responses[1]?.response_range?.kvs ?? [];
  } catch (err) {
    return E.left(etcdFailure(err));
  }
  const revision = value?.mod_revision ?? null;
  const counts: Record<Standing, number> = {
    'in-sync': 0,
    'restart-pending': 0,
    rejected: 0,
    stale: 0,
  };
  const hosts: HostStanding[] = [];
  const unreadable: { name: string; reason: string }[] = [];
  for (const kv of records) {
    const name = kv.key.toString().slice(keys.statusPrefix.length);
    const report = decodeHostReport(kv.value.toString());
    if (E.isLeft(report)) {
      unreadable.push({ name, reason: report.left });
      continue;
    }
    // An absent key has no revision a host could run: every host is stale.
    const where = revision === null ? 'stale' : standing(report.right, revision);
    counts[where]++;
    hosts.push({ name, standing: where, report: report.right });
  }
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return E.right({
    key,
    revision,
    hosts: hosts.sort(byName),
    unreadable: unreadable.sort(byName),
    counts,
  });
}
