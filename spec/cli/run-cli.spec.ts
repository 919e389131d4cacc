import assert from 'node:assert/strict';
import { runCli } from '../../lib/cli/run-cli.js';
import { cli } from '../support/cli.js';

describe('runCli', () => {
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

  it('turns an unexpected error into one line and exit 70, never a stack trace', async () => {
    let stderr = '';
    const code = await runCli(['schema'], {
      stdout: () => {
        throw new Error('stdout is gone\n  and this is line two');
      },
      stderr: (s) => {
        stderr += s;
      },
    });
    assert.equal(code, 70);
    assert.equal(stderr, 'hotrc schema: internal error: stdout is gone and this is line two\n');
  });

  it('still resolves with 70 when stderr fails too', async () => {
    const broken = () => {
      throw new Error('closed');
    };
    assert.equal(await runCli(['schema'], { stdout: broken, stderr: broken }), 70);
  });

  it('documents the exit statuses in --help', async () => {
    assert.match((await cli('--help')).stdout, /70 internal error/);
  });
});
