import assert from 'node:assert/strict';
import type { Problem } from '../../lib/core/problem.js';
import { ConfigError } from '../../lib/engine/config-error.js';

const problems: ReadonlyArray<Problem> = [
  {
    severity: 'error',
    message: 'pool.max: expected a number, got "ten"',
    file: 'app.yaml',
    line: 7,
    column: 10,
  },
  { severity: 'warning', message: 'unknown key colour', file: 'app.yaml', line: 2, column: 1 },
  { severity: 'error', message: 'ConnLimit must be at least 1', file: '/etc/tor/torrc', line: 3 },
  {
    severity: 'error',
    message: '/etc/app/app.yaml: no such file (ENOENT)',
    file: '/etc/app/app.yaml',
  },
];

describe('ConfigError', () => {
  it('is an Error named ConfigError that keeps the path and every problem', () => {
    const e = new ConfigError('app.yaml', problems);
    assert.ok(e instanceof Error);
    assert.ok(e instanceof ConfigError);
    assert.equal(e.name, 'ConfigError');
    assert.equal(e.path, 'app.yaml');
    assert.deepEqual(e.problems, problems);
    assert.match(String(e), /^ConfigError: Invalid configuration app\.yaml:/);
  });

  it('lists each error on its own line as FILE:LINE[:COLUMN]: message, and no warning', () => {
    const e = new ConfigError('app.yaml', problems);
    assert.equal(
      e.message,
      [
        'Invalid configuration app.yaml:',
        '  app.yaml:7:10: pool.max: expected a number, got "ten"',
        '  /etc/tor/torrc:3: ConnLimit must be at least 1',
        '  /etc/app/app.yaml: /etc/app/app.yaml: no such file (ENOENT)',
      ].join('\n'),
    );
  });

  it('says nothing was refused and nothing watched unless told', () => {
    const e = new ConfigError('app.yaml', problems);
    assert.equal(e.refused, undefined);
    assert.deepEqual(e.watched, []);
  });

  it('keeps which check refused a file, and what the failed load looked at', () => {
    const e = new ConfigError('/etc/tor/torrc', problems.slice(2, 3), {
      refused: 'insecure',
      watched: ['/etc/tor/torrc', '/etc/tor/inc.conf', '/etc/tor'],
    });
    assert.equal(e.refused, 'insecure');
    assert.deepEqual(e.watched, ['/etc/tor/torrc', '/etc/tor/inc.conf', '/etc/tor']);
  });

  it('takes explicitly undefined details as absent', () => {
    const e = new ConfigError('x', [], { refused: undefined, watched: undefined });
    assert.equal(e.refused, undefined);
    assert.deepEqual(e.watched, []);
    assert.equal(e.message, 'Invalid configuration x:');
  });

  it('has a stack, as any thrown error should', () => {
    const e = new ConfigError('x', problems);
    assert.match(e.stack ?? '', /ConfigError/);
  });
});
