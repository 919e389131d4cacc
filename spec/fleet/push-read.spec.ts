// What a push starts from, read from a real etcd: the value at its mod_revision, and the push
// record only when it was written with that very value.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { readPublished, sha256Hex } from '../../lib/fleet/push-read.js';
import { encodePushRecord } from '../../lib/fleet/push-record.js';
import { withSharedEtcdKey, withUnreachableEtcd } from '../support/etcd.js';

const record = { id: 'p-1', who: 'ops@admin', time: '2026-12-01T10:00:00.000Z', sha256: 'ab' };

describe('sha256Hex', () => {
  it('is the hex sha256 of the bytes', () => {
    assert.equal(
      sha256Hex(Buffer.from('')),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        return sha256Hex(bytes) === createHash('sha256').update(bytes).digest('hex');
      }),
    );
  });
});

describe('readPublished (a real etcd)', function () {
  this.timeout(20_000);
  let client: Etcd3;
  let key: string;
  withSharedEtcdKey('push-read', (c, k) => {
    client = c;
    key = k;
  });
  const keys = () => fleetKeys(key);
  const modRevision = async () => (await client.get(key).exec()).kvs[0]?.mod_revision;

  it('an absent key is right(undefined)', async () => {
    assert.deepEqual(await readPublished(client, keys()), E.right(undefined));
  });

  it('a value put by hand: its bytes, mod_revision and sha256, and no push record', async () => {
    const bytes = Buffer.from([0x43, 0x00, 0xff, 0x0a]);
    await client.put(key).value(bytes);
    const r = await readPublished(client, keys());
    assert.ok(E.isRight(r) && r.right !== undefined);
    assert.deepEqual(Buffer.from(r.right.bytes), bytes);
    assert.equal(r.right.revision, await modRevision());
    assert.equal(r.right.sha256, sha256Hex(bytes));
    assert.equal(r.right.push, undefined);
  });

  it('a push record written in the same transaction as the value describes it', async () => {
    await client
      .if(key, 'Create', '==', 0)
      .then(
        client.put(key).value('ConnLimit 1\n'),
        client.put(keys().lastPush).value(encodePushRecord(record)),
      )
      .commit();
    const r = await readPublished(client, keys());
    assert.ok(E.isRight(r) && r.right !== undefined);
    assert.deepEqual(r.right.push, record);
  });

  it('a push record older than the value (the value put by hand since) describes nothing', async () => {
    await client
      .if(key, 'Create', '==', 0)
      .then(
        client.put(key).value('ConnLimit 1\n'),
        client.put(keys().lastPush).value(encodePushRecord(record)),
      )
      .commit();
    await client.put(key).value('ConnLimit 2\n');
    const r = await readPublished(client, keys());
    assert.ok(E.isRight(r) && r.right !== undefined);
    assert.equal(r.right.push, undefined);
    assert.equal(Buffer.from(r.right.bytes).toString(), 'ConnLimit 2\n');
  });

  it('a push record of the same revision that does not decode is left out, not an error', async () => {
    await client
      .if(key, 'Create', '==', 0)
      .then(client.put(key).value('ConnLimit 1\n'), client.put(keys().lastPush).value('{"id":42}'))
      .commit();
    const r = await readPublished(client, keys());
    assert.ok(E.isRight(r) && r.right !== undefined);
    assert.equal(r.right.push, undefined);
  });

  it('etcd out of reach is a Left of one line', async () => {
    await withUnreachableEtcd(async (away) => {
      const r = await readPublished(away, keys());
      assert.ok(E.isLeft(r));
      assert.doesNotMatch(r.left, /\n/);
      assert.notEqual(r.left, '');
    });
  });
});
