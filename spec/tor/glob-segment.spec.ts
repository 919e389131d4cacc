import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileGlobSegment, hasTorGlob } from '../../lib/tor/glob-segment.js';

const matches = (pattern: string, name: string): boolean => compileGlobSegment(pattern).match(name);

describe('compileGlobSegment', () => {
  it('matches * and ? like fnmatch', () => {
    assert.equal(matches('*.conf', 'a.conf'), true);
    assert.equal(matches('*.conf', 'a.conff'), false);
    assert.equal(matches('a?c', 'abc'), true);
    assert.equal(matches('a?c', 'ac'), false);
    assert.equal(matches('*', ''), true);
    assert.equal(matches('a*b*c', 'aXXbYYbZc'), true);
    assert.equal(matches('a*b*c', 'aXXbYYbZ'), false);
  });

  it('never lets *, ? or a set match a leading dot (no GLOB_PERIOD)', () => {
    assert.equal(matches('*', '.hidden'), false);
    assert.equal(matches('?hidden', '.hidden'), false);
    assert.equal(matches('[.]hidden', '.hidden'), false);
    assert.equal(matches('.*', '.hidden'), true);
    assert.equal(matches('\\.*', '.hidden'), true);
    assert.equal(matches('.*', '.'), true);
    assert.equal(matches('.*', '..'), true);
    assert.equal(matches('a*', 'a.b'), true);
  });

  it('matches sets: ranges, negation with ! or ^, ] first, POSIX classes', () => {
    assert.equal(matches('[ab]x', 'bx'), true);
    assert.equal(matches('[a-c]x', 'cx'), true);
    assert.equal(matches('[a-c]x', 'dx'), false);
    assert.equal(matches('[!a]*', 'Z.conf'), true);
    assert.equal(matches('[^a]*', 'a.conf'), false);
    assert.equal(matches('[]a]*', 'a.conf'), true);
    assert.equal(matches('[]a]*', ']x'), true);
    assert.equal(matches('[[:upper:]]*', 'Z.conf'), true);
    assert.equal(matches('[[:upper:]]*', 'a.conf'), false);
    assert.equal(matches('[[:digit:][:lower:]]', '7'), true);
    assert.equal(matches('[[:nosuchclass:]]', 'a'), false);
    assert.equal(matches('[\\]]', ']'), true);
  });

  it('treats an unterminated [ as a literal', () => {
    assert.equal(matches('*.con[f', 'a.con[f'), true);
    assert.equal(matches('*.con[f', 'a.conf'), false);
  });

  it('honours backslash escapes', () => {
    assert.equal(matches('\\*.conf', '*.conf'), true);
    assert.equal(matches('\\*.conf', 'a.conf'), false);
    assert.equal(matches('q\\?', 'q?'), true);
  });

  it('says whether a segment is magic and gives literal segments unescaped', () => {
    assert.equal(compileGlobSegment('a.conf').magic, false);
    assert.equal(compileGlobSegment('q\\?').magic, false);
    assert.equal(compileGlobSegment('q\\?').literal, 'q?');
    assert.equal(compileGlobSegment('con[f').magic, false);
    assert.equal(compileGlobSegment('[ab]').magic, true);
    assert.equal(compileGlobSegment('*').magic, true);
  });

  it('matches by code point, not UTF-16 unit', () => {
    assert.equal(matches('?.conf', '🧅.conf'), true);
    assert.equal(matches('caf?', 'café'), true);
  });

  it('stays fast on hostile patterns', () => {
    const stars = `${'*a'.repeat(2000)}b`;
    assert.equal(matches(stars, 'a'.repeat(255)), false);
    // Unterminated sets are literals: 4096 of them match exactly themselves.
    assert.equal(matches('['.repeat(4096), '['), false);
    assert.equal(matches('['.repeat(4096), '['.repeat(4096)), true);
    assert.equal(matches('[[:'.repeat(1000), 'x'), false);
  });

  it('agrees with a regular-expression reference on * and ?', () => {
    const reference = (pattern: string, name: string): boolean => {
      if (name.startsWith('.') && !pattern.startsWith('.')) return false;
      const body = [...pattern]
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.\\^$+()|{}[\]]/g, '\\$&')))
        .join('');
      return new RegExp(`^${body}$`, 's').test(name);
    };
    const unit = fc.constantFrom('a', 'b', '.', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 8 }),
        (pattern, name) => {
          assert.equal(matches(pattern, name), reference(pattern, name), `${pattern} vs ${name}`);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('hasTorGlob', () => {
  it('is true only for an unescaped * or ?, as Tor’s has_glob', () => {
    assert.equal(hasTorGlob('/etc/tor/*.conf'), true);
    assert.equal(hasTorGlob('/etc/tor/a?.conf'), true);
    assert.equal(hasTorGlob('/etc/tor/[ab].conf'), false);
    assert.equal(hasTorGlob('/etc/tor/\\*.conf'), false);
    assert.equal(hasTorGlob('/etc/tor/torrc.d'), false);
    assert.equal(hasTorGlob('*'), true);
  });
});
