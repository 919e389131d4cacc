// readFleetStatus on a real etcd with real HostReport records put into it, and fleetVerdict on
// every mix of standings: a rejection is never in sync, an unreadable record never counts as one.
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { type FleetStatus, fleetVerdict, readFleetStatus } from '../../lib/fleet/fleet-status.js';
import { encodeHostReport, type HostReport, type Standing } from '../../lib/fleet/host-report.js';
import { withSharedEtcdKey, withUnreachableEtcd } from '../support/etcd.js';

const report = (name: string, fields: Partial<HostReport>): HostReport => ({
  name,
  revision: null,
  sha256: null,
  from: 'etcd',
  rejected: null,
  pendingRestart: [],
  reachable: true,
  at: '2026-12-01T10:00:00.000Z',
  ...fields,
});

const statusOf = (
  standings: ReadonlyArray<Standing>,
  unreadable = 0,
  revision: string | null = '42',
): FleetStatus => {
  const counts = { 'in-sync': 0, 'restart-pending': 0, rejected: 0, stale: 0 };
  for (const s of standings) counts[s]++;
  return {
    key: '/k',
    revision,
    hosts: standings.map((s, i) => ({ name: `h${i}`, standing: s, report: report(`h${i}`, {}) })),
    unreadable: Array.from({ length: unreadable }, (_, i) => ({ name: `u${i}`, reason: 'x' })),
    counts,
  };
};

describe('fleetVerdict', () => {
  it('in sync only when every host, at least one, is in sync on an existing key', () => {
    assert.equal(fleetVerdict(statusOf(['in-sync', 'in-sync'])), 'in-sync');
    assert.equal(fleetVerdict(statusOf([])), 'waiting');
    assert.equal(fleetVerdict(statusOf(['in-sync'], 0, null)), 'waiting');
  });

  it('rejected whenever one host rejects, whatever the others', () => {
    assert.equal(fleetVerdict(statusOf(['in-sync', 'rejected'])), 'rejected');
    assert.equal(fleetVerdict(statusOf(['stale', 'rejected', 'restart-pending'], 2)), 'rejected');
  });

  it('waiting for a stale host, a pending restart, or an unreadable record', () => {
    assert.equal(fleetVerdict(statusOf(['in-sync', 'stale'])), 'waiting');
    assert.equal(fleetVerdict(statusOf(['in-sync', 'restart-pending'])), 'waiting');
    assert.equal(fleetVerdict(statusOf(['in-sync'], 1)), 'waiting');
    assert.equal(fleetVerdict(statusOf([], 1)), 'waiting');
  });
});

describe('readFleetStatus (a real etcd)', function () {
  this.timeout(20_000);
  let client: Etcd3;
  let key: string;
  withSharedEtcdKey('fleet-status', (c, k) => {
    client = c;
    key = k;
  });
  const put = (r: HostReport) =>
    client.put(fleetKeys(key).status(r.name)).value(encodeHostReport(r));
  const publish = async (text: string) =>
    (await client.put(key).value(text).exec()).header.revision;
  const read = async () => {
    const s = await readFleetStatus(client, key);
    assert.ok(E.isRight(s), E.isLeft(s) ? s.left : '');
    return s.right;
  };

  it('each host by name, with its standing against the current revision, and the counts', async () => {
    const old = await publish('ConnLimit 1\n');
    const rev = await publish('ConnLimit 2\n');
    const refused = { revision: rev, kind: 'invalid', cause: 'invalid', reason: 'k:1: bad' };
    await put(report('web-3', { revision: old }));
    await put(report('web-1', { revision: rev }));
    await put(report('web-2', { revision: rev, rejected: refused }));
    await put(report('web-0', { revision: rev, pendingRestart: ['SocksPort'] }));
    const s = await read();
    assert.equal(s.revision, rev);
    assert.deepEqual(
      s.hosts.map((h) => [h.name, h.standing]),
      [
        ['web-0', 'restart-pending'],
        ['web-1', 'in-sync'],
        ['web-2', 'rejected'],
        ['web-3', 'stale'],
      ],
    );
    assert.deepEqual(s.counts, { 'in-sync': 1, 'restart-pending': 1, rejected: 1, stale: 1 });
    assert.deepEqual(s.hosts[2]?.report.rejected, refused);
    assert.equal(fleetVerdict(s), 'rejected');
  });

  it('records it cannot read are listed by name with the reason, sorted, and never counted', async () => {
    const rev = await publish('ConnLimit 1\n');
    await put(report('web-1', { revision: rev }));
    await client.put(fleetKeys(key).status('zz')).value('not json');
    await client.put(fleetKeys(key).status('aa')).value('{"name":"aa"}');
    const s = await read();
    assert.deepEqual(
      s.unreadable.map((u) => u.name),
      ['aa', 'zz'],
    );
    assert.equal(s.unreadable[0]?.reason, 'not a hotrc host report');
    assert.match(s.unreadable[1]?.reason ?? '', /^not JSON: /);
    assert.deepEqual(s.counts, { 'in-sync': 1, 'restart-pending': 0, rejected: 0, stale: 0 });
    assert.equal(fleetVerdict(s), 'waiting');
  });

  it('an absent key: revision null and every host stale, even one whose record names a revision', async () => {
    const rev = await publish('ConnLimit 1\n');
    await put(report('web-1', { revision: rev }));
    await client.delete().key(key);
    const s = await read();
    assert.equal(s.revision, null);
    assert.deepEqual(
      s.hosts.map((h) => h.standing),
      ['stale'],
    );
    assert.equal(fleetVerdict(s), 'waiting');
  });

  it("reads only this key's status prefix: not a key that starts alike, not the history", async () => {
    const rev = await publish('ConnLimit 1\n');
    await put(report('web-1', { revision: rev }));
    await client.put(`${key}x/status/web-9`).value(encodeHostReport(report('web-9', {})));
    await client.put(`${key}/statusx`).value(encodeHostReport(report('web-8', {})));
    await client.put(fleetKeys(key).history('1')).value('{}');
    assert.deepEqual(
      (await read()).hosts.map((h) => h.name),
      ['web-1'],
    );
  });

  it('a bad key is a TypeError; etcd out of reach is a Left of one line', async () => {
    await assert.rejects(readFleetStatus(client, '/k/'), TypeError);
    await assert.rejects(readFleetStatus(client, '/k\u0000'), TypeError);
    await withUnreachableEtcd(async (away) => {
      const s = await readFleetStatus(away, key);
      assert.ok(E.isLeft(s));
      assert.doesNotMatch(s.left, /\n/);
    });
  });
});
