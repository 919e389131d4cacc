// The keys of one config key, and the two checks that keep hostile names from reaching outside
// them: a config key with control characters or a trailing "/", a host name with a "/".
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { checkFleetKey, checkHostName, fleetKeys } from '../../lib/fleet/fleet-keys.js';

const hostAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';
const hostName = fc.string({
  unit: fc.constantFrom(...hostAlphabet),
  minLength: 1,
  maxLength: 253,
});
const nonStrings = [undefined, null, 42, 0, true, {}, [], ['web-1'], Symbol('web-1'), () => 'x'];

describe('fleetKeys', () => {
  it('derives every key below the config key', () => {
    const keys = fleetKeys('/hotrc/torrc');
    assert.deepEqual(
      {
        config: keys.config,
        statusPrefix: keys.statusPrefix,
        status: keys.status('web-1'),
        historyPrefix: keys.historyPrefix,
        lastPush: keys.lastPush,
      },
      {
        config: '/hotrc/torrc',
        statusPrefix: '/hotrc/torrc/status/',
        status: '/hotrc/torrc/status/web-1',
        historyPrefix: '/hotrc/torrc/history/',
        lastPush: '/hotrc/torrc/push',
      },
    );
  });

  it('pads history revisions to 20 digits, the same for a bigint and its decimal string', () => {
    const keys = fleetKeys('/k');
    assert.equal(keys.history(42n), '/k/history/00000000000000000042');
    assert.equal(keys.history('42'), keys.history(42n));
    // The largest int64 fills the width exactly.
    assert.equal(keys.history(9223372036854775807n), '/k/history/09223372036854775807');
  });

  it('history keys sort as bytes in the order of their revisions (etcd lists by key)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
        (a, b) => {
          const keys = fleetKeys('/k');
          const [x, y] = [Buffer.from(keys.history(a)), Buffer.from(keys.history(b))];
          return Math.sign(Buffer.compare(x, y)) === (a < b ? -1 : a > b ? 1 : 0);
        },
      ),
    );
  });
});

describe('checkFleetKey', () => {
  it('accepts an ordinary key, unicode and a 512-byte one', () => {
    for (const key of ['/hotrc/torrc', 'torrc', '/hotrc/tör-ŕc/日本', `/${'k'.repeat(511)}`]) {
      assert.deepEqual(checkFleetKey(key), E.right(key));
    }
  });

  it('refuses every non-string and the empty string', () => {
    for (const v of [...nonStrings, '']) {
      assert.deepEqual(checkFleetKey(v), E.left('an etcd key must be a non-empty string'));
    }
  });

  it('refuses NUL, every C0 control character and DEL, naming the key as JSON', () => {
    for (let c = 0; c < 0x20; c++) {
      const key = `/hotrc/${String.fromCharCode(c)}torrc`;
      assert.deepEqual(
        checkFleetKey(key),
        E.left(`refusing etcd key ${JSON.stringify(key)}: it contains control characters`),
      );
    }
    assert.ok(E.isLeft(checkFleetKey('/hotrc/torrc\u007f')));
    assert.ok(E.isLeft(checkFleetKey('/hotrc/torrc\n')));
    assert.ok(E.isLeft(checkFleetKey('\u0000')));
  });

  it('refuses a key ending in "/" (its status keys would run together with another key)', () => {
    for (const key of ['/', '/hotrc/', '/hotrc/torrc//']) {
      assert.deepEqual(
        checkFleetKey(key),
        E.left(`refusing etcd key ${JSON.stringify(key)}: it ends in "/"`),
      );
    }
  });

  it('counts the limit in bytes, not characters: 171 euro signs are 513 bytes', () => {
    assert.ok(E.isLeft(checkFleetKey(`/${'k'.repeat(512)}`)));
    const euros = '€'.repeat(171);
    assert.equal(euros.length, 171);
    assert.deepEqual(checkFleetKey(euros), E.left('refusing an etcd key longer than 512 bytes'));
    assert.ok(E.isRight(checkFleetKey('€'.repeat(170))));
  });

  it('a key it accepts has no control character, no trailing "/", at most 512 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 520 }), (key) => {
        const r = checkFleetKey(key);
        const fine =
          key !== '' &&
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about them
          !/[\u0000-\u001f\u007f]/.test(key) &&
          !key.endsWith('/') &&
          Buffer.byteLength(key) <= 512;
        return E.isRight(r) === fine;
      }),
    );
  });
});

describe('checkHostName', () => {
  it("accepts a hostname's alphabet, 1 to 253 characters, and dots that are not all of it", () => {
    for (const name of [
      'web-1',
      'web-1.example.org',
      'a',
      'A_b-9',
      '.hidden',
      'a..b',
      'x'.repeat(253),
    ]) {
      assert.deepEqual(checkHostName(name), E.right(name));
    }
  });

  it("refuses '.', '..' and any run of dots alone, '/', '../x', a path, 254 characters", () => {
    for (const name of [
      '.',
      '..',
      '...',
      '/',
      '../x',
      'a/b',
      '../../config',
      'x'.repeat(254),
      '',
    ]) {
      assert.deepEqual(
        checkHostName(name),
        E.left(
          `refusing host name ${JSON.stringify(name)}: use 1 to 253 letters, digits, ".", "_" or "-"`,
        ),
      );
    }
  });

  it('refuses control characters, NUL, a trailing newline, spaces and unicode look-alikes', () => {
    for (const name of [
      'web\u0000',
      'web\n',
      '\nweb',
      'web\r',
      'web 1',
      'web\t1',
      'wéb',
      'ｗｅｂ',
      'web\u2028',
      'web\u200b',
      'web%2f1',
      'web\\1',
      'web:1',
    ]) {
      assert.ok(E.isLeft(checkHostName(name)), JSON.stringify(name));
    }
  });

  it('refuses every non-string, naming it', () => {
    for (const v of nonStrings) assert.ok(E.isLeft(checkHostName(v)), String(typeof v));
    const number = checkHostName(42);
    assert.match(E.isLeft(number) ? number.left : '', /^refusing host name 42:/);
  });

  it('a name it accepts never leaves KEY/status/: the status key is the prefix and the name, nothing else', () => {
    const keys = fleetKeys('/hotrc/torrc');
    fc.assert(
      fc.property(fc.oneof(hostName, fc.string({ unit: 'binary', maxLength: 300 })), (name) => {
        if (E.isLeft(checkHostName(name))) return true;
        const key = keys.status(name);
        const rest = key.slice(keys.statusPrefix.length);
        return (
          key.startsWith(keys.statusPrefix) &&
          rest === name &&
          !rest.includes('/') &&
          rest !== '.' &&
          rest !== '..'
        );
      }),
    );
  });

  it('accepts exactly the names of its alphabet of 1 to 253 characters that are not all dots', () => {
    fc.assert(
      fc.property(hostName, (name) => E.isRight(checkHostName(name)) === !/^\.+$/.test(name)),
    );
  });
});

describe('fleet-keys on a bigint', () => {
  it('checkHostName and checkFleetKey return a Left for a bigint, never throw', () => {
    assert.ok(E.isLeft(checkFleetKey(1n)));
    assert.ok(E.isLeft(checkHostName(1n)));
  });
});

describe('checkFleetKey, against keys of other configs and C1 controls', () => {
  it("refuses a key that is another config's status, history or push key", () => {
    for (const key of ['/a/status/web-1', '/a/history/00000000000000000042', '/a/push']) {
      const r = checkFleetKey(key);
      assert.ok(E.isLeft(r), key);
      assert.match(r.left, /another config's status, history or push key/);
    }
    // Words alone are fine: only the shapes hotrc builds below a key are refused.
    for (const key of ['/hotrc/status', '/hotrc/history', '/hotrc/pusher', '/status-page/torrc']) {
      assert.ok(E.isRight(checkFleetKey(key)), key);
    }
  });

  it('refuses C1 control characters (U+0080 to U+009F) as well as C0 ones', () => {
    for (const c of ['\u0080', '\u0085', '\u009f']) {
      assert.ok(E.isLeft(checkFleetKey(`/hotrc/a${c}b`)), c.codePointAt(0)?.toString(16));
    }
    assert.ok(E.isRight(checkFleetKey('/hotrc/é')));
  });
});
