import assert from 'node:assert/strict';
import { fleetKeys } from '../../lib/fleet/fleet-keys.js';
import { cli } from '../support/cli.js';
import { fleetCliSuite } from '../support/fleet-cli.js';

describe('hotrc rollback (a real etcd)', function () {
  this.timeout(30_000);
  const s = fleetCliSuite('rollback');

  it('rollback publishes the version before the current one, and is itself recorded', async () => {
    const [r1, r2] = await s.pushAll('ConnLimit 100\n', 'ConnLimit 200\n');
    const r = await cli('rollback', ...s.target());
    assert.equal(r.code, 0, r.stderr);
    const now = await s.value();
    assert.equal(now?.value.toString(), 'ConnLimit 100\n');
    assert.equal(
      r.stdout,
      [
        `${s.key}: revision ${r2} -> ${now?.mod_revision} to the text of revision ${r1}:`,
        '  ConnLimit: 200 -> 100 (needs a restart)',
        `rolled back: ${s.key} is at revision ${now?.mod_revision} (revision ${r2} kept in the history)`,
        '',
      ].join('\n'),
    );
    const history = JSON.parse((await cli('history', ...s.target(), '--json')).stdout);
    assert.deepEqual(
      history.versions.map((v: { revision: string }) => v.revision),
      [now?.mod_revision, r2, r1],
    );
    // And a rollback can be rolled back: the version before is now r2's text.
    const again = await cli('rollback', ...s.target());
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await s.value())?.value.toString(), 'ConnLimit 200\n');
  });

  it('rollback --to publishes a named version; a revision not in the history exits 4', async () => {
    const [r1, r2] = await s.pushAll('ConnLimit 100\n', 'ConnLimit 200\n', 'ConnLimit 300\n');
    const missing = await cli('rollback', ...s.target(), '--to', '999999');
    assert.equal(missing.code, 4);
    assert.equal(
      missing.stderr,
      `hotrc rollback: ${s.key} has no revision 999999 in its history (it holds: ${r2}, ${r1}); nothing written\n`,
    );
    const r = await cli('rollback', ...s.target(), '--to', r1 as string, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.outcome, out.to], ['pushed', r1]);
    assert.equal((await s.value())?.value.toString(), 'ConnLimit 100\n');
    assert.equal((await cli('rollback', ...s.target(), '--to', 'x')).code, 2);
  });

  it('rollback validates the version as a push would: one that no longer loads is refused at KEY@REV:LINE', async () => {
    const [r1] = await s.pushAll('ConnLimit 100\n', 'ConnLimit 200\n');
    // A history entry with an invalid value (as an older hotrc might have accepted).
    const text = 'ConnLimit 0\n';
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(text).digest('hex');
    await s.client
      .put(fleetKeys(s.key).history(r1 as string))
      .value(JSON.stringify({ text, revision: r1, sha256, time: null, who: null }));
    const r = await cli('rollback', ...s.target(), '--to', r1 as string);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `${s.key}@${r1}:1: ConnLimit must be at least 1\nhotrc rollback: refused; nothing written\n`,
    );
    assert.equal((await s.value())?.value.toString(), 'ConnLimit 200\n');
  });

  it('rollback with no earlier version exits 4', async () => {
    await s.pushAll('ConnLimit 100\n');
    const r = await cli('rollback', ...s.target());
    assert.equal(r.code, 4);
    assert.match(r.stderr, /has no version before the current one/);
  });
});
