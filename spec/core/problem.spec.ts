import assert from 'node:assert/strict';
import { errorsOf, formatProblem } from '../../lib/core/problem.js';

describe('formatProblem', () => {
  it('prints FILE:LINE: message without a column, as before', () => {
    assert.equal(
      formatProblem({ severity: 'error', message: 'bad', file: 'torrc', line: 2 }),
      'torrc:2: bad',
    );
    assert.equal(
      formatProblem({ severity: 'warning', message: 'hm', file: 'torrc', line: 2 }),
      'torrc:2: warning: hm',
    );
    assert.equal(formatProblem({ severity: 'error', message: 'bad', file: 'torrc' }), 'torrc: bad');
    assert.equal(formatProblem({ severity: 'info', message: 'note' }), 'info: note');
  });

  it('prints FILE:LINE:COLUMN: message when the column is known', () => {
    const p = {
      severity: 'error',
      message: 'pool.max: expected a number, got "ten"',
      file: 'app.yaml',
      line: 7,
      column: 8,
    } as const;
    assert.equal(formatProblem(p), 'app.yaml:7:8: pool.max: expected a number, got "ten"');
    assert.equal(
      formatProblem({ ...p, severity: 'warning' }),
      'app.yaml:7:8: warning: pool.max: expected a number, got "ten"',
    );
  });
});

describe('errorsOf', () => {
  it('keeps only errors', () => {
    assert.deepEqual(
      errorsOf([
        { severity: 'warning', message: 'x' },
        { severity: 'error', message: 'y' },
      ]),
      [{ severity: 'error', message: 'y' }],
    );
  });
});
