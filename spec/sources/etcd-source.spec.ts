// The etcd source against a real etcd (spec/support/etcd.ts): what one look says, what the hints
// say across a kill and a restart, and that nothing is held once nobody subscribes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Etcd3 } from 'etcd3';
import {
  asyncScheduler,
  firstValueFrom,
  lastValueFrom,
  type Observable,
  ReplaySubject,
  type Subscription,
} from 'rxjs';
import type { ChangeHint, ReadResult, SourceHealth, SourceState } from '../../lib/core/source.js';
import { etcdSource, resolveEtcdSourceOptions } from '../../lib/sources/etcd-source.js';
import { tsxLoader } from '../support/cli.js';
import { type EtcdServer, freePort, withOwnEtcd } from '../support/etcd.js';
import { eventually, sleep, until, WAIT } from '../support/waiting.js';

const childScript = fileURLToPath(new URL('../support/etcd-source-child.ts', import.meta.url));

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function readOf(state: SourceState): Promise<ReadResult> {
  assert.equal(state.kind, 'snapshot');
  return firstValueFrom((state as Extract<SourceState, { kind: 'snapshot' }>).read());
}

describe('resolveEtcdSourceOptions', () => {
  it('refuses bad options at once', () => {
    assert.throws(() => resolveEtcdSourceOptions({ hosts: [], key: '/k' }), /needs hosts/);
    assert.throws(() => resolveEtcdSourceOptions({ hosts: 'h:1', key: '' }), /needs a key/);
    assert.throws(
      () => resolveEtcdSourceOptions({ hosts: 'h:1', key: '/k', resync: 5 } as never),
      /unknown etcdSource option 'resync'/,
    );
    assert.throws(
      () => resolveEtcdSourceOptions({ hosts: 'h:1', key: '/k', maxBytes: 0 }),
      /maxBytes/,
    );
    assert.equal(resolveEtcdSourceOptions({ hosts: 'h:1', key: '/k' }).maxBytes, 1024 * 1024);
  });
});

describe('etcdSource (a real etcd)', function () {
  this.timeout(30_000);
  let server: EtcdServer;
  let client: Etcd3;
  let key: string;
  let n = 0;
  const subscriptions: Subscription[] = [];

  withOwnEtcd((s, c) => {
    server = s;
    client = c;
  });
  beforeEach(() => {
    key = `/spec/source/${++n}`;
  });
  afterEach(async () => {
    for (const s of subscriptions.splice(0)) s.unsubscribe();
    if (!server.running) await server.restart();
  });

  const source = (extra: Record<string, unknown> = {}) =>
    etcdSource({
      hosts: server.endpoint,
      key,
      callTimeoutMs: 1000,
      backoffMinMs: 20,
      backoffMaxMs: 200,
      ...extra,
    });

  function recorded<T>(stream: Observable<T>): { seen: T[]; stream: ReplaySubject<T> } {
    const seen: T[] = [];
    const replay = new ReplaySubject<T>();
    subscriptions.push(
      stream.subscribe((v) => {
        seen.push(v);
        replay.next(v);
      }),
    );
    return { seen, stream: replay };
  }

  it("looks with one get: the version is the key's mod_revision, the bytes its value", async () => {
    const put = await client.put(key).value('LogLevel info\n').exec();
    const state = await lastValueFrom(source().look());
    assert.equal(state.kind, 'snapshot');
    assert.equal((state as { version: string }).version, put.header.revision);
    const read = await readOf(state);
    assert.equal(read.kind, 'read');
    assert.equal(Buffer.from((read as { bytes: Uint8Array }).bytes).toString(), 'LogLevel info\n');
    assert.equal((read as { sha256: string }).sha256, sha('LogLevel info\n'));
  });

  it('a missing key is an io problem of cause missing', async () => {
    const state = await lastValueFrom(source().look());
    assert.equal(state.kind, 'problem');
    const { rejection } = state as Extract<SourceState, { kind: 'problem' }>;
    assert.deepEqual([rejection.kind, rejection.cause], ['io', 'missing']);
    assert.equal(rejection.reason, `etcd key ${key} does not exist`);
  });

  it('a value over maxBytes is refused as security/too-large before it is read, at its revision', async () => {
    await client.put(key).value('x'.repeat(101)).exec();
    const state = await lastValueFrom(source({ maxBytes: 100 }).look());
    const read = await readOf(state);
    assert.equal(read.kind, 'problem');
    const { rejection } = read as Extract<ReadResult, { kind: 'problem' }>;
    assert.deepEqual([rejection.kind, rejection.cause], ['security', 'too-large']);
    assert.match(rejection.reason, /holds 101 bytes, more than maxBytes \(100\)/);
  });

  it('etcd out of reach is io/unreachable naming the hosts, and health() says since when', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const s = etcdSource({ hosts: dead, key, callTimeoutMs: 300 });
    const health = recorded(s.health());
    const state = await lastValueFrom(s.look());
    assert.equal(state.kind, 'problem');
    const { rejection } = state as Extract<SourceState, { kind: 'problem' }>;
    assert.deepEqual([rejection.kind, rejection.cause], ['io', 'unreachable']);
    assert.match(rejection.reason, new RegExp(`cannot reach etcd at ${dead} for key ${key}: `));
    const h = await until(health.stream, () => true, 'the health');
    assert.equal(h.reachable, false);
    assert.equal(h.detail, rejection.reason);
    assert.ok(h.since <= Date.now());
  });

  it('health() turns unreachable when etcd is killed, and reachable again once it is back', async () => {
    await client.put(key).value('a').exec();
    const s = source();
    const health = recorded<SourceHealth>(s.health());
    await lastValueFrom(s.look());
    await until(health.stream, (h) => h.reachable, 'reachable');
    await server.kill();
    assert.equal((await lastValueFrom(s.look())).kind, 'problem');
    const down = await until(health.stream, (h) => !h.reachable, 'unreachable');
    await server.restart();
    // A look is what tells: look until one reaches the restarted member.
    while (health.seen.at(-1)?.reachable !== true) await lastValueFrom(s.look());
    const up = health.seen.at(-1) as SourceHealth;
    assert.ok(up.since >= down.since);
  });

  it('hints armed and changed when the watch connects, changed on each put', async () => {
    const hints = recorded<ChangeHint>(source().changeHints(asyncScheduler));
    await until(hints.stream, (h) => h.kind === 'armed', 'armed');
    const before = hints.seen.filter((h) => h.kind === 'changed').length;
    assert.ok(before >= 1, 'a look on connecting');
    await client.put(key).value('b').exec();
    await eventually(
      () => hints.seen.filter((h) => h.kind === 'changed').length > before,
      'a changed hint for the put',
    );
  });

  it("serves a put event's value at its revision, and still sees a delete after it", async () => {
    const src = source();
    const hints = recorded<ChangeHint>(src.changeHints(asyncScheduler));
    await until(hints.stream, (h) => h.kind === 'armed', 'armed');
    const changedCount = () => hints.seen.filter((h) => h.kind === 'changed').length;
    const lookAfterHint = async (act: () => Promise<unknown>) => {
      const before = changedCount();
      await act();
      await eventually(() => changedCount() > before, 'a changed hint');
      return lastValueFrom(src.look());
    };

    let a = '';
    const first = await lookAfterHint(async () => {
      a = (await client.put(key).value('LogLevel info\n').exec()).header.revision;
    });
    assert.equal(first.kind, 'snapshot');
    assert.equal((first as { version: string }).version, a);
    assert.equal(
      Buffer.from(((await readOf(first)) as { bytes: Uint8Array }).bytes).toString(),
      'LogLevel info\n',
    );

    const gone = await lookAfterHint(() => client.delete().key(key).exec());
    assert.equal(gone.kind, 'problem');
    assert.equal((gone as { rejection: { cause: string } }).rejection.cause, 'missing');

    let b = '';
    const back = await lookAfterHint(async () => {
      b = (await client.put(key).value('LogLevel notice\n').exec()).header.revision;
    });
    assert.equal((back as { version: string }).version, b);
    assert.ok(BigInt(b) > BigInt(a));
  });

  it('hints changed on the jittered safety-net period, with no put at all', async () => {
    const hints = recorded<ChangeHint>(source({ resyncMs: 50 }).changeHints(asyncScheduler));
    await until(hints.stream, (h) => h.kind === 'armed', 'armed');
    await eventually(
      () => hints.seen.filter((h) => h.kind === 'changed').length >= 4,
      'periodic changed hints',
    );
  });

  it('after etcd is killed: unavailable (and a look), then a new watch armed once it is back', async () => {
    const hints = recorded<ChangeHint>(source().changeHints(asyncScheduler));
    await until(hints.stream, (h) => h.kind === 'armed', 'armed');
    await server.kill();
    const lost = await until(hints.stream, (h) => h.kind === 'unavailable', 'unavailable');
    assert.match(
      (lost as { reason: string }).reason,
      new RegExp(`the etcd watch on ${key} failed`),
    );
    const count = hints.seen.length;
    await server.restart();
    await eventually(
      () => hints.seen.slice(count).some((h) => h.kind === 'armed'),
      'armed again after the restart',
    );
  });

  const bytesOf = async (state: SourceState) =>
    Buffer.from(((await readOf(state)) as { bytes: Uint8Array }).bytes).toString();

  // The key put once, a backup taken, the key put `puts` more times and looked at (`newest`,
  // its revision then), and the backup restored: `use` runs on the restored etcd.
  async function afterRestore(
    puts: number,
    use: (src: ReturnType<typeof source>, health: SourceHealth[], newest: string) => Promise<void>,
  ): Promise<void> {
    const src = source();
    const health = recorded<SourceHealth>(src.health());
    await client.put(key).value('LogLevel info\n').exec();
    const dir = await mkdtemp(join(tmpdir(), 'hotrc-etcd-snapshot-'));
    try {
      const backup = join(dir, 'backup.db');
      server.saveSnapshot(backup);
      let newest = '';
      for (let i = 0; i < puts; i++) {
        newest = (await client.put(key).value(`LogLevel notice # ${i}\n`).exec()).header.revision;
      }
      const before = await lastValueFrom(src.look());
      assert.equal((before as { version: string }).version, newest);
      await server.restoreSnapshot(backup);
      await use(src, health.seen, newest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('follows etcd restored from a backup: its value, then a put at a revision below any seen before', () =>
    afterRestore(5, async (src, health, newest) => {
      // The store is back at the backup: the host follows it, rather than keep the newest value
      // it saw as if this were a lagging answer. The first looks may find the client's
      // connection still broken by the restart.
      let restored: SourceState = await lastValueFrom(src.look());
      for (let i = 0; restored.kind !== 'snapshot' && i < 50; i++) {
        await sleep(100);
        restored = await lastValueFrom(src.look());
      }
      assert.equal(restored.kind, 'snapshot');
      assert.ok(BigInt((restored as { version: string }).version) < BigInt(newest));
      assert.equal(await bytesOf(restored), 'LogLevel info\n');
      assert.match(
        health.at(-1)?.detail ?? '',
        new RegExp(
          `its revision went back from ${newest} to \\d+ \\(restored from a backup\\?\\); following it`,
        ),
      );
      // A push made after the restore lands below the old newest revision, and is served.
      const pushed = (await client.put(key).value('LogLevel warn\n').exec()).header.revision;
      assert.ok(BigInt(pushed) < BigInt(newest));
      const after = await lastValueFrom(src.look());
      assert.equal((after as { version: string }).version, pushed);
      assert.equal(await bytesOf(after), 'LogLevel warn\n');
    }));

  it('follows etcd restored from a backup that other keys have taken past every revision seen, when this key is older than it was', () =>
    afterRestore(3, async (src, health, newest) => {
      // While this host looks nowhere, other hosts' records take the store past `newest`.
      let store = 0n;
      for (let i = 0; store <= BigInt(newest); i++) {
        for (let tries = 0; ; tries++) {
          try {
            store = BigInt(
              (await client.put(`${key}/other`).value(String(i)).exec()).header.revision,
            );
            break;
          } catch (err) {
            if (tries > 50) throw err;
            await sleep(100);
          }
        }
      }
      const restored = await lastValueFrom(src.look());
      assert.equal(restored.kind, 'snapshot');
      assert.ok(BigInt((restored as { version: string }).version) < BigInt(newest));
      assert.equal(await bytesOf(restored), 'LogLevel info\n');
      assert.match(
        health.at(-1)?.detail ?? '',
        new RegExp(
          `key ${key} went back from revision ${newest} to \\d+ \\(restored from a backup\\?\\); following it`,
        ),
      );
    }));

  it('holds nothing once nobody subscribes: a child process using it exits by itself', async () => {
    await client.put(key).value('LogLevel notice\n').exec();
    const child = spawn(
      process.execPath,
      ['--import', tsxLoader, childScript, server.endpoint, key],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(
      code,
      0,
      `the child did not exit by itself (killed: something kept it alive); stderr: ${err}`,
    );
    assert.match(out, /^snapshot \d+\n$/);
  });
});
