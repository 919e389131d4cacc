import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { encodeHostReport, type HostReport } from '../../lib/fleet/host-report.js';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import { cli } from '../support/cli.js';
import { EtcdServer, needEtcd, type SharedEtcd, sharedEtcd, specKey } from '../support/etcd.js';

describe('hotrc status (a real etcd, HostReport records put into it)', function () {
  this.timeout(30_000);
  let etcd: SharedEtcd;
  let bin: string;
  let client: Etcd3;
  let key: string;
  before(async function () {
    bin = needEtcd(this);
    etcd = await sharedEtcd(bin);
    client = await connectEtcd({ hosts: etcd.endpoint });
  });
  after(async () => {
    client?.close();
    await etcd?.release();
  });
  beforeEach(() => {
    key = specKey('status');
  });

  const target = () => ['--etcd', etcd.endpoint, '--key', key];
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
  const put = (r: HostReport) =>
    client.put(fleetKeys(key).status(r.name)).value(encodeHostReport(r));
  const publish = async (text: string) => {
    await client.put(key).value(text);
    return (await client.get(key).exec()).kvs[0]?.mod_revision as string;
  };

  it('shows each standing from real records, a summary, and exits 1 while a host rejects the current revision', async () => {
    const old = await publish('ConnLimit 100\n');
    const rev = await publish('ConnLimit 200\n');
    await put(report('web-1', { revision: rev, sha256: 'aa' }));
    await put(
      report('web-2', {
        revision: old,
        rejected: {
          revision: rev,
          kind: 'vetoed',
          cause: 'veto',
          reason: 'onReload refused: pool busy',
        },
      }),
    );
    await put(report('web-3', { revision: old }));
    await put(report('web-4', { revision: rev, pendingRestart: ['SocksPort'], from: 'cache' }));
    await client.put(fleetKeys(key).status('web-5')).value('{"not":"a report"}');
    const r = await cli('status', ...target());
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        `${key} is at revision ${rev}`,
        `  web-1  in sync          runs revision ${rev}`,
        `  web-2  rejected         runs revision ${old}; refused revision ${rev}: vetoed: onReload refused: pool busy`,
        `  web-3  stale            runs revision ${old}`,
        `  web-4  restart pending  runs revision ${rev}; waiting for a restart: SocksPort; from its cache file`,
        '  web-5  unreadable       not a hotrc host report',
        '5 hosts: 1 in sync, 1 rejected, 1 stale, 1 restart pending, 1 unreadable',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await cli('status', ...target(), '--json')).stdout);
    assert.equal(json.revision, rev);
    assert.deepEqual(
      json.hosts.map((h: { name: string; standing: string }) => [h.name, h.standing]),
      [
        ['web-1', 'in-sync'],
        ['web-2', 'rejected'],
        ['web-3', 'stale'],
        ['web-4', 'restart-pending'],
        ['web-5', 'unreadable'],
      ],
    );
    assert.deepEqual(json.summary, {
      hosts: 5,
      inSync: 1,
      rejected: 1,
      stale: 1,
      restartPending: 1,
      unreadable: 1,
      verdict: 'rejected',
    });
  });

  it('a rejection of the current revision is never in sync, even when the host runs it', async () => {
    const rev = await publish('ConnLimit 100\n');
    // Runs rev (from before a restart), then refused rev as read again: not in sync.
    await put(
      report('web-1', {
        revision: rev,
        rejected: { revision: rev, kind: 'invalid', cause: 'invalid', reason: 'x:1: bad' },
      }),
    );
    const r = await cli('status', ...target(), '--json');
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).summary.inSync, 0);
  });

  it('exits 3 while a host is stale, and 0 once every host runs the current revision', async () => {
    const old = await publish('ConnLimit 100\n');
    const rev = await publish('ConnLimit 200\n');
    await put(report('web-1', { revision: rev }));
    await put(report('web-2', { revision: old }));
    assert.equal((await cli('status', ...target())).code, 3);
    await put(report('web-2', { revision: rev }));
    const r = await cli('status', ...target());
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\n2 hosts: 2 in sync, 0 rejected, 0 stale, 0 restart pending\n$/);
  });

  it('exits 3 when no host reports yet, and 4 for a key that does not exist', async () => {
    await publish('ConnLimit 100\n');
    const none = await cli('status', ...target());
    assert.equal(none.code, 3);
    assert.match(none.stdout, /\n0 hosts: 0 in sync/);
    key = `${key}-absent`;
    const absent = await cli('status', ...target());
    assert.deepEqual([absent.code, absent.stdout.split('\n')[0]], [4, `${key} does not exist`]);
  });

  it('exits 69 with one line when etcd does not answer', async () => {
    const down = await EtcdServer.start(bin);
    await down.stop();
    const r = await cli('status', '--etcd', down.endpoint, '--key', key);
    assert.equal(r.code, 69);
    assert.match(
      r.stderr,
      new RegExp(`^hotrc status: etcd unreachable at ${down.endpoint}: .+\\n$`),
    );
  });
});
