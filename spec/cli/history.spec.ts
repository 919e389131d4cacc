// `hotrc history` on a real etcd: the listing a human reads and the JSON a script reads, and
// what it says about a deleted key, a record it cannot read, a value not put by hotrc.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import { cli } from '../support/cli.js';
import { freePort, needEtcd, type SharedEtcd, sharedEtcd, specKey } from '../support/etcd.js';

describe('hotrc history (a real etcd)', function () {
  this.timeout(30_000);
  let etcd: SharedEtcd;
  let client: Etcd3;
  let dir: string;
  let key: string;
  before(async function () {
    etcd = await sharedEtcd(needEtcd(this));
    client = await connectEtcd({ hosts: etcd.endpoint });
  });
  after(async () => {
    client?.close();
    await etcd?.release();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-history-'));
    key = specKey('history');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const target = () => ['--etcd', etcd.endpoint, '--key', key];
  const value = async () => (await client.get(key).exec()).kvs[0];
  // Pushes each text in turn; resolves with the revision each one landed at.
  const pushAll = async (...texts: string[]) => {
    const revisions: string[] = [];
    for (const [i, text] of texts.entries()) {
      const path = join(dir, `torrc-${i}`);
      await writeFile(path, text);
      const r = await cli('push', path, ...target());
      assert.equal(r.code, 0, r.stderr);
      revisions.push((await value())?.mod_revision as string);
    }
    return revisions;
  };

  it('history lists every version newest first: revision, time, sha256 prefix, who', async () => {
    const [r1, r2, r3] = await pushAll('ConnLimit 100\n', 'ConnLimit 200\n', 'ConnLimit 300\n');
    const r = await cli('history', ...target());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^REVISION\s+TIME\s+SHA256\s+WHO$/);
    const row = /^(\d+)\s+(\S+)\s+([0-9a-f]{12})\s+(\S+)\s*(\(current\))?$/;
    const rows = lines.slice(1).map((l) => row.exec(l));
    assert.deepEqual(
      rows.map((m) => [m?.[1], m?.[5]]),
      [
        [r3, '(current)'],
        [r2, undefined],
        [r1, undefined],
      ],
    );
    for (const m of rows) assert.ok(!Number.isNaN(Date.parse(m?.[2] ?? '')));
    const json = JSON.parse((await cli('history', ...target(), '--json')).stdout);
    assert.equal(json.current, r3);
    assert.deepEqual(
      json.versions.map((v: { revision: string; current: boolean }) => [v.revision, v.current]),
      [
        [r3, true],
        [r2, false],
        [r1, false],
      ],
    );
    // No text in the listing: a value may hold secrets.
    assert.equal(json.versions[0].text, undefined);
  });

  it('history of a key with nothing exits 4', async () => {
    const r = await cli('history', ...target());
    assert.deepEqual(
      [r.code, r.stderr],
      [4, `hotrc history: ${key} has no value and no history\n`],
    );
  });

  it('a value put by hand shows "-" for time and who; its text is never printed', async () => {
    await client.put(key).value('ConnLimit 100\nHashedControlPassword 16:SECRET\n');
    const rev = (await value())?.mod_revision as string;
    const r = await cli('history', ...target());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', new RegExp(`^${rev}\\s+-\\s+[0-9a-f]{12}\\s+-\\s+\\(current\\)$`));
    const json = await cli('history', ...target(), '--json');
    assert.doesNotMatch(r.stdout + json.stdout, /SECRET|ConnLimit/);
    assert.deepEqual(JSON.parse(json.stdout).versions[0].who, null);
  });

  it('a deleted key: says it does not exist now and lists its history; --json has current null', async () => {
    const [r1, r2] = await pushAll('ConnLimit 100\n', 'ConnLimit 200\n');
    await client.delete().key(key);
    const r = await cli('history', ...target());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `${key} does not exist now; its history:`);
    assert.deepEqual(
      lines.slice(2).map((l) => l.split(/\s+/)[0]),
      [r1],
      'only r1 was replaced by a push; r2 was deleted, not replaced',
    );
    const json = JSON.parse((await cli('history', ...target(), '--json')).stdout);
    assert.equal(json.current, null);
    assert.ok(!json.versions.some((v: { revision: string }) => v.revision === r2));
  });

  it('a history record it cannot read is named on stderr and skipped; the rest is listed', async () => {
    const [r1] = await pushAll('ConnLimit 100\n', 'ConnLimit 200\n');
    const foreign = fleetKeys(key).history('7');
    await client.put(foreign).value('{"written":"by someone else"}');
    const r = await cli('history', ...target());
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `hotrc history: ${foreign}: not a hotrc history entry; skipped\n`);
    assert.equal(r.stdout.trimEnd().split('\n').length, 3);
    assert.match(r.stdout, new RegExp(`\\n${r1}\\s`));
  });

  it('--json of a key with nothing prints an empty list and exits 4', async () => {
    const r = await cli('history', ...target(), '--json');
    assert.equal(r.code, 4);
    assert.deepEqual(JSON.parse(r.stdout), { key, current: null, versions: [] });
  });

  it('exits 69 with one line when etcd does not answer, 2 on bad usage', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const r = await cli('history', '--etcd', nobody, '--key', key);
    assert.equal(r.code, 69);
    assert.match(r.stderr, new RegExp(`^hotrc history: etcd unreachable at ${nobody}: .+\\n$`));
    assert.equal(r.stdout, '');
    assert.equal((await cli('history', 'torrc', ...target())).code, 2);
    assert.equal((await cli('history', '--key', key)).code, 2);
    assert.equal((await cli('history', '--etcd', etcd.endpoint)).code, 2);
    assert.equal((await cli('history', ...target(), '--to', '3')).code, 2);
  });
});
