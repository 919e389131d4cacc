// Who published the current value, and when: written under `KEY/push` in the same transaction
// as the value, so it describes the value exactly when its mod_revision is the value's (a value
// put by hand, with etcdctl, leaves an older record behind, which then describes nothing).
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/**
 * The record of one push (JSON under `KEY/push`): its id (read back when the transaction's answer
 * was lost), who pushed, when (ISO 8601), and the sha256 of the value pushed.
 * @example PushRecord.is({ id: 'b1c…', who: 'ops@admin-1', time: '2026-12-01T10:00:00.000Z', sha256: 'ab12…' })
 */
export const PushRecord = t.type({ id: t.string, who: t.string, time: t.string, sha256: t.string });
export type PushRecord = t.TypeOf<typeof PushRecord>;

/**
 * The record's JSON, as written to etcd.
 * @example client.put(keys.lastPush).value(encodePushRecord(record))
 */
export function encodePushRecord(record: PushRecord): string {
  return JSON.stringify(record);
}

/**
 * A record read back, checked: a Left says why it is not one.
 * @example decodePushRecord(kv.value.toString())
 */
export function decodePushRecord(text: string): E.Either<string, PushRecord> {
  return decodeJson(text, PushRecord, 'a hotrc push record');
}

/**
 * JSON text through a codec, as an Either of a one-line reason.
 * @example decodeJson('{"id":1}', PushRecord, 'a push record') // left('not a push record')
 */
export function decodeJson<A>(text: string, codec: t.Type<A>, what: string): E.Either<string, A> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return E.left(`not JSON: ${(err as Error).message}`);
  }
  return codec.is(parsed) ? E.right(parsed) : E.left(`not ${what}`);
}
