// hotrc's `HiddenServiceClientAuth NAME KEY`: one client allowed to reach an onion service. KEY
// is what Tor keeps in a v3 service's authorized_clients/NAME.auth file: `descriptor:x25519:`
// then the client's x25519 public key in base32 (52 characters, no padding; Tor's base32 decoder
// takes either case). Checking that shape catches a mistyped key at `hotrc check` rather than in
// Tor, and means no placeholder, above all the `[REDACTED]` of a redacted dump, can pass as a key.
// The key is a secret for hotrc: no message here ever contains it.
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { valueCodec } from './value-codec.js';

/**
 * What `hotrc dump` writes instead of a client key unless `--show-secrets`. It is not a key (its
 * brackets are not base32), so a redacted dump never reads back as a valid config.
 * @example redactedKey // '[REDACTED]'
 */
export const redactedKey = '[REDACTED]';

const keyShape = /^descriptor:x25519:[A-Za-z2-7]{52}$/;

function keyProblem(key: string, whose: string): string | undefined {
  if (key === redactedKey) {
    return `${whose} is ${redactedKey}, the placeholder of a redacted hotrc dump: put the real key back (hotrc dump --show-secrets prints it)`;
  }
  if (!keyShape.test(key)) {
    return `${whose} must be descriptor:x25519: followed by 52 base32 characters (the key is not shown)`;
  }
  return undefined;
}

/**
 * A client key: `descriptor:x25519:` and 52 base32 characters. Refuses anything else, with a
 * message that never contains the value; the `[REDACTED]` placeholder gets its own message.
 * @example ClientAuthKey.decode(`descriptor:x25519:${'A'.repeat(52)}`) // right(same)
 * @example ClientAuthKey.decode('[REDACTED]') // left: the placeholder of a redacted hotrc dump
 */
export const ClientAuthKey = valueCodec<string>({
  name: 'ClientAuthKey',
  is: (u): u is string => typeof u === 'string' && keyShape.test(u),
  parse: (s) => {
    const problem = keyProblem(s, 'The client key');
    return problem === undefined ? right(s) : left(problem);
  },
  format: (s) => s,
  expected: 'a client key (descriptor:x25519: followed by 52 base32 characters)',
});

/**
 * Reads a `HiddenServiceClientAuth` value, `NAME KEY`. The message for a bad key names the
 * client, never the key.
 * @example parseClientAuth(`alice descriptor:x25519:${'A'.repeat(52)}`) // right({ Name: 'alice', Key: ... })
 * @example parseClientAuth('alice [REDACTED]') // left('the key of client "alice" is [REDACTED], ...')
 */
export function parseClientAuth(value: string): Either<string, { Name: string; Key: string }> {
  const [name, key, ...rest] = value.split(/[ \t]+/);
  if (name === undefined || name === '' || key === undefined || rest.length > 0) {
    return left('expected a client name and a key');
  }
  const problem = keyProblem(key, `the key of client ${JSON.stringify(name)}`);
  return problem === undefined ? right({ Name: name, Key: key }) : left(problem);
}
