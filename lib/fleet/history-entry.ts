// One value a push replaced, kept under `KEY/history/REVISION` (the revision it had), written in
// the same transaction as the value that replaced it: the history is exactly the values that
// were live, and a rollback can publish any of them again.
import type * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeJson } from './push-record.js';

const Nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

// A revision as etcd gives it: a decimal int64 (an entry from elsewhere may hold anything).
const Revision = new t.Type<string, string, unknown>(
  'Revision',
  (u): u is string => typeof u === 'string' && /^[0-9]{1,19}$/.test(u),
  (u, c) =>
    typeof u === 'string' && /^[0-9]{1,19}$/.test(u)
      ? t.success(u)
      : t.failure(u, c, 'not a revision'),
  t.identity,
);

/**
 * A replaced value (JSON): its text, the revision it had, its sha256, and when and by whom it was
 * published (null when it was not published by hotrc, e.g. put with etcdctl).
 * @example HistoryEntry.is({ text: 'SocksPort 9050\n', revision: '41', sha256: 'ab12…', time: null, who: null })
 */
export const HistoryEntry = t.type({
  text: t.string,
  revision: Revision,
  sha256: t.string,
  time: Nullable(t.string),
  who: Nullable(t.string),
});
export type HistoryEntry = t.TypeOf<typeof HistoryEntry>;

/**
 * The entry's JSON, as written to etcd.
 * @example client.put(keys.history(entry.revision)).value(encodeHistoryEntry(entry))
 */
export function encodeHistoryEntry(entry: HistoryEntry): string {
  return JSON.stringify(entry);
}

/**
 * An entry read back, checked: a Left says why it is not one.
 * @example decodeHistoryEntry(kv.value.toString())
 */
export function decodeHistoryEntry(text: string): E.Either<string, HistoryEntry> {
  return decodeJson(text, HistoryEntry, 'a hotrc history entry');
}
