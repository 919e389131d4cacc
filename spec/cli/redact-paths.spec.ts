import assert from 'node:assert/strict';
import { redactedValue, redactPaths } from '../../lib/cli/redact-paths.js';

describe('redactPaths', () => {
  it('replaces the value at each secret path, whatever it is, and keeps the key', () => {
    const config = {
      db: { url: 'postgres://db', password: 'hunter2' },
      api: { key: { id: 'k1', secret: 's1' } },
      pin: 1234,
    };
    assert.deepEqual(redactPaths(config, ['db.password', 'api.key', 'pin']), {
      db: { url: 'postgres://db', password: redactedValue },
      api: { key: redactedValue },
      pin: redactedValue,
    });
  });

  it('lets a * segment match every key of an object and every index of an array', () => {
    const config = {
      upstreams: [
        { host: 'a', token: 'ta' },
        { host: 'b', token: 'tb' },
      ],
      users: { alice: { password: 'pa', name: 'Alice' }, bob: { password: 'pb', name: 'Bob' } },
    };
    assert.deepEqual(redactPaths(config, ['upstreams.*.token', 'users.*.password']), {
      upstreams: [
        { host: 'a', token: '[REDACTED]' },
        { host: 'b', token: '[REDACTED]' },
      ],
      users: {
        alice: { password: '[REDACTED]', name: 'Alice' },
        bob: { password: '[REDACTED]', name: 'Bob' },
      },
    });
  });

  it('matches whole segments only, and leaves paths that are absent alone', () => {
    const config = { password: 'p', passwordHint: 'h', db: { url: 'u' } };
    assert.deepEqual(redactPaths(config, ['password', 'db.password', 'nothing.here']), {
      password: '[REDACTED]',
      passwordHint: 'h',
      db: { url: 'u' },
    });
  });

  it('does not change its input, and keeps a __proto__ key an own key', () => {
    const config = JSON.parse('{"db":{"password":"p"},"__proto__":{"x":1}}') as object;
    const before = structuredClone(config);
    const out = redactPaths(config, ['db.password']) as Record<string, unknown>;
    assert.deepEqual(config, before);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(JSON.stringify(out), '{"db":{"password":"[REDACTED]"},"__proto__":{"x":1}}');
  });

  it('returns the data as it is when there are no secrets', () => {
    const config = { a: 1 };
    assert.equal(redactPaths(config, []), config);
  });
});
