import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, right } from 'fp-ts/lib/Either.js';
import { Bool } from '../../../../lib/tor/schema/values/bool.js';

const message = (v: ReturnType<typeof Bool.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('Bool', () => {
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['0', false],
    ['1', true],
    ['true', true],
    ['false', false],
    ['yes', true],
    ['no', false],
    ['on', true],
    ['off', false],
    ['TRUE', true],
    ['Yes', true],
    ['oFF', false],
  ];
  for (const [text, value] of cases) {
    it(`reads ${JSON.stringify(text)} as ${value}`, () =>
      assert.deepEqual(Bool.decode(text), right(value)));
  }

  it('refuses any other word instead of reading it as false, as go-tor would', () => {
    assert.equal(
      message(Bool.decode('maybe')),
      'Unrecognized value maybe. Allowed values are 0 and 1 (also true/false, yes/no, on/off)',
    );
    for (const text of [
      '',
      ' 1',
      '1 ',
      '00',
      '01',
      '+1',
      '-0',
      '2',
      'y',
      'n',
      'enabled',
      '__proto__',
      'tru\u0065\u0301',
    ]) {
      assert.ok(isLeft(Bool.decode(text)), JSON.stringify(text));
    }
  });

  it('takes typed booleans and refuses other typed values', () => {
    assert.deepEqual(Bool.decode(true), right(true));
    assert.deepEqual(Bool.decode(false), right(false));
    assert.equal(message(Bool.decode(1)), 'Expected true or false, got 1');
    assert.equal(message(Bool.decode(null)), 'Expected true or false, got null');
  });

  it('encodes as 1/0 and decodes that back', () => {
    assert.equal(Bool.encode(true), '1');
    assert.equal(Bool.encode(false), '0');
    fc.assert(
      fc.property(fc.boolean(), (b) => assert.deepEqual(Bool.decode(Bool.encode(b)), right(b))),
    );
  });

  it('reads the words in any ASCII case', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('true', 'false', 'yes', 'no', 'on', 'off'),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (word, upper) => {
          const spelled = [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
          assert.deepEqual(Bool.decode(spelled), right(['true', 'yes', 'on'].includes(word)));
        },
      ),
    );
  });
});
