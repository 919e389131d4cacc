// listHistory on a real etcd: the current value first, then every replaced one newest first by
// number (not by text), who published each, and what it cannot read; compareRevisions as numbers.
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { encodeHistoryEntry, type HistoryEntry } from '../../lib/fleet/history-entry.js';
import { compareRevisions, listHistory } from '../../lib/fleet/history-list.js';
import { sha256Hex } from '../../lib/fleet/push-read.js';
import { encodePushRecord } from '../../lib/fleet/push-record.js';
import { withSharedEtcdKey, withUnreachableEtcd } from '../support/etcd.js';

const entry = (revision: string, text: string, who: string | null = null): HistoryEntry => ({
  text,
  revision,
  sha256: sha256Hex(Buffer.from(text)),
  time: who === null ? null : '2026-12-01T10:00:00.000Z',
  who,
});

describe('compareRevisions', () => {
  it('orders decimal revisions as numbers, exactly beyond 2^53', () => {
    assert.deepEqual(['10', '9', '100', '1'].sort(compareRevisions), ['1', '9', '10', '100']);
    assert.equal(compareRevisions('9007199254740993', '9007199254740992'), 1);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        (a, b) => {
          return compareRevisions(String(a), String(b)) === (a < b ? -1 : a > b ? 1 : 0);
        },
      ),
    );
  });
});

describe('listHistory (a real etcd)', function () {
  this.timeout(20_000);
  let client: Etcd3;
  let key: string;
  withSharedEtcdKey('history-list', (c, k) => {
    client = c;
    key = k;
  });
  const keys = () => fleetKeys(key);
  const list = async () => {
    const l = await listHistory(client, key);
    assert.ok(E.isRight(l), E.isLeft(l) ? l.left : '');
    return l.right;
  };

  it('nothing at all: no current, no versions', async () => {
    assert.deepEqual(await list(), { key, current: null, versions: [], unreadable: [] });
  });

  it('the current value first, with who and when from its push record, then the history newest first by number', async () => {
    for (const [rev, text] of [
      ['9', 'ConnLimit 9\n'],
      ['10', 'ConnLimit 10\n'],
      ['100', 'ConnLimit 100\n'],
    ] as const) {
      await client
        .put(keys().history(rev))
        .value(encodeHistoryEntry(entry(rev, text, rev === '10' ? 'ops' : null)));
    }
    const record = { id: 'p', who: 'ops@admin', time: '2026-12-01T11:00:00.000Z', sha256: 'x' };
    const answer = await client
      .if(key, 'Create', '==', 0)
      .then(
        client.put(key).value('ConnLimit 1000\n'),
        client.put(keys().lastPush).value(encodePushRecord(record)),
      )
      .commit();
    const l = await list();
    assert.equal(l.current, answer.header.revision);
    assert.deepEqual(
      l.versions.map((v) => [v.revision, v.current, v.who, v.text]),
      [
        [answer.header.revision, true, 'ops@admin', 'ConnLimit 1000\n'],
        ['100', false, null, 'ConnLimit 100\n'],
        ['10', false, 'ops', 'ConnLimit 10\n'],
        ['9', false, null, 'ConnLimit 9\n'],
      ],
    );
    assert.equal(l.versions[0]?.time, record.time);
    assert.equal(l.versions[0]?.sha256, sha256Hex(Buffer.from('ConnLimit 1000\n')));
  });

  it('a current value put by hand has no who or time', async () => {
    await client.put(key).value('ConnLimit 1\n');
    const [v] = (await list()).versions;
    assert.deepEqual([v?.who, v?.time, v?.current], [null, null, true]);
  });

  it('a deleted key: current null, its history still listed', async () => {
    await client.put(keys().history('5')).value(encodeHistoryEntry(entry('5', 'ConnLimit 5\n')));
    const l = await list();
    assert.equal(l.current, null);
    assert.deepEqual(
      l.versions.map((v) => [v.revision, v.current]),
      [['5', false]],
    );
  });

  it('records under the history prefix that are not entries are listed as unreadable by key', async () => {
    await client.put(keys().history('5')).value(encodeHistoryEntry(entry('5', 'ConnLimit 5\n')));
    await client.put(keys().history('6')).value('{"text":1}');
    const l = await list();
    assert.deepEqual(l.unreadable, [
      { key: keys().history('6'), reason: 'not a hotrc history entry' },
    ]);
    assert.equal(l.versions.length, 1);
  });

  it('a bad key is a TypeError; etcd out of reach is a Left of one line', async () => {
    await assert.rejects(listHistory(client, ''), TypeError);
    await withUnreachableEtcd(async (away) => {
      const l = await listHistory(away, key);
      assert.ok(E.isLeft(l));
      assert.doesNotMatch(l.left, /\n/);
    });
  });
});

describe('listHistory on a history entry whose revision is not a number', function () {
  this.timeout(20_000);
  let client: Etcd3;
  let key: string;
  withSharedEtcdKey('history-list-bad-revision', (c, k) => {
    client = c;
    key = k;
  });

  it('lists it as unreadable (or at least does not reject): BigInt("abc") must not escape', async () => {
    const keys = fleetKeys(key);
    await client.put(keys.history('5')).value(encodeHistoryEntry(entry('5', 'ConnLimit 5\n')));
    // Passes the codec (revision is any string) but is no decimal revision.
    await client.put(keys.history('6')).value(encodeHistoryEntry(entry('abc', 'ConnLimit 6\n')));
    const l = await listHistory(client, key);
    assert.ok(E.isRight(l));
  });
});
