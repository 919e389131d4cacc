import assert from 'node:assert/strict';
import { editDistance, nearest } from '../../../lib/tor/schema/suggest.js';

describe('nearest', () => {
  const keys = ['SocksPort', 'ControlPort', 'LogLevel', 'MaxCircuitDirtiness'];

  it('suggests the key one typo away, case-insensitively', () => {
    assert.equal(nearest('SocksPrt', keys), 'SocksPort');
    assert.equal(nearest('loglevl', keys), 'LogLevel');
    assert.equal(nearest('MaxCircuitDirtyness', keys), 'MaxCircuitDirtiness');
  });

  it('suggests the full key for an abbreviation Tor would have accepted', () => {
    assert.equal(nearest('MaxCirc', keys), 'MaxCircuitDirtiness');
  });

  it('suggests nothing for a word far from every key', () => {
    assert.equal(nearest('Bananas', keys), undefined);
  });

  it('stops counting past the limit', () => {
    assert.equal(editDistance('kitten', 'sitting', 3), 3);
    assert.equal(editDistance('a', 'abcdefgh', 3), 4);
  });
});
