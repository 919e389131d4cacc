import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { type DiffOptions, describeJson, diffPaths } from '../../lib/engine/diff-paths.js';
import { covers } from '../../lib/engine/dotted-path.js';

const everything: DiffOptions = { secrets: [], isReloadable: () => true };
const texts = (a: unknown, b: unknown, options: DiffOptions = everything) =>
  diffPaths(a, b, options).map((c) => c.text);

describe('describeJson', () => {
  it('shows strings bare and everything else as JSON', () => {
    assert.equal(describeJson('info'), 'info');
    assert.equal(describeJson(''), '');
    assert.equal(describeJson(10), '10');
    assert.equal(describeJson(true), 'true');
    assert.equal(describeJson(null), 'null');
    assert.equal(describeJson(['a', 'b']), '["a","b"]');
    assert.equal(describeJson({ max: 1 }), '{"max":1}');
  });

  it('shows an absent value as (unset)', () => {
    assert.equal(describeJson(undefined), '(unset)');
  });

  it('cuts a long string or a long JSON text at 200 characters, so a line stays a line', () => {
    const long = 'x'.repeat(500);
    assert.equal(describeJson(long), `${'x'.repeat(200)}…`);
    const list = Array.from({ length: 100 }, (_, i) => i);
    const shown = describeJson(list);
    assert.equal(shown, `${JSON.stringify(list).slice(0, 200)}…`);
    assert.equal(describeJson('y'.repeat(200)), 'y'.repeat(200));
  });

  it('describes what JSON cannot write, without throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(describeJson(cyclic), '[object Object]');
    assert.equal(describeJson(10n), '10');
    assert.equal(describeJson(Symbol.for('s')), 'Symbol(s)');
  });
});

describe('diffPaths', () => {
  it('gives one change per dotted path, walking objects', () => {
    const changes = diffPaths(
      { server: { port: 8080, host: 'a' }, pool: { max: 10 } },
      { server: { port: 8080, host: 'b' }, pool: { max: 20 } },
      everything,
    );
    assert.deepEqual(changes, [
      { field: 'server.host', from: 'a', to: 'b', text: 'server.host: a -> b', reloadable: true },
      { field: 'pool.max', from: 10, to: 20, text: 'pool.max: 10 -> 20', reloadable: true },
    ]);
  });

  it('compares arrays whole: a list that changed is one change', () => {
    assert.deepEqual(texts({ features: ['a'] }, { features: ['a', 'b'] }), [
      'features: ["a"] -> ["a","b"]',
    ]);
    assert.deepEqual(
      texts({ servers: [{ port: 1 }, { port: 2 }] }, { servers: [{ port: 1 }, { port: 3 }] }),
      ['servers: [{"port":1},{"port":2}] -> [{"port":1},{"port":3}]'],
    );
    assert.deepEqual(texts({ features: ['a', 'b'] }, { features: ['a', 'b'] }), []);
  });

  it('shows a key added or removed as (unset) on the side that lacks it', () => {
    const changes = diffPaths({ a: 1 }, { b: 2 }, everything);
    assert.deepEqual(
      changes.map((c) => [c.field, c.from, c.to, c.text]),
      [
        ['a', 1, undefined, 'a: 1 -> (unset)'],
        ['b', undefined, 2, 'b: (unset) -> 2'],
      ],
    );
  });

  it('gives a whole object added or removed as one change at its path', () => {
    assert.deepEqual(texts({}, { db: { host: 'h' } }), ['db: (unset) -> {"host":"h"}']);
    assert.deepEqual(texts({ db: { host: 'h' } }, { db: 'none' }), ['db: {"host":"h"} -> none']);
  });

  it('names a change of the whole config (config)', () => {
    assert.deepEqual(texts('a', 'b'), ['(config): a -> b']);
    assert.deepEqual(texts([1], [2]), ['(config): [1] -> [2]']);
    assert.equal(diffPaths(1, 2, everything)[0]?.field, '');
  });

  it('lists old keys in their order first, then keys only the new config has', () => {
    const fields = diffPaths(
      { c: 1, a: 1, nested: { y: 1, x: 1 } },
      { z: 2, nested: { x: 2, w: 2, y: 2 }, a: 2 },
      everything,
    ).map((c) => c.field);
    assert.deepEqual(fields, ['c', 'a', 'nested.y', 'nested.x', 'nested.w', 'z']);
  });

  it('redacts a secret path, and everything under one, on both sides', () => {
    const options: DiffOptions = { secrets: ['db.password', 'tokens'], isReloadable: () => true };
    const changes = diffPaths(
      { db: { password: 'old-secret', host: 'a' }, tokens: { api: 'tok-1' } },
      { db: { password: 'new-secret', host: 'b' }, tokens: { api: 'tok-2' } },
      options,
    );
    assert.deepEqual(
      changes.map((c) => c.text),
      [
        'db.password: [REDACTED] -> [REDACTED]',
        'db.host: a -> b',
        'tokens.api: [REDACTED] -> [REDACTED]',
      ],
    );
    // from and to are the values themselves (for code); only text is for logs.
    assert.equal(changes[0]?.to, 'new-secret');
  });

  it('shows a secret that appears or goes away as (unset), never its value', () => {
    const options: DiffOptions = { secrets: ['db.password'], isReloadable: () => true };
    assert.deepEqual(texts({ db: {} }, { db: { password: 'p4ss' } }, options), [
      'db.password: (unset) -> [REDACTED]',
    ]);
    assert.deepEqual(texts({ db: { password: 'p4ss' } }, { db: {} }, options), [
      'db.password: [REDACTED] -> (unset)',
    ]);
  });

  it('redacts by `*` patterns: any one key', () => {
    const options: DiffOptions = { secrets: ['servers.*.password'], isReloadable: () => true };
    assert.deepEqual(
      texts(
        { servers: { a: { password: 'pa', url: 'u1' }, b: { password: 'pb' } } },
        { servers: { a: { password: 'pa2', url: 'u2' }, b: { password: 'pb2' } } },
        options,
      ),
      [
        'servers.a.password: [REDACTED] -> [REDACTED]',
        'servers.a.url: u1 -> u2',
        'servers.b.password: [REDACTED] -> [REDACTED]',
      ],
    );
  });

  it('reads only own keys: a key named like an Object.prototype member is (unset) where absent', () => {
    for (const key of ['toString', 'valueOf', 'isPrototypeOf', 'hasOwnProperty']) {
      const added = diffPaths({}, { [key]: 1 }, everything);
      assert.deepEqual(
        added.map((c) => [c.field, c.from, c.to, c.text]),
        [[key, undefined, 1, `${key}: (unset) -> 1`]],
      );
      const removed = diffPaths({ [key]: 1 }, {}, everything);
      assert.deepEqual(
        removed.map((c) => [c.field, c.from, c.to, c.text]),
        [[key, 1, undefined, `${key}: 1 -> (unset)`]],
      );
      assert.deepEqual(texts({ m: {} }, { m: { [key]: 'x' } }), [`m.${key}: (unset) -> x`]);
      assert.deepEqual(texts({ m: { [key]: { a: 1 } } }, { m: {} }), [
        `m.${key}: {"a":1} -> (unset)`,
      ]);
      const nested = diffPaths({ a: { b: {} } }, { a: { b: { [key]: 2 } } }, everything)[0];
      assert.deepEqual([nested?.field, nested?.from, nested?.to], [`a.b.${key}`, undefined, 2]);
      assert.deepEqual(texts({ [key]: 1 }, { [key]: 1 }), []);
    }
  });

  it('reads a key named __proto__ as the own key JSON.parse makes, not the prototype', () => {
    assert.deepEqual(texts({ m: {} }, JSON.parse('{"m": {"__proto__": 1}}')), [
      'm.__proto__: (unset) -> 1',
    ]);
    assert.deepEqual(texts(JSON.parse('{"m": {"__proto__": {"a": 1}}}'), { m: {} }), [
      'm.__proto__: {"a":1} -> (unset)',
    ]);
  });

  it('takes each change’s reloadable flag from isReloadable, asked with its dotted path', () => {
    const asked: string[] = [];
    const changes = diffPaths(
      { server: { port: 1 }, pool: { max: 1 } },
      { server: { port: 2 }, pool: { max: 2 } },
      {
        secrets: [],
        isReloadable: (p) => {
          asked.push(p);
          return !covers(p.split('.'), ['server']);
        },
      },
    );
    assert.deepEqual(asked, ['server.port', 'pool.max']);
    assert.deepEqual(
      changes.map((c) => [c.field, c.reloadable]),
      [
        ['server.port', false],
        ['pool.max', true],
      ],
    );
  });

  it('gives [] for equal configs (a comment-only save stays silent), however built', () => {
    assert.deepEqual(
      diffPaths({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }, everything),
      [],
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.deepEqual(diffPaths(v, structuredClone(v), everything), []);
      }),
    );
  });

  it('finds a change wherever one is: configs that differ give at least one change', () => {
    const config = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(config, config, (a, b) => {
        const changes = diffPaths(a, b, everything);
        assert.equal(changes.length === 0, plainEqual(a, b));
        for (const c of changes) assert.notDeepEqual(c.from, c.to);
      }),
    );
  });
});

// Equal as plain data: a prototype (fast-check makes some objects without one) is no part of a config.
function plainEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(structuredClone(a), structuredClone(b));
}
