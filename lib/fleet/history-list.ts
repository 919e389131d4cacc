// `hotrc history` as a function: the current value and every value a push replaced, newest
// first, each with who published it and when (when a hotrc push did).

import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { etcdFailure } from '../sources/etcd-connect.js';
import { checkFleetKey, fleetKeys } from './fleet-keys.js';
import { decodeHistoryEntry } from './history-entry.js';
import { readPublished } from './push-read.js';

/**
 * One version of the config: its revision, sha256, text, who published it and when (null: not
 * published by hotrc), and whether it is the one live now.
 * @example `${v.revision} ${v.sha256.slice(0, 12)} ${v.who ?? '-'}`
 */
export interface Version {
  readonly revision: string;
  readonly sha256: string;
  readonly text: string;
  readonly time: string | null;
  readonly who: string | null;
  readonly current: boolean;
}

/**
 * A key's versions, newest first (the current one first when the key exists), and the history
 * records that could not be read (another writer's, a newer hotrc's).
 * @example const [current, previous] = list.versions;
 */
export interface HistoryList {
  readonly key: string;
  /** The key's revision now; null when it does not exist (deleted: only history is left). */
  readonly current: string | null;
  readonly versions: ReadonlyArray<Version>;
  readonly unreadable: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

/**
 * Lists a key's versions; a Left (one line) when etcd cannot be asked. The key must pass
 * `checkFleetKey` (a TypeError otherwise).
 * @example const list = await listHistory(client, '/hotrc/torrc'); if (E.isRight(list)) list.right.versions
 */
export async function listHistory(
  client: Etcd3,
  key: string,
): Promise<E.Either<string, HistoryList>> {
  const checked = checkFleetKey(key);
  if (E.isLeft(checked)) throw new TypeError(checked.left);
  const keys = fleetKeys(key);
  const published = await readPublished(client, keys);
  if (E.isLeft(published)) return published;
  let kvs: ReadonlyArray<{ key: Buffer; value: Buffer }>;
  try {
    kvs = (await client.getAll().prefix(keys.historyPrefix).exec()).kvs;
  } catch (err) {
    return E.left(etcdFailure(err));
  }
  const versions: Version[] = [];
  const unreadable: { key: string; reason: string }[] = [];
  const now = published.right;
  if (now !== undefined) {
    versions.push({
      revision: now.revision,
      sha256: now.sha256,
      text: Buffer.from(now.bytes).toString('utf8'),
      time: now.push?.time ?? null,
      who: now.push?.who ?? null,
      current: true,
    });
  }
  const old: Version[] = [];
  for (const kv of kvs) {
    const entry = decodeHistoryEntry(kv.value.toString());
    if (E.isLeft(entry)) {
      unreadable.push({ key: kv.key.toString(), reason: entry.left });
      continue;
    }
    old.push({ ...entry.right, current: false });
  }
  old.sort((a, b) => compareRevisions(b.revision, a.revision));
  return E.right({
    key,
    current: now?.revision ?? null,
    versions: [...versions, ...old],
    unreadable,
  });
}

/**
 * Orders decimal revisions as numbers (they outgrow 2^53 only in theory; BigInt is exact).
 * @example ['10', '9'].sort(compareRevisions) // ['9', '10']
 */
export function compareRevisions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
