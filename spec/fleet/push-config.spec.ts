import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { pushConfig, resolvePushOptions } from '../../lib/fleet/push-config.js';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { type SharedEtcd, specKey, withSharedEtcd } from '../support/etcd.js';

// The real client, except that a transaction's answer is lost: after it ran (`landed`), or
// before it was sent (`never`). etcd3's own retries make the first happen; nothing else can
// make it happen on purpose.
function losingAnswers(client: Etcd3, how: 'landed' | 'never'): Etcd3 {
  return new Proxy(client, {
    get(target, name, receiver) {
      if (name !== 'if') return Reflect.get(target, name, receiver);
      return (...args: Parameters<Etcd3['if']>) => {
        const builder = target.if(...args);
        return new Proxy(builder, {
          get(b, n, r) {
            if (n !== 'commit') {
              const v = Reflect.get(b, n, r);
              return typeof v === 'function'
                ? (...a: unknown[]) => {
                    v.apply(b, a);
                    return r;
                  }
                : v;
            }
            return async () => {
              if (how === 'landed') await b.commit();
              throw new Error('14 UNAVAILABLE: the answer was lost');
            };
          },
        });
      };
    },
  });
}

describe('pushConfig (a real etcd)', function () {
  this.timeout(30_000);
  let etcd: SharedEtcd;
  let client: Etcd3;
  let other: Etcd3;
  let dir: string;
  let key: string;
  withSharedEtcd((e, c) => {
    etcd = e;
    client = c;
  });
  // A second client, for the races: two operators.
  before(async () => {
    other = await connectEtcd({ hosts: etcd.endpoint });
  });
  after(() => other?.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-push-config-'));
    key = specKey('push-config');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const stored = async () => (await client.get(key).exec()).kvs[0];

  it('racing from one revision on two clients: exactly one winner in each of 100 rounds', async () => {
    await pushConfig(client, torProfile, await file('a', 'ConnLimit 100\n'), { key });
    const winners = { a: 0, b: 0 };
    for (let round = 0; round < 100; round++) {
      const rev = (await stored())?.mod_revision as string;
      const [a, b] = await Promise.all([
        pushConfig(client, torProfile, await file(`a${round}`, `ConnLimit ${1000 + round}\n`), {
          key,
          expectRevision: rev,
        }),
        pushConfig(other, torProfile, await file(`b${round}`, `ConnLimit ${5000 + round}\n`), {
          key,
          expectRevision: rev,
        }),
      ]);
      const kinds = [a.kind, b.kind].sort();
      assert.deepEqual(kinds, ['conflict', 'pushed'], `round ${round}`);
      const won = a.kind === 'pushed' ? a : b;
      const lost = a.kind === 'pushed' ? b : a;
      assert.ok(won.kind === 'pushed' && lost.kind === 'conflict');
      assert.equal(lost.current, won.revision);
      winners[a.kind === 'pushed' ? 'a' : 'b']++;
    }
    assert.equal(winners.a + winners.b, 100);
  });

  it('a transaction whose answer is lost after it landed is read back as pushed', async () => {
    const path = await file('torrc', 'ConnLimit 100\n');
    const r = await pushConfig(losingAnswers(client, 'landed'), torProfile, path, { key });
    assert.equal(r.kind, 'pushed');
    assert.ok(r.kind === 'pushed');
    assert.equal(r.readBack, true);
    assert.equal(r.revision, (await stored())?.mod_revision);
  });

  it('a transaction whose answer is lost before it ran is unreachable, and says it did not land', async () => {
    const path = await file('torrc', 'ConnLimit 100\n');
    const r = await pushConfig(losingAnswers(client, 'never'), torProfile, path, { key });
    assert.equal(r.kind, 'unreachable');
    assert.ok(r.kind === 'unreachable');
    assert.match(r.message, /the answer was lost \(read back: the push did not land/);
    assert.equal(await stored(), undefined);
  });

  it("refuses a push whose transaction, with the history entry, would pass etcd's request limit", async () => {
    const big = (port: number) => `ConnLimit ${port}\n${'#'.repeat(900 * 1024)}\n`;
    assert.equal(
      (await pushConfig(client, torProfile, await file('a', big(100)), { key })).kind,
      'pushed',
    );
    const before = await stored();
    const r = await pushConfig(client, torProfile, await file('b', big(200)), { key });
    assert.equal(r.kind, 'invalid');
    assert.ok(r.kind === 'invalid');
    assert.match(r.problems[0]?.message ?? '', /over the \d+-byte limit of an etcd request/);
    assert.equal((await stored())?.mod_revision, before?.mod_revision);
    assert.deepEqual(await client.getAll().prefix(fleetKeys(key).historyPrefix).keys(), []);
  });

  it('checks its options once: an unknown option, a bad key or revision is a TypeError', () => {
    assert.throws(() => resolvePushOptions({ key, forse: true } as never), TypeError);
    assert.throws(() => resolvePushOptions({ key: 'k/' }), TypeError);
    assert.throws(() => resolvePushOptions({ key, expectRevision: '01' }), TypeError);
    assert.equal(resolvePushOptions({ key }).force, false);
  });
});
