import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, isRight, left, right } from 'fp-ts/lib/Either.js';
import { defaultConfig, TorConfig } from '../../../../lib/tor/schema/tor-config.js';
import {
  ClientAuthKey,
  parseClientAuth,
  redactedKey,
} from '../../../../lib/tor/schema/values/client-auth.js';

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const key = (body: string) => `descriptor:x25519:${body}`;
const good = key('A'.repeat(52));
const messages = (v: ReturnType<typeof ClientAuthKey.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : '';

describe('ClientAuthKey', () => {
  it("takes descriptor:x25519: and 52 base32 characters, either case, as Tor's decoder does", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...base32, ...base32.toLowerCase()),
          minLength: 52,
          maxLength: 52,
        }),
        (body) => assert.deepEqual(ClientAuthKey.decode(key(body)), right(key(body))),
      ),
    );
  });

  it('refuses the [REDACTED] placeholder with a message of its own', () => {
    assert.equal(
      messages(ClientAuthKey.decode(redactedKey)),
      'The client key is [REDACTED], the placeholder of a redacted hotrc dump: put the real key back (hotrc dump --show-secrets prints it)',
    );
    assert.equal(ClientAuthKey.is(redactedKey), false);
  });

  const wrong = [
    ['too short', key('A'.repeat(51))],
    ['too long', key('A'.repeat(53))],
    ['padded', key(`${'A'.repeat(48)}====`)],
    ['not base32 (0, 1, 8, 9)', key(`0189${'A'.repeat(48)}`)],
    ['another auth type', `Descriptor:x25519:${'A'.repeat(52)}`],
    ['another key type', `descriptor:ed25519:${'A'.repeat(52)}`],
    ['no prefix', 'A'.repeat(52)],
    ['a word', 'SUPERSECRET'],
    ['empty', ''],
    ['with a space', `${good} `],
  ] as const;
  for (const [title, value] of wrong) {
    it(`refuses a key that is ${title}, without showing it`, () => {
      const m = messages(ClientAuthKey.decode(value));
      assert.equal(
        m,
        'The client key must be descriptor:x25519: followed by 52 base32 characters (the key is not shown)',
      );
    });
  }

  it('never puts the value in a message', () => {
    const fixed = [messages(ClientAuthKey.decode(redactedKey)), messages(ClientAuthKey.decode(''))];
    fc.assert(
      fc.property(
        // A value that a message could only contain by quoting it.
        fc.string({ minLength: 3 }).filter((s) => !fixed.some((m) => m.includes(s))),
        (s) => {
          const m = messages(ClientAuthKey.decode(s));
          if (m !== '') assert.ok(!m.includes(s), m);
        },
      ),
    );
  });

  it('checks a typed value too (a JSON config)', () => {
    assert.match(messages(ClientAuthKey.decode(42)), /^Expected a client key/);
    assert.equal(ClientAuthKey.is(good), true);
    assert.equal(ClientAuthKey.encode(good), good);
  });

  it('makes a config holding the placeholder fail to decode', () => {
    const svc = { ServiceDir: '/hs', VirtualPort: 80, TargetAddr: '127.0.0.1:80', MaxStreams: 0 };
    const withKey = (Key: string) => ({
      ...defaultConfig(),
      OnionServices: [{ ...svc, ClientAuth: [{ Name: 'alice', Key }] }],
    });
    assert.ok(isRight(TorConfig.decode(withKey(good))));
    assert.ok(isLeft(TorConfig.decode(withKey(redactedKey))));
  });
});

describe('parseClientAuth', () => {
  it('reads NAME KEY', () => {
    assert.deepEqual(parseClientAuth(`alice ${good}`), right({ Name: 'alice', Key: good }));
    assert.deepEqual(parseClientAuth(`alice \t ${good}`), right({ Name: 'alice', Key: good }));
  });

  it('needs exactly a name and a key', () => {
    for (const value of ['alice', '', `alice ${good} extra`, ` ${good}`]) {
      assert.deepEqual(parseClientAuth(value), left('expected a client name and a key'), value);
    }
  });

  it('names the client, never the key, in what it refuses', () => {
    assert.deepEqual(
      parseClientAuth('bob [REDACTED]'),
      left(
        'the key of client "bob" is [REDACTED], the placeholder of a redacted hotrc dump: put the real key back (hotrc dump --show-secrets prints it)',
      ),
    );
    const r = parseClientAuth('bob hunter2');
    assert.deepEqual(
      r,
      left(
        'the key of client "bob" must be descriptor:x25519: followed by 52 base32 characters (the key is not shown)',
      ),
    );
  });
});
