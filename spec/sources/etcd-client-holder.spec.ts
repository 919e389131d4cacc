// The shared etcd client on a real etcd: one client while anybody holds it, closed when the last
// holder lets go, a new one after reset(), and a release that counts once however often called.
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import { EtcdClientHolder } from '../../lib/sources/etcd-client-holder.js';
import { freePort, needEtcd, type SharedEtcd, sharedEtcd, specKey } from '../support/etcd.js';

describe('EtcdClientHolder (a real etcd)', function () {
  this.timeout(20_000);
  let etcd: SharedEtcd;
  let key: string;
  let holder: EtcdClientHolder;
  const releases: Array<() => void> = [];
  before(async function () {
    etcd = await sharedEtcd(needEtcd(this));
  });
  after(async () => {
    await etcd?.release();
  });
  beforeEach(async () => {
    key = specKey('holder');
    holder = new EtcdClientHolder({ hosts: etcd.endpoint, callTimeoutMs: 1000 });
    await holder.use((c) => c.put(key).value('v1').exec());
  });
  afterEach(() => {
    for (const r of releases.splice(0)) r();
    holder.reset();
  });

  const hold = () => {
    const r = holder.hold();
    releases.push(r);
    return r;
  };
  const clientOf = () => holder.use(async (c) => c);
  // A closed etcd3 client refuses every call.
  const closed = async (c: Etcd3) =>
    c
      .get(key)
      .string()
      .then(
        () => false,
        () => true,
      );

  it('runs a call and returns its answer; the client is shared while held', async () => {
    hold();
    assert.equal(await holder.use((c) => c.get(key).string()), 'v1');
    const a = await clientOf();
    const b = await clientOf();
    assert.equal(a, b);
    assert.equal(await closed(a), false);
  });

  it('closes the client when the last holder lets go; the next use makes a new one', async () => {
    const release = hold();
    const a = await clientOf();
    release();
    assert.equal(await closed(a), true);
    const b = await clientOf();
    assert.notEqual(a, b);
    // Nobody held b beyond its use: it is closed too, and the holder still answers.
    assert.equal(await closed(b), true);
    assert.equal(await holder.use((c) => c.get(key).string()), 'v1');
  });

  it('a release called twice counts once: another holder keeps the client open', async () => {
    const first = hold();
    hold();
    const a = await clientOf();
    first();
    first();
    assert.equal(await clientOf(), a);
    assert.equal(await closed(a), false);
  });

  it('reset() drops the client even while held: the next use has a new one', async () => {
    hold();
    const a = await clientOf();
    holder.reset();
    assert.equal(await closed(a), true);
    const b = await clientOf();
    assert.notEqual(a, b);
    assert.equal(await holder.use((c) => c.get(key).string()), 'v1');
  });

  it('a call that throws rejects use() and still lets go of the client', async () => {
    const seen: Etcd3[] = [];
    await assert.rejects(
      holder.use(async (c) => {
        seen.push(c);
        throw new Error('the call failed');
      }),
      /the call failed/,
    );
    assert.equal(await closed(seen[0] as Etcd3), true);
  });

  it('with nobody listening, use() rejects within the call deadline and the next use is fresh', async () => {
    const away = new EtcdClientHolder({
      hosts: `127.0.0.1:${await freePort()}`,
      callTimeoutMs: 300,
    });
    await assert.rejects(away.use((c) => c.get(key).string()));
    away.reset();
    await assert.rejects(away.use((c) => c.get(key).string()));
  });
});
