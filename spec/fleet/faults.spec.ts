// A fleet against a real etcd and real faults: several hosts (in-process, and one
// `hotrc watch --etcd` child) on one key; bad values, vetoes, SIGKILLed etcd, compaction,
// a cold start from the cache, a deleted key, an oversized value, a host that dies.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { logMessages } from '../../lib/engine/log.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { fleetMessages } from '../../lib/fleet/fleet-log.js';
import { type HostReport, standing } from '../../lib/fleet/host-report.js';
import { cliProcess } from '../support/cli.js';
import { type EtcdServer, withOwnEtcd } from '../support/etcd.js';
import {
  eventuallyAsync,
  fast,
  put,
  records,
  runs,
  startHost,
  type TestHost,
  torrc,
  type WatchChild,
  watchChild,
} from '../support/fleet.js';
import { eventually, sleep, WAIT } from '../support/waiting.js';

describe('a fleet on a real etcd, with faults', function () {
  this.timeout(40_000);
  let server: EtcdServer;
  let client: Etcd3;
  let dir: string;
  let key: string;
  let n = 0;
  const hosts: TestHost[] = [];
  const children: WatchChild[] = [];

  withOwnEtcd((s, c) => {
    server = s;
    client = c;
  }, 2000);
  beforeEach(async () => {
    key = `/spec/faults/${++n}`;
    dir = await mkdtemp(join(tmpdir(), 'hotrc-faults-'));
  });
  afterEach(async () => {
    if (!server.running) await server.restart();
    await Promise.all(hosts.splice(0).map((h) => h.host.stop()));
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null && c.child.signalCode === null) {
        c.child.kill('SIGKILL');
        await c.exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  const startHosts = async (count: number, extra = {}) => {
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startHost(server.endpoint, key, `host-${i + 1}`, extra),
      ),
    );
    hosts.push(...started);
    return started;
  };
  // A put right after a restart, as an operator's would be: this spec's own client may still be
  // reconnecting (its channel backs off), so it tries again until etcd takes the value.
  const putOnceBack = async (text: string): Promise<string> => {
    const deadline = Date.now() + WAIT;
    for (;;) {
      try {
        return await put(client, key, text);
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(50);
      }
    }
  };
  const allRun = (revision: string, text: string, what: string) =>
    eventually(() => hosts.every((h) => runs(h, revision, text)), what);
  const allRecords = (test: (r: HostReport) => boolean, count: number, what: string) =>
    eventuallyAsync(
      () => records(client, key),
      (rs) => rs.size === count && [...rs.values()].every(test),
      what,
    );

  it('converge after one put: 4 in-process hosts and a hotrc watch --etcd child, all in sync', async () => {
    await put(client, key, torrc(10));
    await startHosts(4);
    const child = watchChild(
      '--etcd',
      server.endpoint,
      '--key',
      key,
      '--name',
      'child-1',
      '--interval',
      '300ms',
    );
    children.push(child);
    await eventually(
      () => child.lines.some((l) => l.msg === logMessages.watcherStarted),
      'the child started',
    );
    const revision = await put(client, key, torrc(20));
    await allRun(revision, torrc(20), 'every in-process host on the put');
    await eventually(
      () => child.lines.some((l) => l.msg === logMessages.fieldsUpdated),
      'the child applied the put',
    );
    const applied = child.lines.find((l) => l.msg === logMessages.fieldsUpdated);
    assert.deepEqual(applied?.changes, ['MaxCircuitDirtiness: 10m0s -> 20m0s']);
    const rs = await allRecords((r) => r.revision === revision, 5, 'five records in sync');
    for (const r of rs.values()) assert.equal(standing(r, revision), 'in-sync', r.name);
    child.child.kill('SIGTERM');
    assert.deepEqual(await child.exited, { code: 0, signal: null });
  });

  it('an invalid value put directly is rejected by every host, each keeps the last good config, every record shows it rejected and so does hotrc status (exit 1); a valid put then brings them all in sync (exit 0)', async () => {
    const good = await put(client, key, torrc(10));
    await startHosts(3);
    await allRun(good, torrc(10), 'every host on the good value');
    const bad = await put(client, key, 'MaxCircuitDirtiness 10 min\n');
    await eventually(
      () => hosts.every((h) => h.host.rc.status().lastError?.version === bad),
      'every host rejected the bad revision',
    );
    for (const h of hosts) {
      assert.equal(h.host.rc.get().MaxCircuitDirtiness, 600_000);
      assert.equal(h.host.rc.status().version, good);
      const error = h.host.rc.status().lastError;
      assert.equal(error?.kind, 'invalid');
      assert.match(
        error?.reason ?? '',
        new RegExp(`^${key}:1: Could not parse MaxCircuitDirtiness`),
      );
    }
    const rs = await allRecords((r) => r.rejected?.revision === bad, 3, 'three records rejected');
    for (const r of rs.values()) {
      assert.equal(standing(r, bad), 'rejected');
      assert.equal(r.revision, good);
    }

    // What an operator sees: the real CLI, as a process, on what the watching hosts wrote.
    const target = ['--etcd', server.endpoint, '--key', key];
    const rejected = await cliProcess('status', ...target);
    assert.equal(rejected.code, 1, rejected.stderr);
    const lines = rejected.stdout.split('\n');
    assert.equal(lines[0], `${key} is at revision ${bad}`);
    for (const name of ['host-1', 'host-2', 'host-3']) {
      const line = lines.find((l) => l.trimStart().startsWith(`${name} `)) ?? '';
      assert.match(
        line,
        new RegExp(
          `^  ${name}  rejected +runs revision ${good}; refused revision ${bad}: invalid: ${key}:1: Could not parse MaxCircuitDirtiness`,
        ),
      );
    }
    assert.equal(lines.at(-2), '3 hosts: 0 in sync, 3 rejected, 0 stale, 0 restart pending');

    const fixed = await put(client, key, torrc(15));
    await allRun(fixed, torrc(15), 'every host on the valid value after the bad one');
    await allRecords((r) => standing(r, fixed) === 'in-sync', 3, 'three records in sync');
    const inSync = await cliProcess('status', ...target);
    assert.equal(inSync.code, 0, inSync.stdout + inSync.stderr);
    assert.deepEqual(inSync.stdout.split('\n').slice(1), [
      `  host-1  in sync          runs revision ${fixed}`,
      `  host-2  in sync          runs revision ${fixed}`,
      `  host-3  in sync          runs revision ${fixed}`,
      '3 hosts: 3 in sync, 0 rejected, 0 stale, 0 restart pending',
      '',
    ]);
  });

  it('a host whose callback vetoes shows rejected while the others are in sync', async () => {
    await put(client, key, torrc(10));
    const [vetoing] = await startHosts(3);
    vetoing?.host.rc.onReload(() => {
      throw new Error('this host cannot take it');
    });
    const revision = await put(client, key, torrc(30));
    const rs = await allRecords(
      (r) => r.revision === revision || r.rejected?.revision === revision,
      3,
      'every host answered the put',
    );
    assert.deepEqual([...rs.values()].map((r) => [r.name, standing(r, revision)]).sort(), [
      ['host-1', 'rejected'],
      ['host-2', 'in-sync'],
      ['host-3', 'in-sync'],
    ]);
    assert.equal(rs.get('host-1')?.rejected?.kind, 'vetoed');
  });

  it('etcd SIGKILLed and restarted three times, a value put right after each restart: every host ends on the last one', async () => {
    await put(client, key, torrc(10));
    await startHosts(3);
    let revision = '';
    let text = '';
    for (let round = 1; round <= 3; round++) {
      await server.kill('SIGKILL');
      await sleep(200);
      await server.restart();
      text = torrc(10 + round);
      revision = await putOnceBack(text);
    }
    await allRun(revision, text, 'every host on the last value');
    await allRecords((r) => r.revision === revision, 3, 'every record on the last value');
  });

  it('etcd restored from a backup, below every revision the hosts saw: they follow the restored value, then a put made after', async () => {
    await put(client, key, torrc(10));
    const backup = join(dir, 'backup.db');
    server.saveSnapshot(backup);
    await startHosts(2);
    let newest = '';
    // Twenty puts (each also moving every host's status record): the writes the hosts make once
    // the store is restored (their records again) cannot bring the next put back up to them.
    for (let m = 11; m <= 30; m++) newest = await put(client, key, torrc(m));
    await allRun(newest, torrc(30), 'every host on the newest value');
    await server.restoreSnapshot(backup);
    const restored = await eventuallyAsync(
      () => client.get(key).exec(),
      (r) => r.kvs.length === 1,
      'the restored key',
    );
    const back = restored.kvs[0]?.mod_revision ?? '';
    assert.ok(BigInt(back) < BigInt(newest));
    await allRun(back, torrc(10), 'every host on the restored value');
    // The operator's next push lands at a revision below what the hosts saw before the restore.
    const revision = await putOnceBack(torrc(31));
    assert.ok(BigInt(revision) < BigInt(newest), `put at ${revision}, the hosts saw ${newest}`);
    await allRun(revision, torrc(31), 'every host on the push after the restore');
    await allRecords((r) => r.revision === revision, 2, 'every record on it');
  });

  it("etcd frozen (SIGSTOP) for longer than a call may take and than the records' lease: the hosts keep the last good config and say etcd is unreachable, then take the next put once it runs again", async () => {
    const first = await put(client, key, torrc(10));
    await startHosts(2);
    await allRun(first, torrc(10), 'both hosts on the value');
    server.pause();
    try {
      await eventually(
        () => hosts.every((h) => h.host.rc.status().source?.reachable === false),
        'both hosts say etcd is unreachable',
      );
      for (const h of hosts) assert.equal(h.host.rc.get().MaxCircuitDirtiness, 600_000);
      // Past the records' lease (2 s): once etcd runs again it expires them, and each host must
      // grant a new lease and write its record again.
      await sleep(1000 * fast.leaseTtlSec + 1000);
      for (const h of hosts) assert.equal(h.host.rc.get().MaxCircuitDirtiness, 600_000);
    } finally {
      server.resume();
    }
    const revision = await putOnceBack(torrc(11));
    await allRun(revision, torrc(11), 'both hosts on the put after the stall');
    await eventually(
      () => hosts.every((h) => h.host.rc.status().source?.reachable === true),
      'both hosts say etcd is reachable again',
    );
    await allRecords((r) => r.revision === revision, 2, 'both records on it');
  });

  it('a compaction past the revision a host saw while it was cut off: it still ends on the last value', async () => {
    await put(client, key, torrc(10));
    await startHosts(2);
    await server.kill('SIGKILL');
    await server.restart();
    // While the hosts are still backing off: values, a compaction past them all, a last value.
    await putOnceBack(torrc(11));
    const compactAt = await put(client, key, torrc(12));
    await client.kv.compact({ revision: compactAt, physical: true });
    const revision = await put(client, key, torrc(13));
    await allRun(revision, torrc(13), 'every host on the value after the compaction');
  });

  it('a host started while etcd is down starts from its cache file and says so, then catches up when etcd is back', async () => {
    const cacheFile = join(dir, 'torrc.cache');
    const first = await put(client, key, torrc(10));
    const [writer] = await startHosts(1, { cacheFile });
    await writer?.host.stop();
    hosts.splice(0);
    await server.kill('SIGKILL');

    const [cold] = await startHosts(1, { cacheFile });
    assert.ok(cold !== undefined);
    assert.deepEqual([cold.host.start.from, cold.host.start.revision], ['cache', first]);
    const said = cold.log.find(fleetMessages.startedFromCache);
    assert.equal(said.length, 1);
    assert.match(String(said[0]?.reason), /cannot reach etcd at 127\.0\.0\.1:\d+/);
    assert.equal(cold.host.report().from, 'cache');
    assert.equal(cold.host.rc.get().MaxCircuitDirtiness, 600_000);
    await eventually(
      () => cold.host.rc.status().source?.reachable === false,
      'the status says etcd is unreachable',
    );

    await server.restart();
    const revision = await putOnceBack(torrc(25));
    await allRun(revision, torrc(25), 'the cold host caught up');
    assert.equal(cold.host.report().from, 'etcd');
    assert.equal(cold.host.rc.status().source?.reachable, true);
  });

  it('a deleted key keeps the last good config and warns once', async () => {
    const revision = await put(client, key, torrc(10));
    await startHosts(2);
    await allRun(revision, torrc(10), 'both hosts on the value');
    await client.delete().key(key).exec();
    await eventually(
      () => hosts.every((h) => h.host.rc.status().lastError?.cause === 'missing'),
      'both hosts saw the key go',
    );
    // Several polls and resyncs later, still one warning per host.
    await sleep(4 * fast.intervalMs);
    for (const h of hosts) {
      assert.equal(h.log.find(logMessages.disappeared).length, 1);
      assert.equal(h.host.rc.get().MaxCircuitDirtiness, 600_000);
    }
  });

  it('a value over the size limit is refused, before decoding, and shown rejected', async () => {
    const good = await put(client, key, torrc(10));
    await startHosts(2, { maxBytes: 1000 });
    await allRun(good, torrc(10), 'both hosts on the good value');
    const big = await put(client, key, `${torrc(40)}#${'x'.repeat(2000)}\n`);
    await eventually(
      () => hosts.every((h) => h.host.rc.status().lastError?.version === big),
      'both hosts refused it',
    );
    for (const h of hosts) {
      const error = h.host.rc.status().lastError;
      assert.deepEqual([error?.kind, error?.cause], ['security', 'too-large']);
      assert.equal(h.host.rc.status().version, good);
    }
    await allRecords((r) => standing(r, big) === 'rejected', 2, 'both records rejected');
  });

  it("a dying host's record disappears when its lease expires (a SIGKILLed hotrc watch --etcd)", async () => {
    await put(client, key, torrc(10));
    const child = watchChild(
      '--etcd',
      server.endpoint,
      '--key',
      key,
      '--name',
      'doomed',
      '--lease-ttl',
      '2s',
    );
    children.push(child);
    const statusKey = fleetKeys(key).status('doomed');
    await eventuallyAsync(
      () => client.get(statusKey).string(),
      (v) => v !== null,
      'the child wrote its record',
    );
    child.child.kill('SIGKILL');
    await child.exited;
    await eventuallyAsync(
      () => client.get(statusKey).string(),
      (v) => v === null,
      'the record gone with its lease',
    );
  });
});
