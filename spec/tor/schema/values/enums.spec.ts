import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, right } from 'fp-ts/lib/Either.js';
import {
  IsolationLevel,
  LogLevel,
  lowerCaseEnum,
} from '../../../../lib/tor/schema/values/enums.js';

const message = (v: { _tag: string; left?: ReadonlyArray<{ message?: string }> }) =>
  v._tag === 'Left' ? (v.left ?? []).map((e) => e.message).join('; ') : undefined;

describe('lowerCaseEnum', () => {
  const Color = lowerCaseEnum('Color', ['red', 'green']);

  it('is keyof-like: keys lists the allowed words', () => {
    assert.equal(Color._tag, 'KeyofType');
    assert.deepEqual(Object.keys(Color.keys), ['red', 'green']);
    assert.deepEqual(Object.keys(LogLevel.keys), ['debug', 'info', 'warn', 'error']);
    assert.deepEqual(Object.keys(IsolationLevel.keys), [
      'none',
      'destination',
      'credential',
      'port',
      'session',
    ]);
  });

  it('reads the words in any ASCII case and writes them lower-case', () => {
    assert.deepEqual(Color.decode('RED'), right('red'));
    assert.deepEqual(Color.decode('Green'), right('green'));
    assert.equal(Color.encode('red'), 'red');
  });

  it('lists the allowed words when it refuses one', () => {
    assert.equal(
      message(Color.decode('blue')),
      'Unrecognized value blue. Allowed values are red, green',
    );
    assert.equal(message(Color.decode(3)), 'Expected one of red, green, got 3');
  });

  it('does not fold Unicode look-alikes or inherited names into a match', () => {
    const Kind = lowerCaseEnum('Kind', ['kind', 'info']);
    assert.ok(isLeft(Kind.decode('\u212Aind'))); // Kelvin sign, lower-cases to "k" in Unicode
    assert.ok(isLeft(Kind.decode('\u0130NFO'))); // dotted capital I
    assert.ok(isLeft(Kind.decode('constructor')));
    assert.ok(isLeft(Kind.decode('toString')));
  });

  it('refuses to build an enum with a word that is not lower-case (a programmer error)', () => {
    assert.throws(() => lowerCaseEnum('Bad', ['OK']), TypeError);
  });
});

describe('LogLevel and IsolationLevel', () => {
  it("read go-tor's words in any case", () => {
    assert.deepEqual(LogLevel.decode('DEBUG'), right('debug'));
    assert.deepEqual(IsolationLevel.decode('Destination'), right('destination'));
    assert.equal(
      message(LogLevel.decode('verbose')),
      'Unrecognized value verbose. Allowed values are debug, info, warn, error',
    );
    assert.equal(
      message(IsolationLevel.decode('circuit')),
      'Unrecognized value circuit. Allowed values are none, destination, credential, port, session',
    );
  });

  const spell = (word: string, upper: ReadonlyArray<boolean>) =>
    [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
  const cases = fc.array(fc.boolean(), { minLength: 11, maxLength: 11 });

  it('LogLevel round-trips every word, whatever its case', () => {
    fc.assert(
      fc.property(fc.constantFrom('debug', 'info', 'warn', 'error' as const), cases, (w, upper) => {
        assert.equal(LogLevel.is(w), true);
        assert.deepEqual(LogLevel.decode(LogLevel.encode(w)), right(w));
        assert.deepEqual(LogLevel.decode(spell(w, upper)), right(w));
      }),
    );
  });

  it('IsolationLevel round-trips every word, whatever its case', () => {
    const words = ['none', 'destination', 'credential', 'port', 'session'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...words), cases, (w, upper) => {
        assert.equal(IsolationLevel.is(w), true);
        assert.deepEqual(IsolationLevel.decode(IsolationLevel.encode(w)), right(w));
        assert.deepEqual(IsolationLevel.decode(spell(w, upper)), right(w));
      }),
    );
  });
});
