import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliProcess } from '../support/cli.js';

describe('hotrc (the executable)', () => {
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
