import assert from 'node:assert/strict';
import { covers, dottedPath } from '../../lib/engine/dotted-path.js';

describe('dottedPath', () => {
  it('joins keys and indexes with dots; the document itself is empty', () => {
    assert.equal(dottedPath(['pool', 'max']), 'pool.max');
    assert.equal(dottedPath(['servers', 0, 'port']), 'servers.0.port');
    assert.equal(dottedPath([]), '');
  });
});

describe('covers', () => {
  it('covers a path and everything under it, segment by segment', () => {
    assert.ok(covers(['pool'], ['pool']));
    assert.ok(covers(['pool', 'max'], ['pool']));
    assert.ok(covers(['pool', 'max'], ['other', 'pool.max']));
    assert.ok(!covers(['poolSize'], ['pool']));
    assert.ok(!covers(['pool'], ['pool.max']));
    assert.ok(!covers(['pool', 'max'], []));
  });

  it('reads * as any one key or index, and indexes as numbers or strings', () => {
    assert.ok(covers(['servers', 2, 'password'], ['servers.*.password']));
    assert.ok(covers(['servers', '2', 'password', 'x'], ['servers.*.password']));
    assert.ok(covers(['servers', 2], ['servers.2']));
    assert.ok(!covers(['servers', 2, 'host'], ['servers.*.password']));
    assert.ok(!covers(['servers'], ['servers.*']));
  });
});
