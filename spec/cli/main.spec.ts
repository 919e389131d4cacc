import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliProcess } from '../support/cli.js';

describe('hotrc (main)', () => {
  it('lists the commands on --help and exits 0', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    for (const c of ['check FILE', 'dump FILE', 'schema']) assert.ok(r.stdout.includes(c), c);
  });

  it('exits 2 with one clear line for a missing or unknown command', async () => {
    assert.equal((await cli()).code, 2);
    const r = await cli('frobnicate');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "hotrc: unknown command 'frobnicate' (try hotrc --help)\n");
  });

  it('exits 2 with one clear line for an unknown option', async () => {
    const r = await cli('check', '--bogus', 'x');
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^hotrc check: Unknown option '--bogus'/);
  });

  it("prints each command's --help", async () => {
    for (const c of ['check', 'dump', 'schema']) {
      const r = await cli(c, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: hotrc ${c}`));
    }
  });

  it('runs as a real process with the exit status of the command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hotrc-cli-'));
    try {
      await writeFile(join(dir, 'good'), 'LogLevel debug\n');
      await writeFile(join(dir, 'bad'), 'LogLevel loud\n');
      const good = await cliProcess('check', join(dir, 'good'));
      assert.deepEqual([good.code, good.stdout], [0, 'Configuration was valid\n']);
      const bad = await cliProcess('check', join(dir, 'bad'));
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, new RegExp(`^${join(dir, 'bad')}:1: Could not parse LogLevel`));
      assert.equal((await cliProcess('nope')).code, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
