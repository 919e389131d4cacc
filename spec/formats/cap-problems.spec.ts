import assert from 'node:assert/strict';
import type { Problem } from '../../lib/core/problem.js';
import { capProblems, maxProblems } from '../../lib/formats/cap-problems.js';

const problem = (line: number): Problem => ({
  severity: 'error',
  message: `p${line}`,
  file: 'f',
  line,
  column: 1,
  field: 'x',
});

describe('capProblems', () => {
  it('keeps a short list as it is', () => {
    const list = Array.from({ length: maxProblems }, (_, i) => problem(i + 1));
    assert.deepEqual(capProblems(list), list);
  });

  it('cuts a long list, saying how many more there were, where the first of them is', () => {
    const list = Array.from({ length: maxProblems + 7 }, (_, i) => problem(i + 1));
    const capped = capProblems(list);
    assert.equal(capped.length, maxProblems + 1);
    assert.deepEqual(capped[maxProblems], {
      severity: 'error',
      message: '7 more problems not shown',
      file: 'f',
      line: maxProblems + 1,
      column: 1,
    });
  });
});
