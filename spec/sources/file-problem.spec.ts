import assert from 'node:assert/strict';
import { type FileProblemKind, fileProblem, isRefusal } from '../../lib/sources/file-problem.js';

describe('sources/file-problem', () => {
  it('fileProblem is frozen, and has a code only when given one', () => {
    const missing = fileProblem('missing', '/t', '/t: no such file (ENOENT)', 'ENOENT');
    assert.deepEqual(missing, {
      kind: 'missing',
      path: '/t',
      message: '/t: no such file (ENOENT)',
      code: 'ENOENT',
    });
    assert.ok(Object.isFrozen(missing));
    const insecure = fileProblem('insecure', '/t', 'refusing /t: mode 0666 is world-writable');
    assert.equal('code' in insecure, false);
  });

  it('isRefusal: the policy refusals, and nothing a file can merely be', () => {
    const kinds: ReadonlyArray<readonly [FileProblemKind, boolean]> = [
      ['insecure', true],
      ['outside-root', true],
      ['too-large', true],
      ['path', true],
      ['missing', false],
      ['denied', false],
      ['not-file', false],
      ['io', false],
      ['empty', false],
    ];
    for (const [kind, refusal] of kinds) assert.equal(isRefusal(kind), refusal, kind);
  });
});
