// Where a fleet host starts from, against a real etcd: the key's value, else (etcd out of reach,
// no key, an invalid or oversized value) the cache file, said so, else an error naming why.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { writeCacheFile } from '../../lib/fleet/cache-file.js';
import { type FleetStart, FleetStartError, loadFromEtcd } from '../../lib/fleet/load-from-etcd.js';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import type { TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { freePort, needEtcd, type SharedEtcd, sharedEtcd, specKey } from '../support/etcd.js';
import { put, sha, torrc } from '../support/fleet.js';

describe('loadFromEtcd on a real etcd', function () {
  this.timeout(20_000);
  let etcd: SharedEtcd;
  let client: Etcd3;
  let dir: string;
  let key: string;
  let cacheFile: string;

  before(async function () {
    etcd = await sharedEtcd(needEtcd(this));
    client = await connectEtcd({ hosts: etcd.endpoint, callTimeoutMs: 2000 });
  });
  after(async () => {
    client?.close();
    await etcd?.release();
  });
  beforeEach(async () => {
    key = specKey('load-from-etcd');
    dir = await mkdtemp(join(tmpdir(), 'hotrc-load-etcd-'));
    cacheFile = join(dir, 'torrc.cache');
  });
  afterEach(async () => {
    await client.delete().key(key).exec();
    await rm(dir, { recursive: true, force: true });
  });

  const load = (extra: { hosts?: string; cacheFile?: string; maxBytes?: number } = {}) =>
    loadFromEtcd<TorConfig>({
      hosts: etcd.endpoint,
      key,
      profile: torProfile,
      callTimeoutMs: 1000,
      ...extra,
    });
  /** A cache file for `key` holding `text` at revision 7, as a host that applied it keeps it. */
  const cache = (text: string) =>
    writeCacheFile(cacheFile, {
      key,
      revision: '7',
      sha256: sha(text),
      bytes: new TextEncoder().encode(text),
      savedAt: '2026-12-01T10:00:00.000Z',
    });
  const started = (r: E.Either<FleetStartError, FleetStart<TorConfig>>) => {
    if (E.isLeft(r)) assert.fail(`expected a start, got: ${r.left.message}`);
    return r.right;
  };
  const refused = (r: E.Either<FleetStartError, FleetStart<TorConfig>>) => {
    if (E.isRight(r)) assert.fail(`expected a FleetStartError, started from ${r.right.from}`);
    assert.ok(r.left instanceof FleetStartError);
    assert.equal(r.left.key, key);
    return r.left;
  };
  const unreachableHost = async () => `127.0.0.1:${await freePort()}`;

  it('a valid key: its value, decoded, at its mod_revision, from etcd (a cache is not read)', async () => {
    const revision = await put(client, key, torrc(20));
    await writeFile(cacheFile, 'not even JSON');
    const s = started(await load({ cacheFile }));
    assert.equal(s.from, 'etcd');
    assert.equal(s.revision, revision);
    assert.equal(s.sha256, sha(torrc(20)));
    assert.equal(new TextDecoder().decode(s.bytes), torrc(20));
    assert.equal(s.loaded.config.MaxCircuitDirtiness, 20 * 60_000);
    assert.equal(s.reason, undefined);
  });

  it('a missing key: an error saying so without a cache; the cache, saying why, with one', async () => {
    const without = refused(await load());
    assert.equal(without.kind, 'missing');
    assert.equal(without.message, `etcd key ${key} does not exist (push a config to it first)`);

    await cache(torrc(30));
    const s = started(await load({ cacheFile }));
    assert.deepEqual([s.from, s.revision, s.sha256], ['cache', '7', sha(torrc(30))]);
    assert.equal(s.loaded.config.MaxCircuitDirtiness, 30 * 60_000);
    assert.equal(
      s.reason,
      `started from cache file ${cacheFile} (revision 7, saved 2026-12-01T10:00:00.000Z): etcd key ${key} does not exist (push a config to it first)`,
    );
  });

  it('an invalid value: an error naming KEY:LINE without a cache; the cache, with the problem as the reason, with one', async () => {
    await put(client, key, 'LogLevel info\nMaxCircuitDirtiness 10 min\n');
    const without = refused(await load());
    assert.equal(without.kind, 'invalid');
    assert.match(without.message, new RegExp(`^${key}:2: Could not parse MaxCircuitDirtiness`));

    await cache(torrc(30));
    const s = started(await load({ cacheFile }));
    assert.equal(s.from, 'cache');
    assert.equal(s.loaded.config.MaxCircuitDirtiness, 30 * 60_000);
    assert.match(
      s.reason ?? '',
      new RegExp(`^started from cache file .*: ${key}:2: Could not parse MaxCircuitDirtiness`),
    );
  });

  it('a value over maxBytes is refused unread: an error without a cache', async () => {
    await put(client, key, torrc(20));
    const r = refused(await load({ maxBytes: 16 }));
    assert.equal(r.kind, 'too-large');
    assert.match(
      r.message,
      new RegExp(`etcd key ${key} holds \\d+ bytes, more than maxBytes \\(16\\)`),
    );
  });

  it('etcd out of reach: an error naming the hosts and key without a cache; the cache with one', async () => {
    const hosts = await unreachableHost();
    const without = refused(await load({ hosts }));
    assert.equal(without.kind, 'unreachable');
    assert.match(without.message, new RegExp(`^cannot reach etcd at ${hosts} for key ${key}: `));

    await cache(torrc(40));
    const s = started(await load({ hosts, cacheFile }));
    assert.deepEqual([s.from, s.revision], ['cache', '7']);
    assert.equal(s.loaded.config.MaxCircuitDirtiness, 40 * 60_000);
    assert.match(s.reason ?? '', new RegExp(`cannot reach etcd at ${hosts} for key ${key}`));
  });

  it("a torn cache file is refused: the error names etcd's problem and the cache's", async () => {
    await cache(torrc(40));
    const whole = await readFile(cacheFile, 'utf8');
    await writeFile(cacheFile, whole.slice(0, Math.floor(whole.length / 2)));
    const hosts = await unreachableHost();
    const r = refused(await load({ hosts, cacheFile }));
    assert.equal(r.kind, 'unreachable');
    const lines = r.message.split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', new RegExp(`^cannot reach etcd at ${hosts}`));
    assert.equal(lines[1], `cache file ${cacheFile} refused: not whole (torn or not JSON)`);
  });

  it('a cache whose value is itself invalid is not started from', async () => {
    await cache('MaxCircuitDirtiness 10 min\n');
    const r = refused(await load({ cacheFile }));
    assert.equal(r.kind, 'missing');
    assert.match(
      r.message,
      new RegExp(`cache file ${cacheFile} \\(revision 7\\) is not valid either`),
    );
  });
});
