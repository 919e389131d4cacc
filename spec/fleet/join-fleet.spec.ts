// joinFleet against a real etcd: start, follow a put, write the record, keep the cache, stop.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { logMessages } from '../../lib/engine/log.js';
import { readCacheFile } from '../../lib/fleet/cache-file.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { standing } from '../../lib/fleet/host-report.js';
import { joinFleet } from '../../lib/fleet/join-fleet.js';
import { FleetStartError } from '../../lib/fleet/load-from-etcd.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { type EtcdServer, withOwnEtcd } from '../support/etcd.js';
import {
  eventuallyAsync,
  put,
  recordOf,
  runs,
  sha,
  startHost,
  type TestHost,
  torrc,
} from '../support/fleet.js';
import { eventually } from '../support/waiting.js';

describe('loading etcd3 lazily', () => {
  it('importing the package (dist/index.js) and the fleet modules loads no etcd3 until etcd is used', () => {
    const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(`${dist}index.js`)});
      await import(${JSON.stringify(`${dist}fleet/join-fleet.js`)});
      await import(${JSON.stringify(`${dist}cli/watch.js`)});
      const cache = createRequire(import.meta.url).cache;
      console.log(Object.keys(cache).filter((k) => k.includes('/node_modules/etcd3/')).length);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(out.trim(), '0');
  });
});

describe('joinFleet (a real etcd)', function () {
  this.timeout(30_000);
  let server: EtcdServer;
  let client: Etcd3;
  let dir: string;
  let key: string;
  let n = 0;
  const hosts: TestHost[] = [];

  withOwnEtcd((s, c) => {
    server = s;
    client = c;
  });
  beforeEach(async () => {
    key = `/spec/join/${++n}`;
    dir = await mkdtemp(join(tmpdir(), 'hotrc-join-'));
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.host.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from the key, applies a put, writes its record (in sync) and the cache, and stop() removes the record', async () => {
    const first = await put(client, key, torrc(10));
    const cacheFile = join(dir, 'torrc.cache');
    const h = await startHost(server.endpoint, key, 'web-1', { cacheFile });
    hosts.push(h);
    assert.deepEqual([h.host.start.from, h.host.start.revision], ['etcd', first]);
    assert.equal(h.host.rc.get().MaxCircuitDirtiness, 600_000);

    const second = await put(client, key, torrc(15));
    await eventually(() => runs(h, second, torrc(15)), 'the put applied');
    assert.equal(h.host.rc.get().MaxCircuitDirtiness, 900_000);
    assert.ok(h.log.find(logMessages.fieldsUpdated).length >= 1);

    const record = await recordOf(
      client,
      key,
      'web-1',
      (r) => r?.revision === second,
      'the record',
    );
    assert.ok(record !== undefined);
    assert.equal(standing(record, second), 'in-sync');
    assert.deepEqual([record.from, record.sha256, record.rejected], ['etcd', sha(torrc(15)), null]);

    const cached = await eventuallyAsync(
      () => readCacheFile(cacheFile, key),
      (c) => E.isRight(c) && c.right.revision === second,
      'the cache file at the new revision',
    );
    assert.ok(E.isRight(cached));
    assert.equal(Buffer.from(cached.right.bytes).toString(), torrc(15));

    await h.host.stop();
    const left = await client.get(fleetKeys(key).status('web-1')).string();
    assert.equal(left, null, 'the record is revoked with the lease at once');
  });

  it('refuses a torrc whose value has an %include at its line, reading nothing from the host', async () => {
    const first = await put(client, key, torrc(10));
    const h = await startHost(server.endpoint, key, 'web-1');
    hosts.push(h);
    await eventually(() => h.host.rc.status().version === first, 'the first look');
    // A readable file on this host: an %include put into etcd must never pull it in.
    const local = join(dir, 'local.conf');
    await writeFile(local, 'MaxCircuitDirtiness 20 minutes\n');
    const bad = await put(client, key, `LogLevel info\n%include ${local}\n`);
    await eventually(() => h.host.rc.status().lastError?.version === bad, 'the %include refused');
    const error = h.host.rc.status().lastError;
    assert.equal(error?.kind, 'invalid');
    assert.deepEqual(
      error?.problems.map((p) => [p.file, p.line]),
      [[key, 2]],
    );
    assert.match(error?.reason ?? '', /cannot read it from etcd/);
    assert.equal(h.host.rc.get().MaxCircuitDirtiness, 600_000, 'the last good config stays');
    assert.equal(h.host.rc.status().version, first);
    const record = await recordOf(
      client,
      key,
      'web-1',
      (r) => r?.rejected?.revision === bad,
      'the rejection in the record',
    );
    assert.ok(record !== undefined);
    assert.equal(standing(record, bad), 'rejected');
  });

  it('refuses to start with nothing to start from: a missing key, no cache', async () => {
    await assert.rejects(
      joinFleet({ hosts: server.endpoint, key, name: 'web-1', profile: torProfile }),
      (err: unknown) =>
        err instanceof FleetStartError &&
        err.kind === 'missing' &&
        /etcd key \/spec\/join\/\d+ does not exist/.test(err.message),
    );
  });

  it('refuses bad options with a TypeError before reading anything', async () => {
    await assert.rejects(
      joinFleet({ hosts: server.endpoint, key: 'k/', profile: torProfile }),
      /ends in "\/"/,
    );
    await assert.rejects(
      joinFleet({ hosts: server.endpoint, key, name: 'a/b', profile: torProfile }),
      /refusing host name/,
    );
    await assert.rejects(
      joinFleet({ hosts: server.endpoint, key, name: 'a', profile: torProfile, settleMs: -1 }),
      /settleMs must be a number/,
    );
  });
});
