// The one write of a push on a real etcd: a compare-and-swap on the revision read, with the
// history entry and the push record in the same transaction, and what a lost race says.
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import {
  decodeHistoryEntry,
  encodeHistoryEntry,
  type HistoryEntry,
} from '../../lib/fleet/history-entry.js';
import { type Published, readPublished, sha256Hex } from '../../lib/fleet/push-read.js';
import { decodePushRecord, encodePushRecord } from '../../lib/fleet/push-record.js';
import {
  type PublishWrite,
  publishTransaction,
  transactionBytes,
} from '../../lib/fleet/push-transaction.js';
import { withSharedEtcdKey, withUnreachableEtcd } from '../support/etcd.js';

const recordOf = (id: string, text: string) => ({
  id,
  who: 'ops@admin',
  time: '2026-12-01T10:00:00.000Z',
  sha256: sha256Hex(Buffer.from(text)),
});
const historyOf = (base: Published): HistoryEntry => ({
  text: Buffer.from(base.bytes).toString('utf8'),
  revision: base.revision,
  sha256: base.sha256,
  time: null,
  who: null,
});

describe('transactionBytes', () => {
  it('counts every key and value the transaction puts, in bytes', () => {
    const keys = fleetKeys('/k');
    const record = recordOf('p', 'né\n');
    const history: HistoryEntry = {
      text: 'é',
      revision: '41',
      sha256: 'ab',
      time: null,
      who: null,
    };
    const bytes = Buffer.from('né\n');
    const base = { bytes: Buffer.from('é'), revision: '41', sha256: 'ab', push: undefined };
    const withHistory: PublishWrite = { bytes, base, history, record };
    assert.equal(
      transactionBytes(keys, withHistory),
      4 +
        '/k'.length +
        Buffer.byteLength(encodeHistoryEntry(history)) +
        '/k/history/00000000000000000041'.length +
        encodePushRecord(record).length +
        '/k/push'.length,
    );
    const first: PublishWrite = { bytes, base: undefined, history: undefined, record };
    assert.equal(transactionBytes(keys, first), 4 + 2 + encodePushRecord(record).length + 7);
  });
});

describe('publishTransaction (a real etcd)', function () {
  this.timeout(20_000);
  let client: Etcd3;
  let key: string;
  withSharedEtcdKey('push-transaction', (c, k) => {
    client = c;
    key = k;
  });
  const keys = () => fleetKeys(key);
  const read = async () => {
    const r = await readPublished(client, keys());
    assert.ok(E.isRight(r));
    return r.right;
  };
  const first = async (text: string) => {
    const r = await publishTransaction(client, keys(), {
      bytes: Buffer.from(text),
      base: undefined,
      history: undefined,
      record: recordOf('first', text),
    });
    assert.equal(r.kind, 'landed');
    return (await read()) as Published;
  };

  it('on an absent key: lands at one revision with its push record, and keeps no history', async () => {
    const r = await publishTransaction(client, keys(), {
      bytes: Buffer.from('ConnLimit 1\n'),
      base: undefined,
      history: undefined,
      record: recordOf('p-1', 'ConnLimit 1\n'),
    });
    const now = await read();
    assert.deepEqual(r, { kind: 'landed', revision: now?.revision, readBack: false });
    assert.equal(now?.push?.id, 'p-1');
    assert.deepEqual(await client.getAll().prefix(keys().historyPrefix).keys(), []);
  });

  it('over the revision read: the value, the replaced value in the history and the record, all at one revision', async () => {
    const base = await first('ConnLimit 1\n');
    const r = await publishTransaction(client, keys(), {
      bytes: Buffer.from('ConnLimit 2\n'),
      base,
      history: historyOf(base),
      record: recordOf('p-2', 'ConnLimit 2\n'),
    });
    assert.equal(r.kind, 'landed');
    const [value, history, push] = await Promise.all([
      client.get(key).exec(),
      client.get(keys().history(base.revision)).exec(),
      client.get(keys().lastPush).exec(),
    ]);
    const revisions = [
      value.kvs[0]?.mod_revision,
      history.kvs[0]?.mod_revision,
      push.kvs[0]?.mod_revision,
    ];
    const landed = r.kind === 'landed' ? r.revision : 'not landed';
    assert.deepEqual(revisions, [landed, landed, landed]);
    assert.equal(value.kvs[0]?.value.toString(), 'ConnLimit 2\n');
    assert.deepEqual(
      decodeHistoryEntry(history.kvs[0]?.value.toString() ?? ''),
      E.right(historyOf(base)),
    );
    assert.ok(E.isRight(decodePushRecord(push.kvs[0]?.value.toString() ?? '')));
  });

  it('a key that moved since it was read: conflict naming where it is, and nothing written', async () => {
    const base = await first('ConnLimit 1\n');
    await client.put(key).value('ConnLimit 3\n');
    const moved = await read();
    const r = await publishTransaction(client, keys(), {
      bytes: Buffer.from('ConnLimit 2\n'),
      base,
      history: historyOf(base),
      record: recordOf('p-2', 'ConnLimit 2\n'),
    });
    assert.deepEqual(r, { kind: 'conflict', current: moved?.revision });
    assert.equal((await read())?.revision, moved?.revision);
    assert.deepEqual(await client.getAll().prefix(keys().historyPrefix).keys(), []);
    const push = await client.get(keys().lastPush).string();
    assert.ok(E.isRight(decodePushRecord(push ?? '')) && JSON.parse(push ?? '').id === 'first');
  });

  it('a key created since it was read as absent: conflict at its revision', async () => {
    const theirs = await first('ConnLimit 1\n');
    const r = await publishTransaction(client, keys(), {
      bytes: Buffer.from('ConnLimit 2\n'),
      base: undefined,
      history: undefined,
      record: recordOf('p-2', 'ConnLimit 2\n'),
    });
    assert.deepEqual(r, { kind: 'conflict', current: theirs.revision });
  });

  it('a key deleted since it was read: conflict with current null', async () => {
    const base = await first('ConnLimit 1\n');
    await client.delete().key(key);
    const r = await publishTransaction(client, keys(), {
      bytes: Buffer.from('ConnLimit 2\n'),
      base,
      history: historyOf(base),
      record: recordOf('p-2', 'ConnLimit 2\n'),
    });
    assert.deepEqual(r, { kind: 'conflict', current: null });
    assert.equal(await client.get(key).string(), null);
  });

  it('etcd out of reach, and the read-back too: unreachable, saying the push may have landed', async () => {
    await withUnreachableEtcd(async (away) => {
      const r = await publishTransaction(away, keys(), {
        bytes: Buffer.from('ConnLimit 1\n'),
        base: undefined,
        history: undefined,
        record: recordOf('p-1', 'ConnLimit 1\n'),
      });
      assert.equal(r.kind, 'unreachable');
      assert.match(
        r.kind === 'unreachable' ? r.message : '',
        /read back failed too .*: the push may have landed, see hotrc history$/,
      );
    });
  });
});
