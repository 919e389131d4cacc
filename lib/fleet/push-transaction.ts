// The one write of a push: a compare-and-swap on the revision the push read, which in the same
// transaction keeps the value it replaces in the history and records the push. etcd3 retries a
// call on its own (FLEET.md: three times), so a transaction that landed can still come back as
// an error: the push record's id is read back before anything is called lost.

import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { etcdFailure } from '../sources/etcd-connect.js';
import type { FleetKeys } from './fleet-keys.js';
import { encodeHistoryEntry, type HistoryEntry } from './history-entry.js';
import type { Published } from './push-read.js';
import { decodePushRecord, encodePushRecord, type PushRecord } from './push-record.js';

/**
 * How the transaction ended:
 * - `landed`: the value is live at `revision`
 * - `conflict`: the key was no longer at the revision read; `current` is where it is now (null:
 *   it does not exist)
 * - `unreachable`: etcd did not answer, and the read-back could not tell whether it landed, or
 *   told that it did not
 * @example if (r.kind === 'conflict') console.log(`now at ${r.current}`);
 */
export type TransactionResult =
  | { readonly kind: 'landed'; readonly revision: string; readonly readBack: boolean }
  | { readonly kind: 'conflict'; readonly current: string | null }
  | { readonly kind: 'unreachable'; readonly message: string };

/**
 * What one push writes: the new value, over `base` (what was read; undefined: the key was
 * absent), the history entry of `base`, and the push record.
 * @example await publishTransaction(client, keys, { bytes, base, history, record })
 */
export interface PublishWrite {
  readonly bytes: Uint8Array;
  readonly base: Published | undefined;
  readonly history: HistoryEntry | undefined;
  readonly record: PushRecord;
}

/**
 * The bytes of the transaction's puts (values and keys), to hold it under etcd's request limit.
 * @example if (transactionBytes(keys, write) > maxRequestBytes) refuse();
 */
export function transactionBytes(keys: FleetKeys, write: PublishWrite): number {
  const history =
    write.history === undefined
      ? 0
      : Buffer.byteLength(encodeHistoryEntry(write.history)) +
        Buffer.byteLength(keys.history(write.history.revision));
  return (
    write.bytes.length +
    Buffer.byteLength(keys.config) +
    history +
    Buffer.byteLength(encodePushRecord(write.record)) +
    Buffer.byteLength(keys.lastPush)
  );
}

/**
 * Writes the value if the key is still at the revision read (`Create == 0` when it was absent),
 * with the history entry and the push record in the same transaction. Never rejects.
 * @example const r = await publishTransaction(client, fleetKeys('/hotrc/torrc'), write);
 */
export async function publishTransaction(
  client: Etcd3,
  keys: FleetKeys,
  write: PublishWrite,
): Promise<TransactionResult> {
  const { bytes, base, history, record } = write;
  const compare =
    base === undefined
      ? client.if(keys.config, 'Create', '==', 0)
      : client.if(keys.config, 'Mod', '==', base.revision);
  const puts = [
    client.put(keys.config).value(Buffer.from(bytes)),
    ...(history === undefined
      ? []
      : [client.put(keys.history(history.revision)).value(encodeHistoryEntry(history))]),
    client.put(keys.lastPush).value(encodePushRecord(record)),
  ];
  try {
    const answer = await compare
      .then(...puts)
      .else(client.get(keys.config))
      .commit();
    if (answer.succeeded)
      return { kind: 'landed', revision: answer.header.revision, readBack: false };
    const kv = answer.responses[0]?.response_range?.kvs[0];
    return { kind: 'conflict', current: kv?.mod_revision ?? null };
  } catch (err) {
    return readBack(client, keys, write, etcdFailure(err));
  }
}

// The answer was an error, which does not mean the transaction did not land: ask etcd.
async function readBack(
  client: Etcd3,
  keys: FleetKeys,
  write: PublishWrite,
  failure: string,
): Promise<TransactionResult> {
  try {
    const [push, value] = await Promise.all([
      client.get(keys.lastPush).exec(),
      client.get(keys.config).exec(),
    ]);
    const record = push.kvs[0];
    const decoded = record === undefined ? undefined : decodePushRecord(record.value.toString());
    if (decoded !== undefined && E.isRight(decoded) && decoded.right.id === write.record.id) {
      return { kind: 'landed', revision: record?.mod_revision ?? '', readBack: true };
    }
    const current = value.kvs[0]?.mod_revision ?? null;
    // The key moved on from what this push read: the push cannot land any more.
    if (current !== (write.base?.revision ?? null)) return { kind: 'conflict', current };
    return {
      kind: 'unreachable',
      message: `${failure} (read back: the push did not land; the key is still at ${current ?? 'no revision'})`,
    };
  } catch (err) {
    return {
      kind: 'unreachable',
      message: `${failure}; read back failed too (${etcdFailure(err)}): the push may have landed, see hotrc history`,
    };
  }
}
