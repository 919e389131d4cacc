// A history entry's JSON both ways: every entry comes back as it went, and anything else a
// history prefix may hold (another writer's JSON, garbage) is a Left, never a throw.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeHistoryEntry,
  encodeHistoryEntry,
  HistoryEntry,
} from '../../lib/fleet/history-entry.js';

const entry: fc.Arbitrary<HistoryEntry> = fc.record({
  text: fc.string({ unit: 'binary' }),
  revision: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String),
  sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
  time: fc.option(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    { nil: null },
  ),
  who: fc.option(fc.string(), { nil: null }),
});

describe('history entry JSON', () => {
  it('round-trips every entry, any text included (newlines, NUL, unicode)', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const back = decodeHistoryEntry(encodeHistoryEntry(e));
        return E.isRight(back) && JSON.stringify(back.right) === JSON.stringify(e);
      }),
    );
  });

  it('an entry not written by hotrc (time and who null) is one', () => {
    const e = { text: 'ConnLimit 1\n', revision: '41', sha256: 'ab', time: null, who: null };
    assert.deepEqual(decodeHistoryEntry(JSON.stringify(e)), E.right(e));
  });

  it('is a Left naming what is wrong: not JSON, or not an entry', () => {
    assert.ok(E.isLeft(decodeHistoryEntry('')));
    const notJson = decodeHistoryEntry('ConnLimit 1\n');
    assert.ok(E.isLeft(notJson) && notJson.left.startsWith('not JSON: '));
    const good = { text: 'x', revision: '1', sha256: 'ab', time: null, who: null };
    for (const foreign of [
      null,
      [],
      'ConnLimit 1',
      { ...good, text: undefined },
      { ...good, revision: 1 },
      { ...good, sha256: null },
      { ...good, time: 0 },
      { ...good, who: undefined },
      // a push record is not a history entry
      { id: 'x', who: 'ops', time: 't', sha256: 'ab' },
    ]) {
      assert.deepEqual(
        decodeHistoryEntry(JSON.stringify(foreign)),
        E.left('not a hotrc history entry'),
        JSON.stringify(foreign),
      );
    }
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = decodeHistoryEntry(text);
        return E.isLeft(r) || HistoryEntry.is(r.right);
      }),
    );
  });
});
