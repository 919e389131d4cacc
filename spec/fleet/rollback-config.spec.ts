// rollbackConfig as a function on a real etcd, for what the CLI specs do not reach: a damaged
// entry, a deleted key rolled back, a stale --expect-revision, `to` naming the current revision,
// etcd out of reach.
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { encodeHistoryEntry } from '../../lib/fleet/history-entry.js';
import { sha256Hex } from '../../lib/fleet/push-read.js';
import { rollbackConfig } from '../../lib/fleet/rollback-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { withSharedEtcdKey, withUnreachableEtcd } from '../support/etcd.js';

describe('rollbackConfig (a real etcd)', function () {
  this.timeout(20_000);
  let client: Etcd3;
  let key: string;
  withSharedEtcdKey('rollback-config', (c, k) => {
    client = c;
    key = k;
  });
  const history = (revision: string, text: string, sha256 = sha256Hex(Buffer.from(text))) =>
    client
      .put(fleetKeys(key).history(revision))
      .value(encodeHistoryEntry({ text, revision, sha256, time: null, who: null }));
  const value = async () => (await client.get(key).exec()).kvs[0];

  it('refuses an entry whose text does not match its sha256 as invalid, at KEY@REV, writing nothing', async () => {
    await client.put(key).value('ConnLimit 2\n');
    const before = await value();
    await history('3', 'ConnLimit 1\n', sha256Hex(Buffer.from('ConnLimit 9\n')));
    const r = await rollbackConfig(client, torProfile, { key, to: '3' });
    assert.equal(r.kind, 'invalid');
    assert.ok(r.kind === 'invalid');
    assert.deepEqual(r.problems, [
      {
        severity: 'error',
        message: `its text does not match its sha256 ${sha256Hex(Buffer.from('ConnLimit 9\n'))}: the history entry is damaged`,
        file: `${key}@3`,
      },
    ]);
    assert.equal((await value())?.mod_revision, before?.mod_revision);
  });

  it('a deleted key is rolled back to its newest version, created again (compare on absence)', async () => {
    await history('3', 'ConnLimit 1\n');
    await history('7', 'ConnLimit 2\n');
    const r = await rollbackConfig(client, torProfile, { key });
    assert.equal(r.kind, 'pushed');
    assert.ok(r.kind === 'pushed');
    assert.deepEqual([r.to, r.previous], ['7', null]);
    assert.equal((await value())?.value.toString(), 'ConnLimit 2\n');
  });

  it('a stale expectRevision is a conflict naming both, and nothing is written', async () => {
    await client.put(key).value('ConnLimit 2\n');
    const now = (await value())?.mod_revision;
    await history('1', 'ConnLimit 1\n');
    const r = await rollbackConfig(client, torProfile, { key, expectRevision: '1' });
    assert.deepEqual(r, { kind: 'conflict', current: now, expected: '1', to: '1' });
    assert.equal((await value())?.value.toString(), 'ConnLimit 2\n');
  });

  it('to naming the current revision is unchanged; a missing one is not-found with what is available', async () => {
    await client.put(key).value('ConnLimit 2\n');
    const now = (await value())?.mod_revision as string;
    await history('1', 'ConnLimit 1\n');
    const same = await rollbackConfig(client, torProfile, { key, to: now });
    assert.deepEqual([same.kind, (await value())?.mod_revision], ['unchanged', now]);
    assert.deepEqual(await rollbackConfig(client, torProfile, { key, to: '99' }), {
      kind: 'not-found',
      revision: '99',
      available: ['1'],
    });
  });

  it('etcd out of reach is unreachable, never a rejection', async () => {
    await withUnreachableEtcd(async (away) => {
      const r = await rollbackConfig(away, torProfile, { key });
      assert.equal(r.kind, 'unreachable');
    });
  });

  it('a bad key is a TypeError (a programmer error), thrown before etcd is asked', async () => {
    await assert.rejects(rollbackConfig(client, torProfile, { key: '/k/' }), TypeError);
  });
});
