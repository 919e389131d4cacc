import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { internalErrorLine } from '../../lib/cli/internal-error.js';
import { tsxLoader } from '../support/cli.js';

const moduleUrl = new URL('../../lib/cli/internal-error.ts', import.meta.url).href;

/** Runs `script` (an ES module on stdin) in a child node with tsx. */
function runScript(
  script: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', tsxLoader, '--input-type=module', '-'],
      { timeout: 20_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : (child.exitCode ?? null), stdout, stderr });
      },
    );
    child.stdin?.end(script);
  });
}

describe('internalErrorLine', () => {
  it('is one line naming the command, the error class and its message', () => {
    assert.equal(
      internalErrorLine('watch', new TypeError('x is not a function')),
      'hotrc watch: internal error: TypeError: x is not a function\n',
    );
    assert.equal(
      internalErrorLine('check', new Error('boom')),
      'hotrc check: internal error: boom\n',
    );
    assert.equal(internalErrorLine(undefined, 'a string'), 'hotrc: internal error: a string\n');
  });

  it('folds a multi-line message and never includes the stack', () => {
    const err = new Error('first\n\n   second  \nthird');
    const line = internalErrorLine('dump', err);
    assert.equal(line, 'hotrc dump: internal error: first second third\n');
    assert.ok(!line.includes(' at '));
  });

  it('describes values that cannot describe themselves', () => {
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    assert.equal(
      internalErrorLine('watch', hostile),
      'hotrc watch: internal error: an error that cannot be described\n',
    );
    assert.equal(
      internalErrorLine('watch', new Error('')),
      'hotrc watch: internal error: unknown error\n',
    );
  });
});

describe('exitOnUncaught', function () {
  this.timeout(30_000);

  it('turns an exception thrown outside any promise into one line and exit 70', async () => {
    const r = await runScript(`
      import { exitOnUncaught } from ${JSON.stringify(moduleUrl)};
      exitOnUncaught('watch');
      setTimeout(() => { throw new RangeError('thrown from a timer'); }, 0);
      setTimeout(() => console.log('still running'), 5000);
    `);
    assert.deepEqual(r, {
      code: 70,
      stdout: '',
      stderr: 'hotrc watch: internal error: RangeError: thrown from a timer\n',
    });
  });

  it('does the same for a rejection nobody handles', async () => {
    const r = await runScript(`
      import { exitOnUncaught } from ${JSON.stringify(moduleUrl)};
      exitOnUncaught('check');
      Promise.reject(new Error('nobody awaited me'));
      setTimeout(() => console.log('still running'), 5000);
    `);
    assert.deepEqual(r, {
      code: 70,
      stdout: '',
      stderr: 'hotrc check: internal error: nobody awaited me\n',
    });
  });
});
