// The push record's JSON both ways, and decodeJson, the one way fleet records are read back.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  decodeJson,
  decodePushRecord,
  encodePushRecord,
  PushRecord,
} from '../../lib/fleet/push-record.js';

const record: fc.Arbitrary<PushRecord> = fc.record({
  id: fc.uuid(),
  who: fc.string({ unit: 'binary' }),
  time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
});

describe('push record JSON', () => {
  it('round-trips every record', () => {
    fc.assert(
      fc.property(record, (r) => {
        const back = decodePushRecord(encodePushRecord(r));
        return E.isRight(back) && JSON.stringify(back.right) === JSON.stringify(r);
      }),
    );
  });

  it('refuses foreign JSON: a field missing or of another type, a history entry', () => {
    const good = { id: 'b1c', who: 'ops@admin-1', time: '2026-12-01T10:00:00.000Z', sha256: 'ab' };
    assert.deepEqual(decodePushRecord(JSON.stringify(good)), E.right(good));
    for (const foreign of [
      {},
      { ...good, id: 1 },
      { ...good, who: null },
      { ...good, time: undefined },
      { text: 'x', revision: '1', sha256: 'ab', time: null, who: null },
    ]) {
      assert.deepEqual(
        decodePushRecord(JSON.stringify(foreign)),
        E.left('not a hotrc push record'),
        JSON.stringify(foreign),
      );
    }
  });
});

describe('decodeJson', () => {
  const Pair = t.type({ a: t.number });

  it('parses, then checks with the codec; each failure is one line naming what was expected', () => {
    assert.deepEqual(decodeJson('{"a":1}', Pair, 'a pair'), E.right({ a: 1 }));
    assert.deepEqual(decodeJson('{"a":"1"}', Pair, 'a pair'), E.left('not a pair'));
    const notJson = decodeJson('{a:1}', Pair, 'a pair');
    assert.ok(E.isLeft(notJson));
    assert.match(notJson.left, /^not JSON: /);
    assert.doesNotMatch(notJson.left, /\n/);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const r = decodeJson(text, PushRecord, 'a push record');
        return E.isLeft(r) || PushRecord.is(r.right);
      }),
    );
  });
});
