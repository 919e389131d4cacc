import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import type { HostReport } from '../../lib/fleet/host-report.js';
import { HostReporter } from '../../lib/fleet/host-reporter.js';
import { type EtcdServer, withOwnEtcd } from '../support/etcd.js';
import { eventuallyAsync } from '../support/fleet.js';
import { sleep } from '../support/waiting.js';

const record = (revision: string, at = new Date()): HostReport => ({
  name: 'web-1',
  revision,
  sha256: null,
  from: 'etcd',
  rejected: null,
  pendingRestart: [],
  reachable: true,
  at: at.toISOString(),
});

describe('HostReporter (a real etcd)', function () {
  this.timeout(20_000);
  let server: EtcdServer;
  let client: Etcd3;
  let n = 0;
  let key: string;
  let reporter: HostReporter | undefined;
  withOwnEtcd((s, c) => {
    server = s;
    client = c;
  });
  beforeEach(() => {
    key = `/spec/reporter/${++n}`;
  });
  afterEach(() => reporter?.stop());

  const stored = () => client.get(`${key}/status/web-1`).exec();

  it('writes the newest record, not one per report, and only when it changes (the time aside)', async () => {
    reporter = new HostReporter({ hosts: server.endpoint, key, name: 'web-1', leaseTtlSec: 2 });
    for (let i = 1; i <= 20; i++) reporter.report(record(String(i)));
    const first = await eventuallyAsync(
      stored,
      (r) => r.kvs[0]?.value.toString().includes('"revision":"20"') === true,
      'the newest record',
    );
    // 20 reports, the first written at once and the newest after it: at most 2 versions.
    assert.ok(Number(first.kvs[0]?.version) <= 2, `version ${first.kvs[0]?.version}`);
    reporter.report(record('20', new Date(Date.now() + 5000)));
    await sleep(300);
    assert.equal((await stored()).kvs[0]?.mod_revision, first.kvs[0]?.mod_revision);
  });

  it('writes a report that comes just as a write ends (none is lost between two writes)', async () => {
    reporter = new HostReporter({ hosts: server.endpoint, key, name: 'web-1', leaseTtlSec: 2 });
    const r = reporter;
    r.report(record('1'));
    await eventuallyAsync(stored, (s) => s.kvs.length === 1, 'the first record');
    for (let i = 2; i <= 30; i++) {
      r.report(record(String(i)));
      await eventuallyAsync(
        stored,
        (s) => s.kvs[0]?.value.toString().includes(`"revision":"${i}"`) === true,
        `record ${i}`,
      );
      // At once after the write is seen, the next report: it must start a write of its own.
    }
  });

  it('binds the record to a lease and revokes it on stop(), so the record goes at once', async () => {
    reporter = new HostReporter({ hosts: server.endpoint, key, name: 'web-1', leaseTtlSec: 2 });
    reporter.report(record('1'));
    const written = await eventuallyAsync(stored, (s) => s.kvs.length === 1, 'the record');
    assert.notEqual(written.kvs[0]?.lease, '0');
    await reporter.stop();
    assert.equal((await stored()).kvs.length, 0);
  });
});
