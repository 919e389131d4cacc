// What a host writes about itself, built from real statuses of a real ReloadableConfig (a torrc
// in a temp directory; an etcd source with nobody listening), its JSON both ways, and where a
// record stands against the key's current revision.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeHostReport,
  encodeHostReport,
  HostReport,
  hostReport,
  standing,
} from '../../lib/fleet/host-report.js';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { etcdSource } from '../../lib/sources/etcd-source.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import type { TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { freePort } from '../support/etcd.js';

const at = new Date('2026-12-01T10:00:00.000Z');
const ctx = { from: 'etcd', at } as const;

const report = (fields: Partial<HostReport>): HostReport => ({
  name: 'web-1',
  revision: '42',
  sha256: 'ab'.repeat(32),
  from: 'etcd',
  rejected: null,
  pendingRestart: [],
  reachable: true,
  at: at.toISOString(),
  ...fields,
});

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const anyReport: fc.Arbitrary<HostReport> = fc.record({
  name: fc.string(),
  revision: nullable(fc.string()),
  sha256: nullable(fc.string()),
  from: fc.constantFrom('etcd' as const, 'cache' as const),
  rejected: nullable(
    fc.record({
      revision: nullable(fc.string()),
      kind: fc.string(),
      cause: fc.string(),
      reason: fc.string(),
    }),
  ),
  pendingRestart: fc.array(fc.string()),
  reachable: fc.boolean(),
  at: fc.string(),
});

describe('hostReport from the statuses of a real ReloadableConfig', function () {
  this.timeout(10_000);
  let dir: string;
  let path: string;
  let rc: ReloadableConfig | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-host-report-'));
    path = join(dir, 'torrc');
    await writeFile(path, 'ConnLimit 100\nMaxCircuitDirtiness 10 minutes\n');
    rc = new ReloadableConfig(await loadFromFile(path), path, undefined, {
      settleMs: 10,
      writeQuietMs: 10,
    });
  });
  afterEach(async () => {
    await rc?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const reload = async () => {
    await rc?.reload().catch(() => {});
    return rc?.status() as ReturnType<ReloadableConfig['status']>;
  };

  it('an applied file: the version and sha256 it runs, no rejection, nothing pending, reachable', async () => {
    await writeFile(path, 'ConnLimit 100\nMaxCircuitDirtiness 20 minutes\n');
    const status = await reload();
    assert.equal(status.lastError, undefined);
    assert.deepEqual(hostReport('web-1', status, ctx), {
      name: 'web-1',
      revision: status.version,
      sha256: status.sha256,
      from: 'etcd',
      rejected: null,
      pendingRestart: [],
      reachable: true,
      at: '2026-12-01T10:00:00.000Z',
    });
  });

  it('a restart-only change lists its field as pending', async () => {
    await writeFile(path, 'ConnLimit 200\nMaxCircuitDirtiness 10 minutes\n');
    const r = hostReport('web-1', await reload(), { from: 'cache', at });
    assert.deepEqual([r.pendingRestart, r.rejected, r.from], [['ConnLimit'], null, 'cache']);
  });

  it("an invalid file is a rejection of the version read, with the engine's kind, cause and reason", async () => {
    await writeFile(path, 'ConnLimit 0\n');
    const status = await reload();
    assert.ok(status.lastError?.version !== undefined);
    const r = hostReport('web-1', status, ctx);
    assert.deepEqual(r.rejected, {
      revision: status.lastError.version,
      kind: 'invalid',
      cause: status.lastError.cause,
      reason: status.lastError.reason,
    });
    assert.match(r.rejected?.reason ?? '', /ConnLimit must be at least 1/);
  });

  it('a vetoed file (it has a version) is a rejection of that version', async () => {
    rc?.onReload(() => {
      throw new Error('pool busy');
    });
    await writeFile(path, 'ConnLimit 100\nMaxCircuitDirtiness 30 minutes\n');
    const status = await reload();
    assert.equal(status.lastError?.kind, 'vetoed');
    const r = hostReport('web-1', status, ctx);
    assert.equal(r.rejected?.kind, 'vetoed');
    assert.equal(r.rejected?.revision, status.lastError?.version);
    assert.notEqual(r.rejected?.revision, r.revision, 'it still runs the version before');
  });

  it('a missing file (no version: nothing was read) is not a rejection', async () => {
    await rm(path);
    const status = await reload();
    assert.equal(status.lastError?.cause, 'missing');
    assert.equal(status.lastError?.version, undefined);
    assert.equal(hostReport('web-1', status, ctx).rejected, null);
  });

  it('an unreachable etcd (no version) is not a rejection, and the record says unreachable', async () => {
    const source = etcdSource({
      hosts: `127.0.0.1:${await freePort()}`,
      key: '/hotrc/torrc',
      callTimeoutMs: 300,
    });
    const etcdRc = new ReloadableConfig<TorConfig>(torProfile.defaults, source.name, undefined, {
      source,
    });
    try {
      await etcdRc.reload().catch(() => {});
      const status = etcdRc.status();
      assert.deepEqual([status.lastError?.kind, status.lastError?.cause], ['io', 'unreachable']);
      assert.equal(status.source?.reachable, false);
      const r = hostReport('web-1', status, ctx);
      assert.deepEqual([r.rejected, r.reachable, r.revision, r.sha256], [null, false, null, null]);
    } finally {
      await etcdRc.stop();
    }
  });

  it('the record of any status it builds passes its own codec, and holds no config value', async () => {
    await writeFile(path, 'ConnLimit 0\nHashedControlPassword 16:SECRETSECRET\n');
    const r = hostReport('web-1', await reload(), ctx);
    assert.ok(HostReport.is(r));
    assert.doesNotMatch(encodeHostReport(r), /SECRETSECRET/);
  });
});

describe('encodeHostReport and decodeHostReport', () => {
  it('round-trip every record', () => {
    fc.assert(
      fc.property(anyReport, (r) => {
        const back = decodeHostReport(encodeHostReport(r));
        return E.isRight(back) && JSON.stringify(back.right) === JSON.stringify(r);
      }),
    );
  });

  it('a text that is not JSON is a Left saying so', () => {
    for (const text of ['', '{', 'web-1', '{"name":', '\u0000']) {
      const r = decodeHostReport(text);
      assert.ok(E.isLeft(r) && r.left.startsWith('not JSON: '), JSON.stringify(text));
    }
  });

  it('foreign JSON is a Left: another writer, a field missing, a wrong type, a newer "from"', () => {
    const good = JSON.parse(encodeHostReport(report({})));
    const foreign = [
      null,
      42,
      '"web-1"',
      [],
      { not: 'a report' },
      { ...good, name: undefined },
      { ...good, revision: 42 },
      { ...good, from: 'consul' },
      { ...good, pendingRestart: 'ConnLimit' },
      { ...good, pendingRestart: [1] },
      { ...good, reachable: 'yes' },
      { ...good, rejected: { kind: 'invalid' } },
      { ...good, at: null },
    ];
    for (const value of foreign) {
      assert.deepEqual(
        decodeHostReport(JSON.stringify(value)),
        E.left('not a hotrc host report'),
        JSON.stringify(value),
      );
    }
  });

  it('garbage never throws: always a Left or a record its codec accepts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = decodeHostReport(text);
        return E.isLeft(r) || HostReport.is(r.right);
      }),
    );
  });
});

describe('standing', () => {
  it('in sync: runs the current revision, nothing pending', () => {
    assert.equal(standing(report({}), '42'), 'in-sync');
  });

  it('restart pending: runs the current revision with fields waiting for a restart', () => {
    assert.equal(standing(report({ pendingRestart: ['SocksPort'] }), '42'), 'restart-pending');
  });

  it('stale: runs an older revision, or none yet, and has not refused the current one', () => {
    assert.equal(standing(report({ revision: '41' }), '42'), 'stale');
    assert.equal(standing(report({ revision: null, sha256: null }), '42'), 'stale');
    // An older rejection does not make it rejected against a newer current revision.
    const older = { revision: '41', kind: 'invalid', cause: 'invalid', reason: 'x:1: bad' };
    assert.equal(standing(report({ revision: '40', rejected: older }), '42'), 'stale');
    // Pending fields of an older revision do not make it restart-pending.
    assert.equal(
      standing(report({ revision: '41', pendingRestart: ['SocksPort'] }), '42'),
      'stale',
    );
  });

  it('rejected: it refused the current revision', () => {
    const refused = { revision: '42', kind: 'vetoed', cause: 'veto', reason: 'pool busy' };
    assert.equal(standing(report({ revision: '41', rejected: refused }), '42'), 'rejected');
  });

  it('a rejection of the current revision is never in sync even when the host runs it', () => {
    const refused = { revision: '42', kind: 'invalid', cause: 'invalid', reason: 'x:1: bad' };
    assert.equal(standing(report({ revision: '42', rejected: refused }), '42'), 'rejected');
    assert.equal(
      standing(report({ revision: '42', rejected: refused, pendingRestart: ['SocksPort'] }), '42'),
      'rejected',
    );
  });

  it('a rejection without a revision is not a rejection of the current one', () => {
    const unread = { revision: null, kind: 'io', cause: 'unreachable', reason: 'etcd away' };
    assert.equal(standing(report({ rejected: unread }), '42'), 'in-sync');
  });

  it('as a property: in sync exactly when it runs the current revision, nothing pending, and did not refuse it', () => {
    fc.assert(
      fc.property(anyReport, fc.string(), (r, current) => {
        const inSync =
          r.revision === current &&
          r.pendingRestart.length === 0 &&
          r.rejected?.revision !== current;
        const s = standing(r, current);
        return (
          (s === 'in-sync') === inSync &&
          (s === 'rejected') === (r.rejected !== null && r.rejected.revision === current)
        );
      }),
    );
  });
});
