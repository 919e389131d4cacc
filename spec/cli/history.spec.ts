// `hotrc history` on a real etcd: the listing a human reads and the JSON a script reads, and
// what it says about a deleted key, a record it cannot read, a value not put by hotrc.
import assert from 'node:assert/strict';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { cli } from '../support/cli.js';
import { freePort } from '../support/etcd.js';
import { fleetCliSuite } from '../support/fleet-cli.js';

describe('hotrc history (a real etcd)', function () {
  this.timeout(30_000);
  const s = fleetCliSuite('history');

  it('history lists every version newest first: revision, time, sha256 prefix, who', async () => {
    const [r1, r2, r3] = await s.pushAll('ConnLimit 100\n', 'ConnLimit 200\n', 'ConnLimit 300\n');
    const r = await cli('history', ...s.target());
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
    const json = JSON.parse((await cli('history', ...s.target(), '--json')).stdout);
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
    const r = await cli('history', ...s.target());
    assert.deepEqual(
      [r.code, r.stderr],
      [4, `hotrc history: ${s.key} has no value and no history\n`],
    );
  });

  it('a value put by hand shows "-" for time and who; its text is never printed', async () => {
    await s.client.put(s.key).value('ConnLimit 100\nHashedControlPassword 16:SECRET\n');
    const rev = (await s.value())?.mod_revision as string;
    const r = await cli('history', ...s.target());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', new RegExp(`^${rev}\\s+-\\s+[0-9a-f]{12}\\s+-\\s+\\(current\\)$`));
    const json = await cli('history', ...s.target(), '--json');
    assert.doesNotMatch(r.stdout + json.stdout, /SECRET|ConnLimit/);
    assert.deepEqual(JSON.parse(json.stdout).versions[0].who, null);
  });

  it('a deleted key: says it does not exist now and lists its history; --json has current null', async () => {
    const [r1, r2] = await s.pushAll('ConnLimit 100\n', 'ConnLimit 200\n');
    await s.client.delete().key(s.key);
    const r = await cli('history', ...s.target());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `${s.key} does not exist now; its history:`);
    assert.deepEqual(
      lines.slice(2).map((l) => l.split(/\s+/)[0]),
      [r1],
      'only r1 was replaced by a push; r2 was deleted, not replaced',
    );
    const json = JSON.parse((await cli('history', ...s.target(), '--json')).stdout);
    assert.equal(json.current, null);
    assert.ok(!json.versions.some((v: { revision: string }) => v.revision === r2));
  });

  it('a history record it cannot read is named on stderr and skipped; the rest is listed', async () => {
    const [r1] = await s.pushAll('ConnLimit 100\n', 'ConnLimit 200\n');
    const foreign = fleetKeys(s.key).history('7');
    await s.client.put(foreign).value('{"written":"by someone else"}');
    const r = await cli('history', ...s.target());
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `hotrc history: ${foreign}: not a hotrc history entry; skipped\n`);
    assert.equal(r.stdout.trimEnd().split('\n').length, 3);
    assert.match(r.stdout, new RegExp(`\\n${r1}\\s`));
  });

  it('--json of a key with nothing prints an empty list and exits 4', async () => {
    const r = await cli('history', ...s.target(), '--json');
    assert.equal(r.code, 4);
    assert.deepEqual(JSON.parse(r.stdout), { key: s.key, current: null, versions: [] });
  });

  it('exits 69 with one line when etcd does not answer, 2 on bad usage', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const r = await cli('history', '--etcd', nobody, '--key', s.key);
    assert.equal(r.code, 69);
    assert.match(r.stderr, new RegExp(`^hotrc history: etcd unreachable at ${nobody}: .+\\n$`));
    assert.equal(r.stdout, '');
    assert.equal((await cli('history', 'torrc', ...s.target())).code, 2);
    assert.equal((await cli('history', '--key', s.key)).code, 2);
    assert.equal((await cli('history', '--etcd', s.etcd.endpoint)).code, 2);
    assert.equal((await cli('history', ...s.target(), '--to', '3')).code, 2);
  });
});
