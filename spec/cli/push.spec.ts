import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import * as E from 'fp-ts/lib/Either.js';
import { loadDocument } from '../../lib/engine/load-document.js';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { decodeHistoryEntry } from '../../lib/fleet/history-entry.js';
import { sha256Hex } from '../../lib/fleet/push-read.js';
import { decodePushRecord } from '../../lib/fleet/push-record.js';
import { connectEtcd, defaultMaxValueBytes } from '../../lib/sources/etcd-connect.js';
import { loadTorrc } from '../../lib/tor/config-file.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { cli } from '../support/cli.js';
import { EtcdServer, needEtcd, type SharedEtcd, sharedEtcd, specKey } from '../support/etcd.js';
import { appProfileSource, type ModuleDir, moduleDir } from '../support/profile-modules.js';

describe('hotrc push (a real etcd)', function () {
  this.timeout(30_000);
  let etcd: SharedEtcd;
  let bin: string;
  let client: Etcd3;
  let dir: string;
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
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-push-'));
    key = specKey('push');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const push = (path: string, ...more: string[]) =>
    cli('push', path, '--etcd', etcd.endpoint, '--key', key, ...more);
  const stored = async (k = key) => (await client.get(k).exec()).kvs[0];

  it('lands a valid torrc with its push record, and keeps the value it replaces in the history', async () => {
    const first = await file('torrc', 'SocksPort 9050\nConnLimit 100\n');
    const r1 = await push(first);
    assert.equal(r1.code, 0, r1.stderr);
    const kv1 = await stored();
    assert.ok(kv1 !== undefined);
    assert.equal(kv1.value.toString(), 'SocksPort 9050\nConnLimit 100\n');
    assert.match(r1.stdout, new RegExp(`pushed: ${key} is at revision ${kv1.mod_revision}\\n$`));

    const second = await file('torrc2', 'SocksPort 9150\nConnLimit 100\n');
    const r2 = await push(second);
    assert.equal(r2.code, 0, r2.stderr);
    const kv2 = await stored();
    assert.ok(kv2 !== undefined);
    assert.equal(kv2.value.toString(), 'SocksPort 9150\nConnLimit 100\n');
    assert.equal(
      r2.stdout,
      [
        `${key}: revision ${kv1.mod_revision} -> ${kv2.mod_revision}:`,
        '  SocksPort: 9050 -> 9150 (needs a restart)',
        `pushed: ${key} is at revision ${kv2.mod_revision} (revision ${kv1.mod_revision} kept in the history)`,
        '',
      ].join('\n'),
    );
    const keys = fleetKeys(key);
    // The push record was written in the same transaction: same mod_revision as the value.
    const record = (await client.get(keys.lastPush).exec()).kvs[0];
    assert.equal(record?.mod_revision, kv2.mod_revision);
    const push2 = decodePushRecord(record?.value.toString() ?? '');
    assert.ok(E.isRight(push2));
    assert.equal(push2.right.sha256, sha256Hex(kv2.value));
    const history = (await client.get(keys.history(kv1.mod_revision)).exec()).kvs[0];
    assert.equal(history?.mod_revision, kv2.mod_revision);
    const entry = decodeHistoryEntry(history?.value.toString() ?? '');
    assert.ok(E.isRight(entry));
    assert.deepEqual(
      { ...entry.right, time: typeof entry.right.time, who: typeof entry.right.who },
      {
        text: 'SocksPort 9050\nConnLimit 100\n',
        revision: kv1.mod_revision,
        sha256: sha256Hex(Buffer.from('SocksPort 9050\nConnLimit 100\n')),
        time: 'string',
        who: 'string',
      },
    );
  });

  it('refuses an invalid file with each problem at FILE:LINE and writes nothing', async () => {
    const bad = await file('torrc', 'SocksPort 9050\nMaxCircuitDirtiness 10 min\nConnLimit 0\n');
    const r = await push(bad);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      [
        `${bad}:2: Could not parse MaxCircuitDirtiness: Unknown unit in 10 min`,
        `${bad}:3: ConnLimit must be at least 1`,
        'hotrc push: refused; nothing written',
        '',
      ].join('\n'),
    );
    // Not one write: nothing under the key (no value, history or push record).
    assert.deepEqual(await client.getAll().prefix(key).keys(), []);
  });

  it('says "unchanged" and writes nothing when etcd holds the same text', async () => {
    const path = await file('torrc', 'SocksPort 9050\n');
    assert.equal((await push(path)).code, 0);
    const rev = (await stored())?.mod_revision;
    const again = await push(path);
    assert.deepEqual(
      [again.code, again.stdout],
      [0, `unchanged: ${key} holds this text already (revision ${rev}); nothing written\n`],
    );
    assert.equal((await stored())?.mod_revision, rev);
  });

  it('exits 75 naming the current revision when --expect-revision is not the current one', async () => {
    const path = await file('torrc', 'SocksPort 9050\n');
    assert.equal((await push(path)).code, 0);
    const rev = (await stored())?.mod_revision as string;
    const next = await file('torrc2', 'SocksPort 9150\n');
    const stale = await push(next, '--expect-revision', String(Number(rev) - 1));
    assert.equal(stale.code, 75);
    assert.match(
      stale.stderr,
      new RegExp(`conflict: ${key} is at revision ${rev}, not at revision`),
    );
    assert.equal((await stored())?.value.toString(), 'SocksPort 9050\n');
    const absent = await push(next, '--expect-revision', '0');
    assert.equal(absent.code, 75);
    assert.match(absent.stderr, new RegExp(`is at revision ${rev}, not absent`));
    const right = await push(next, '--expect-revision', rev);
    assert.equal(right.code, 0, right.stderr);
  });

  it('two pushes racing from the same revision: exactly one wins, the other exits 75 naming the winner (40 rounds)', async () => {
    const a = await file('a', 'SocksPort 9050\n');
    assert.equal((await push(a)).code, 0);
    let wins = 0;
    for (let round = 0; round < 40; round++) {
      const rev = (await stored())?.mod_revision as string;
      const x = await file(`x${round}`, `SocksPort ${10000 + round}\n`);
      const y = await file(`y${round}`, `SocksPort ${20000 + round}\n`);
      const [rx, ry] = await Promise.all([
        push(x, '--expect-revision', rev),
        push(y, '--expect-revision', rev),
      ]);
      const codes = [rx.code, ry.code].sort();
      assert.deepEqual(codes, [0, 75], `round ${round}: ${rx.stderr} ${ry.stderr}`);
      const now = await stored();
      const winner = rx.code === 0 ? x : y;
      const loser = rx.code === 0 ? ry : rx;
      assert.equal(
        now?.value.toString(),
        winner.endsWith(`x${round}`)
          ? `SocksPort ${10000 + round}\n`
          : `SocksPort ${20000 + round}\n`,
      );
      assert.match(
        loser.stderr,
        new RegExp(`is at revision ${now?.mod_revision}, not at revision ${rev}`),
      );
      wins++;
    }
    assert.equal(wins, 40);
  });

  it('two pushes started at once without --expect-revision never lose an update (20 rounds)', async () => {
    const a = await file('a', 'SocksPort 9050\n');
    assert.equal((await push(a)).code, 0);
    const keys = fleetKeys(key);
    for (let round = 0; round < 20; round++) {
      const texts = [`SocksPort ${30000 + round}\n`, `SocksPort ${40000 + round}\n`];
      const paths = await Promise.all(texts.map((t, i) => file(`r${round}-${i}`, t)));
      const results = await Promise.all(paths.map((p) => push(p)));
      for (const r of results) assert.ok([0, 75].includes(r.code), r.stderr);
      // Every push that says it landed is either live or kept in the history.
      const history = (await client.getAll().prefix(keys.historyPrefix).strings()) as Record<
        string,
        string
      >;
      const kept = new Set(Object.values(history).map((v) => JSON.parse(v).text as string));
      kept.add((await stored())?.value.toString() ?? '');
      results.forEach((r, i) => {
        if (r.code === 0)
          assert.ok(kept.has(texts[i] as string), `round ${round}: lost ${texts[i]}`);
      });
    }
  });

  it('refuses a torrc with %include at its line; --inline-includes lands it inlined, meaning the same', async () => {
    await mkdir(join(dir, 'torrc.d'));
    await writeFile(join(dir, 'torrc.d', '10-pool.conf'), 'CircuitPoolMaxSize 20\n');
    await writeFile(join(dir, 'torrc.d', '20-port.conf'), 'SocksPort 9150 # local\n');
    const main = await file('torrc', '# main\nConnLimit 100\n%include torrc.d\nLogLevel info\n');
    const refused = await push(main);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `${main}:3: %include "torrc.d": a host cannot read it from etcd (push --inline-includes puts what it includes in its place)\nhotrc push: refused; nothing written\n`,
    );
    assert.equal(await stored(), undefined);

    const inlined = await push(main, '--inline-includes');
    assert.equal(inlined.code, 0, inlined.stderr);
    assert.match(inlined.stdout, /\(%include lines inlined\)/);
    const value = (await stored())?.value.toString() ?? '';
    assert.doesNotMatch(value, /^%include/m);
    assert.match(
      value,
      /^# main\nConnLimit 100\n# %include "torrc.d", inlined by hotrc push from /,
    );
    assert.match(value, /\nCircuitPoolMaxSize 20\nSocksPort 9150\nLogLevel info\n$/);
    // The value a host loads is the config the file with its includes gives.
    const original = await loadTorrc(main);
    const fromEtcd = await loadDocument(
      torProfile,
      { bytes: Buffer.from(value), file: key, signal: new AbortController().signal },
      { base: torProfile.defaults, strict: false },
    );
    assert.ok(E.isRight(original) && E.isRight(fromEtcd));
    assert.deepEqual(fromEtcd.right.config, original.right.config);
    assert.deepEqual(fromEtcd.right.files, [key]);
  });

  it('refuses a value over the 1 MiB limit and writes nothing', async () => {
    const big = `SocksPort 9050\n${'#'.repeat(defaultMaxValueBytes)}\n`;
    const path = await file('torrc', big);
    const r = await push(path);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`^${path}: ${big.length} bytes: over the ${defaultMaxValueBytes}-byte limit`),
    );
    assert.equal(await stored(), undefined);
  });

  it('refuses to replace a stored value that does not load with the profile, unless --force', async () => {
    await client.put(key).value('ConnLimit 0\n');
    const rev = (await stored())?.mod_revision as string;
    const path = await file('torrc', 'ConnLimit 100\n');
    const refused = await push(path);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `hotrc push: the value at ${key} (revision ${rev}) does not load with profile 'torrc'; nothing written (--force replaces it):\n${key}@${rev}:1: ConnLimit must be at least 1\n`,
    );
    assert.equal((await stored())?.value.toString(), 'ConnLimit 0\n');
    const forced = await push(path, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /did not load with profile 'torrc': no field diff/);
    const entry = (await client.get(fleetKeys(key).history(rev)).exec()).kvs[0];
    assert.equal(JSON.parse(entry?.value.toString() ?? '{}').text, 'ConnLimit 0\n');
    assert.equal(JSON.parse(entry?.value.toString() ?? '{}').who, null);
  });

  it('--json prints the outcome as one JSON object', async () => {
    const path = await file('torrc', 'ConnLimit 100\n');
    const r = await push(path, '--json');
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      { ...out, id: typeof out.id },
      {
        outcome: 'pushed',
        key,
        revision: (await stored())?.mod_revision,
        previous: null,
        sha256: sha256Hex(Buffer.from('ConnLimit 100\n')),
        changes: [{ field: 'ConnLimit', text: 'ConnLimit: 1000 -> 100', reloadable: false }],
        warnings: [],
        inlined: false,
        id: 'string',
      },
    );
  });

  it('exits 69 at once with one line when etcd does not answer (a stopped server)', async () => {
    const down = await EtcdServer.start(bin);
    await down.stop();
    const path = await file('torrc', 'ConnLimit 100\n');
    const r = await cli('push', path, '--etcd', down.endpoint, '--key', key);
    assert.equal(r.code, 69);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^hotrc push: etcd unreachable at ${down.endpoint}: .+\\n$`));
    // An invalid file is refused before etcd is asked anything.
    const bad = await file('bad', 'ConnLimit 0\n');
    assert.equal((await cli('push', bad, '--etcd', down.endpoint, '--key', key)).code, 1);
  });

  it('exits 2 without --etcd or --key, or with a bad one', async () => {
    const path = await file('torrc', 'ConnLimit 100\n');
    assert.equal((await cli('push', path, '--key', key)).code, 2);
    assert.equal((await cli('push', path, '--etcd', etcd.endpoint)).code, 2);
    assert.equal((await cli('push', path, '--etcd', 'nohost', '--key', key)).code, 2);
    assert.equal((await cli('push', path, '--etcd', etcd.endpoint, '--key', '/k/')).code, 2);
    assert.equal((await push(path, '--expect-revision', 'x')).code, 2);
  });
});

describe('hotrc push --profile (a real etcd)', function () {
  this.timeout(30_000);
  let etcd: SharedEtcd;
  let modules: ModuleDir;
  let yamlProfile: string;
  let dir: string;
  before(async function () {
    etcd = await sharedEtcd(needEtcd(this));
    modules = await moduleDir();
    yamlProfile = await modules.write('yaml-profile.mjs', appProfileSource('yamlFormat'));
  });
  after(async () => {
    await modules?.remove();
    await etcd?.release();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-push-profile-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the profile diff with secrets redacted, and refuses an invalid YAML at FILE:LINE:COLUMN', async () => {
    const path = join(dir, 'app.yaml');
    const appKey = specKey('push-profile');
    const run = () =>
      cli('push', path, '--etcd', etcd.endpoint, '--key', appKey, '--profile', yamlProfile);
    await writeFile(path, 'db:\n  url: postgres://db/app\n  password: first-secret\n');
    assert.equal((await run()).code, 0);
    await writeFile(path, 'db:\n  url: postgres://db/app\n  password: second-secret\n');
    const r = await run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /db\.password/);
    assert.doesNotMatch(r.stdout, /first-secret|second-secret/);
    await writeFile(path, 'pool:\n  max: ten\n');
    const bad = await run();
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`^${path}:2:8: pool.max: expected a number, got "ten"\\n`));
  });
});
