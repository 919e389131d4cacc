// What a push starts from: the key's value and revision as etcd has them now, and the push record
// when it describes that value (same mod_revision: written in the same transaction).
import { createHash } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { etcdFailure } from '../sources/etcd-connect.js';
import type { FleetKeys } from './fleet-keys.js';
import { decodePushRecord, type PushRecord } from './push-record.js';

/**
 * The value stored under a config key.
 * @example const { revision, bytes } = published;
 */
export interface Published {
  readonly bytes: Uint8Array;
  /** The key's mod_revision (decimal). */
  readonly revision: string;
  readonly sha256: string;
  /** Who pushed it and when; undefined when it was not written by a hotrc push. */
  readonly push: PushRecord | undefined;
}

/**
 * sha256 of some bytes, in hex.
 * @example sha256Hex(Buffer.from('')) // 'e3b0c442…'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads the config key and its push record: `right(undefined)` when the key does not exist, a
 * Left (one line) when etcd cannot be asked.
 * @example const stored = await readPublished(client, fleetKeys('/hotrc/torrc'));
 */
export async function readPublished(
  client: Etcd3,
  keys: FleetKeys,
): Promise<E.Either<string, Published | undefined>> {
  try {
    const [value, push] = await Promise.all([
      client.get(keys.config).exec(),
      client.get(keys.lastPush).exec(),
    ]);
    const kv = value.kvs[0];
    if (kv === undefined) return E.right(undefined);
    const record = push.kvs[0];
    const decoded =
      record === undefined || record.mod_revision !== kv.mod_revision
        ? undefined
        : decodePushRecord(record.value.toString());
    return E.right({
      bytes: kv.value,
      revision: kv.mod_revision,
      sha256: sha256Hex(kv.value),
      push: decoded !== undefined && E.isRight(decoded) ? decoded.right : undefined,
    });
  } catch (err) {
    return E.left(etcdFailure(err));
  }
}
