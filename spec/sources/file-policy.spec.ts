import assert from 'node:assert/strict';
import { isAbsolute, resolve } from 'node:path';
import fc from 'fast-check';
import { isLeft, isRight, left, right } from 'fp-ts/lib/Either.js';
import {
  checkConfigPath,
  defaultFilePolicy,
  type FilePolicy,
  resolveFilePolicy,
} from '../../lib/sources/file-policy.js';
import { isRefusal } from '../../lib/sources/file-problem.js';

describe('sources/file-policy', () => {
  describe('resolveFilePolicy', () => {
    it('defaults to 1 MiB, no root, insecure modes refused', () => {
      assert.deepEqual(defaultFilePolicy, {
        maxBytes: 1048576,
        root: undefined,
        allowInsecureMode: false,
      });
      assert.deepEqual(resolveFilePolicy(), defaultFilePolicy);
      assert.deepEqual(resolveFilePolicy({}), defaultFilePolicy);
      assert.ok(Object.isFrozen(defaultFilePolicy));
    });

    it('completes a partial policy from the defaults, frozen', () => {
      const p = resolveFilePolicy({ maxBytes: 4096, root: '/etc/tor/' });
      assert.deepEqual(p, { maxBytes: 4096, root: '/etc/tor', allowInsecureMode: false });
      assert.ok(Object.isFrozen(p));
      assert.deepEqual(resolveFilePolicy({ allowInsecureMode: true, root: undefined }), {
        maxBytes: 1048576,
        root: undefined,
        allowInsecureMode: true,
      });
    });

    it('normalises the root', () => {
      assert.equal(resolveFilePolicy({ root: '/etc//tor/./x/../' }).root, '/etc/tor');
    });

    const bad: ReadonlyArray<readonly [string, unknown]> = [
      ['null options', null],
      ['array options', []],
      ['a string', 'maxBytes=1'],
      ['a misspelt key', { maxbytes: 10 }],
      ['a key from the prototype chain', JSON.parse('{"__proto__": {"maxBytes": 1}}')],
      ['maxBytes 0', { maxBytes: 0 }],
      ['maxBytes -1', { maxBytes: -1 }],
      ['maxBytes 1.5', { maxBytes: 1.5 }],
      ['maxBytes NaN', { maxBytes: Number.NaN }],
      ['maxBytes Infinity', { maxBytes: Number.POSITIVE_INFINITY }],
      ['maxBytes as a string', { maxBytes: '1024' }],
      ['maxBytes over the Buffer limit', { maxBytes: 2 ** 53 }],
      ['a relative root', { root: 'etc/tor' }],
      ['an empty root', { root: '' }],
      ['a root with NUL', { root: '/etc/tor\0x' }],
      ['a root that is not a string', { root: 42 }],
      ['allowInsecureMode as a string', { allowInsecureMode: 'yes' }],
    ];
    for (const [what, options] of bad) {
      it(`throws a TypeError on ${what}`, () => {
        assert.throws(() => resolveFilePolicy(options as Partial<FilePolicy>), TypeError);
      });
    }

    it('names the unknown option in the error', () => {
      assert.throws(() => resolveFilePolicy({ maxbytes: 10 } as Partial<FilePolicy>), {
        name: 'TypeError',
        message: /unknown option "maxbytes"/,
      });
    });
  });

  describe('checkConfigPath', () => {
    it('resolves a plain relative path against the working directory', () => {
      assert.deepEqual(checkConfigPath('torrc'), right(resolve('torrc')));
      assert.deepEqual(checkConfigPath('./conf/torrc'), right(resolve('conf/torrc')));
      assert.deepEqual(checkConfigPath('a..b/torrc..'), right(resolve('a..b/torrc..')));
    });

    it('normalises an absolute path, `..` included', () => {
      assert.deepEqual(checkConfigPath('/etc/tor/../tor//torrc'), right('/etc/tor/torrc'));
    });

    const refused: ReadonlyArray<readonly [string, string, RegExp]> = [
      ['the empty path', '', /empty/],
      ['a NUL byte', '/etc/tor/torrc\0.bak', /NUL/],
      ['a leading ..', '../torrc', /"\.\."/],
      ['a lone ..', '..', /"\.\."/],
      ['an inner ..', 'conf/../../etc/passwd', /"\.\."/],
      ['a trailing ..', 'conf/..', /"\.\."/],
      ['a backslash ..', '..\\torrc', /"\.\."/],
    ];
    for (const [what, path, message] of refused) {
      it(`refuses ${what} as a path problem`, () => {
        const got = checkConfigPath(path);
        assert.ok(isLeft(got));
        assert.equal(got.left.kind, 'path');
        assert.equal(got.left.path, path);
        assert.match(got.left.message, message);
        assert.equal(got.left.code, undefined);
      });
    }

    it('refuses with a frozen problem that counts as a policy refusal', () => {
      const got = checkConfigPath('../torrc');
      assert.ok(isLeft(got));
      assert.ok(Object.isFrozen(got.left));
      assert.equal(isRefusal(got.left.kind), true);
    });

    it('refuses a non-string without throwing', () => {
      const got = checkConfigPath(undefined as unknown as string);
      assert.deepEqual(
        got,
        left({
          kind: 'path',
          path: 'undefined',
          message: 'refusing config path "undefined": not a string',
        }),
      );
    });

    it('never throws, and returns only absolute paths free of `..` segments', () => {
      const segment = fc.constantFrom('..', '.', 'a', 'torrc', '', '\0', '\\..', '...');
      const path = fc
        .tuple(fc.boolean(), fc.array(segment, { maxLength: 6 }))
        .map(([absolute, parts]) => (absolute ? '/' : '') + parts.join('/'));
      fc.assert(
        fc.property(fc.oneof(path, fc.string()), (p) => {
          const got = checkConfigPath(p);
          if (isRight(got)) {
            assert.ok(isAbsolute(got.right));
            assert.ok(!got.right.split('/').includes('..'));
            assert.ok(!p.includes('\0'));
          } else {
            assert.equal(got.left.kind, 'path');
            assert.ok(p === '' || p.includes('\0') || p.split(/[\\/]/).includes('..'));
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
