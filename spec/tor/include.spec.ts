import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { type Either, isLeft, isRight } from 'fp-ts/lib/Either.js';
import {
  defaultReadOptions,
  readTorrc,
  readTorrcDocument,
  resolveTorrc,
  resolveTorrcDocument,
  type TorrcDocument,
  type TorrcFailure,
} from '../../lib/tor/include.js';
import type { TorrcError } from '../../lib/tor/torrc.js';

let dir: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-include-')));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (rel: string): string => join(dir, rel);

async function write(rel: string, content: string | Uint8Array): Promise<string> {
  const path = at(rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

function docOf(r: Either<TorrcError, TorrcDocument>): TorrcDocument {
  if (isLeft(r)) assert.fail(`expected a document, got ${JSON.stringify(r.left)}`);
  return r.right;
}

function errorOf(r: Either<TorrcError, TorrcDocument>): TorrcError {
  if (isRight(r)) assert.fail(`expected an error, got ${JSON.stringify(r.right.entries)}`);
  return r.left;
}

function failureOf(r: Either<TorrcFailure, TorrcDocument>): TorrcFailure {
  if (isRight(r)) assert.fail(`expected a failure, got ${JSON.stringify(r.right.entries)}`);
  return r.left;
}

/** Entries as [key, value, file relative to the temp dir, line]. */
const rows = (d: TorrcDocument): Array<[string, string, string, number]> =>
  d.entries.map((e) => [e.key, e.value, relative(dir, e.file), e.line]);

const rel = (paths: ReadonlyArray<string>): string[] => paths.map((p) => relative(dir, p) || '.');

describe('readTorrc', () => {
  it('reads a file without includes: entries, files and watched', async () => {
    const main = await write('torrc', 'Nickname abc\r\nContactInfo "x y"\n');
    const d = docOf(await readTorrc(main));
    assert.deepEqual(rows(d), [
      ['Nickname', 'abc', 'torrc', 1],
      ['ContactInfo', 'x y', 'torrc', 2],
    ]);
    assert.deepEqual(d.files, [main]);
    assert.deepEqual(d.watched, [main]);
  });

  it('splices an included file in place, its entries carrying their own file and line', async () => {
    const main = await write('torrc', `A 1\n%include ${at('b.conf')}\nC 3\n`);
    await write('b.conf', '\n# b\nB 2\n');
    const d = docOf(await readTorrc(main));
    assert.deepEqual(rows(d), [
      ['A', '1', 'torrc', 1],
      ['B', '2', 'b.conf', 3],
      ['C', '3', 'torrc', 3],
    ]);
    assert.deepEqual(rel(d.files), ['torrc', 'b.conf']);
    assert.deepEqual(rel(d.watched), ['torrc', 'b.conf']);
  });

  it('resolves a relative path against the including file’s directory, not the cwd (a deliberate difference)', async () => {
    const main = await write('etc/torrc', '%include torrc.d/x.conf\n');
    await write('etc/torrc.d/x.conf', 'X 1\n%include ../other.conf\n');
    await write('etc/other.conf', 'O 2\n');
    assert.equal(existsSync(join(process.cwd(), 'torrc.d/x.conf')), false);
    const d = docOf(await readTorrc(main));
    assert.deepEqual(rows(d), [
      ['X', '1', 'etc/torrc.d/x.conf', 1],
      ['O', '2', 'etc/other.conf', 1],
    ]);
    assert.deepEqual(rel(d.files), ['etc/torrc', 'etc/torrc.d/x.conf', 'etc/other.conf']);
  });

  it('reads a quoted include path and a +%include, and takes %Include for a key', async () => {
    await write('with space/a.conf', 'A 1\n');
    const main = await write(
      'torrc',
      `%include "${at('with space/a.conf')}"\n+%include ${at('with space/a.conf')}\n%Include x\n`,
    );
    assert.deepEqual(rows(docOf(await readTorrc(main))), [
      ['A', '1', 'with space/a.conf', 1],
      ['A', '1', 'with space/a.conf', 1],
      ['%Include', 'x', 'torrc', 3],
    ]);
  });

  describe('directories', () => {
    it('reads files in byte order, skipping dot-files, subdirectories, empty files and dangling links', async () => {
      await write('d/a.conf', 'K a\n');
      await write('d/Z.conf', 'K Z\n');
      await write('d/b.txt', 'K b.txt\n');
      await write('d/.hidden.conf', 'K hidden\n');
      await write('d/sub/s.conf', 'K sub\n');
      await write('d/empty.conf', '');
      await write('d/é.conf', 'K é\n');
      await symlink(at('nowhere'), at('d/dangling.conf'));
      const main = await write('torrc', `%include ${at('d')}\n`);
      const d = docOf(await readTorrc(main));
      assert.deepEqual(
        d.entries.map((e) => e.value),
        ['Z', 'a', 'b.txt', 'é'],
      );
      assert.deepEqual(rel(d.files), [
        'torrc',
        'd/Z.conf',
        'd/a.conf',
        'd/b.txt',
        'd/empty.conf',
        'd/é.conf',
      ]);
      assert.deepEqual(rel(d.watched), [
        'torrc',
        'd',
        'd/Z.conf',
        'd/a.conf',
        'd/b.txt',
        'd/empty.conf',
        'd/é.conf',
      ]);
    });

    it('accepts a trailing slash on a directory and refuses one on a file', async () => {
      await write('d/a.conf', 'K a\n');
      const ok = await write('torrc', `%include ${at('d')}/\n`);
      assert.deepEqual(rows(docOf(await readTorrc(ok))), [['K', 'a', 'd/a.conf', 1]]);
      const bad = await write('torrc2', `%include ${at('d/a.conf')}/\n`);
      assert.match(errorOf(await readTorrc(bad)).message, /a\.conf: not a directory/);
    });

    it('includes nothing for an empty directory or an empty file', async () => {
      await mkdir(at('empty'));
      await write('e.conf', '');
      const main = await write('torrc', `%include ${at('empty')}\n%include ${at('e.conf')}\nK 1\n`);
      const d = docOf(await readTorrc(main));
      assert.deepEqual(rows(d), [['K', '1', 'torrc', 3]]);
      assert.deepEqual(rel(d.watched), ['torrc', 'empty', 'e.conf']);
    });
  });

  describe('globs', () => {
    it('expands *.conf in byte order and never matches dot-files', async () => {
      await write('d/b.conf', 'K b\n');
      await write('d/Z.conf', 'K Z\n');
      await write('d/a.conf', 'K a\n');
      await write('d/.h.conf', 'K hidden\n');
      await write('d/a.txt', 'K txt\n');
      const main = await write('torrc', `%include ${at('d')}/*.conf\n`);
      const d = docOf(await readTorrc(main));
      assert.deepEqual(
        d.entries.map((e) => e.value),
        ['Z', 'a', 'b'],
      );
      assert.deepEqual(rel(d.watched), ['torrc', 'd', 'd/Z.conf', 'd/a.conf', 'd/b.conf']);
    });

    it('lists a directory that a glob matches', async () => {
      await write('d/a.conf', 'K a\n');
      await write('d/sub/s.conf', 'K s\n');
      await write('d/sub/t.conf', 'K t\n');
      const main = await write('torrc', `%include ${at('d')}/*\n`);
      assert.deepEqual(
        docOf(await readTorrc(main)).entries.map((e) => e.value),
        ['a', 's', 't'],
      );
    });

    it('keeps directories only when the glob ends with a slash', async () => {
      await write('d/a.conf', 'K a\n');
      await write('d/sub/s.conf', 'K s\n');
      const main = await write('torrc', `%include ${at('d')}/*/\n`);
      assert.deepEqual(
        docOf(await readTorrc(main)).entries.map((e) => e.value),
        ['s'],
      );
    });

    it('expands globs in the middle of a path, and sets and ranges', async () => {
      await write('d/one/x.conf', 'K one\n');
      await write('d/two/x.conf', 'K two\n');
      await write('d/two/y.conf', 'K two-y\n');
      const main = await write(
        'torrc',
        `%include ${at('d')}/*/x.conf\n%include ${at('d')}/t[a-z]o/[!x]*\n`,
      );
      assert.deepEqual(
        docOf(await readTorrc(main)).entries.map((e) => e.value),
        ['one', 'two', 'two-y'],
      );
    });

    it('includes nothing when nothing matches, and watches the directory listed', async () => {
      await mkdir(at('d'));
      const main = await write(
        'torrc',
        `%include ${at('d')}/*.conf\n%include ${at('none')}/*.conf\nK 1\n`,
      );
      const d = docOf(await readTorrc(main));
      assert.deepEqual(rows(d), [['K', '1', 'torrc', 3]]);
      assert.deepEqual(rel(d.watched), ['torrc', 'd', 'none']);
    });

    it('treats [ab].conf without * or ? as a literal file name, as Tor does', async () => {
      await write('d/[ab].conf', 'K literal\n');
      await write('d/a.conf', 'K a\n');
      const main = await write('torrc', `%include ${at('d')}/[ab].conf\n`);
      assert.deepEqual(
        docOf(await readTorrc(main)).entries.map((e) => e.value),
        ['literal'],
      );
    });

    it('expands a relative glob against the including file’s directory, even if that has glob characters', async () => {
      await write('we[ir]d*/torrc.d/a.conf', 'K a\n');
      await write('weid/torrc.d/b.conf', 'K wrong\n');
      const main = await write('we[ir]d*/torrc', '%include torrc.d/*.conf\n');
      assert.deepEqual(
        docOf(await readTorrc(main)).entries.map((e) => e.value),
        ['a'],
      );
    });

    it('refuses a glob that matches a dangling symlink, as Tor does', async () => {
      await write('d/b.conf', 'K b\n');
      await symlink(at('nowhere'), at('d/a.conf'));
      const main = await write('torrc', `%include ${at('d')}/*.conf\n`);
      const e = errorOf(await readTorrc(main));
      assert.equal(e.line, 1);
      assert.match(e.message, /d\/a\.conf: does not exist/);
    });
  });

  describe('errors', () => {
    it('refuses a missing path at the %include line, naming it', async () => {
      const main = await write('torrc', `K 1\n%include ${at('missing.conf')}\n`);
      assert.deepEqual(errorOf(await readTorrc(main)), {
        file: main,
        line: 2,
        message: `%include "${at('missing.conf')}": ${at('missing.conf')}: does not exist (ENOENT)`,
      });
    });

    it('refuses an %include without a path, and /%include', async () => {
      for (const text of ['%include\n', '%include ""\n', `/%include ${at('x')}\n`]) {
        const main = await write('torrc', text);
        assert.match(errorOf(await readTorrc(main)).message, /no path given/);
      }
    });

    it('reports an error inside an included file with that file and line', async () => {
      await write('b.conf', 'K 1\nContactInfo "\\q"\n');
      const main = await write('torrc', `%include ${at('b.conf')}\n`);
      assert.deepEqual(errorOf(await readTorrc(main)), {
        file: at('b.conf'),
        line: 2,
        message: 'Invalid escape sequence in quoted string',
      });
    });

    it('refuses a NUL byte, invalid UTF-8 or a BOM in an included file, with its line', async () => {
      await write('nul.conf', Buffer.from('K 1\nK a\u0000b\n'));
      await write('bad.conf', Buffer.concat([Buffer.from('K 1\n\nK '), Buffer.from([0xff])]));
      await write(
        'bom.conf',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('K 1\n')]),
      );
      for (const [name, line, pattern] of [
        ['nul.conf', 2, /NUL byte/],
        ['bad.conf', 3, /invalid UTF-8/],
        ['bom.conf', 1, /byte order mark/],
      ] as const) {
        const main = await write('torrc', `%include ${at(name)}\n`);
        const e = errorOf(await readTorrc(main));
        assert.equal(e.file, at(name));
        assert.equal(e.line, line);
        assert.match(e.message, pattern);
      }
    });

    it('never rejects for I/O: a missing main file, a directory, a FIFO', async () => {
      const missing = errorOf(await readTorrc(at('nope')));
      assert.deepEqual(missing, {
        file: at('nope'),
        line: 0,
        message: `cannot read ${at('nope')}: does not exist (ENOENT)`,
      });
      await mkdir(at('adir'));
      assert.match(errorOf(await readTorrc(at('adir'))).message, /not a regular file/);
      execFileSync('mkfifo', [at('fifo')]);
      assert.match(errorOf(await readTorrc(at('fifo'))).message, /FIFO.*refuses it/);
    });

    it('names a socket as not a regular file, not only by its errno', async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(at('sock'), resolve));
      try {
        assert.equal(
          errorOf(await readTorrc(at('sock'))).message,
          `cannot read ${at('sock')}: not a regular file (a socket?) (ENXIO)`,
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('refuses an included FIFO, directly or in a directory, instead of blocking (a deliberate difference)', async () => {
      await mkdir(at('d'));
      execFileSync('mkfifo', [at('d/f.conf')]);
      for (const target of [at('d/f.conf'), at('d')]) {
        const main = await write('torrc', `%include ${target}\n`);
        const e = errorOf(await readTorrc(main));
        assert.equal(e.line, 1);
        assert.match(
          e.message,
          /d\/f\.conf: a FIFO \(Tor would block reading it\); hotrc refuses it/,
        );
      }
    });

    it('rejects bad options with a TypeError (programmer errors)', async () => {
      const main = await write('torrc', '');
      await assert.rejects(readTorrc(main, { maxBytes: 0 }), TypeError);
      await assert.rejects(readTorrc(main, { maxBytes: 1.5 }), TypeError);
      await assert.rejects(readTorrc(main, { root: 7 as unknown as string }), TypeError);
      await assert.rejects(readTorrc(main, { signal: {} as AbortSignal }), TypeError);
      await assert.rejects(
        readTorrc(main, { allowInsecureMode: 'yes' as unknown as boolean }),
        TypeError,
      );
    });
  });

  describe('nesting', () => {
    async function chain(levels: number, last: string): Promise<string> {
      for (let i = 0; i < levels; i++) await write(`f${i}`, `%include ${at(`f${i + 1}`)}\n`);
      await write(`f${levels}`, last);
      return at('f0');
    }

    it('reads 30 nested %includes (the main file is level 1, the last file level 31)', async () => {
      const d = docOf(await readTorrc(await chain(30, 'K deep\n')));
      assert.deepEqual(rows(d), [['K', 'deep', 'f30', 1]]);
      assert.equal(d.files.length, 31);
    });

    it('refuses a 31st nested %include with Tor’s wording, at the line that asks for it', async () => {
      const e = errorOf(await readTorrc(await chain(31, 'K deep\n')));
      assert.equal(e.file, at('f30'));
      assert.equal(e.line, 1);
      assert.match(e.message, /^more than 31 nested %includes/);
    });

    it('allows an empty file at level 32, which Tor never reads', async () => {
      assert.deepEqual(rows(docOf(await readTorrc(await chain(31, '')))), []);
    });

    it('names the files of a loop, before any depth limit', async () => {
      const main = await write('torrc', `K 1\n%include ${at('b.conf')}\n`);
      await write('b.conf', `\n%include ${main}\n`);
      assert.deepEqual(errorOf(await readTorrc(main)), {
        file: at('b.conf'),
        line: 2,
        message: `%include loop: ${main} -> ${at('b.conf')} -> ${main}`,
      });
    });

    it('catches a file including itself, and a loop through a directory and a symlink', async () => {
      const self = await write('self', `%include ${at('self')}\n`);
      assert.equal(errorOf(await readTorrc(self)).message, `%include loop: ${self} -> ${self}`);
      const main = await write('torrc', `%include ${at('d')}\n`);
      await write('d/a.conf', `%include ${at('link')}\n`);
      await symlink(main, at('link'));
      assert.equal(
        errorOf(await readTorrc(main)).message,
        `%include loop: ${main} -> ${at('d/a.conf')} -> ${at('link')}`,
      );
    });

    it('reads the same file twice when it is included twice without a loop', async () => {
      await write('c.conf', 'C 1\n');
      await write('a.conf', `%include ${at('c.conf')}\n`);
      const main = await write('torrc', `%include ${at('a.conf')}\n%include ${at('c.conf')}\n`);
      const d = docOf(await readTorrc(main));
      assert.deepEqual(rows(d), [
        ['C', '1', 'c.conf', 1],
        ['C', '1', 'c.conf', 1],
      ]);
      assert.deepEqual(rel(d.files), ['torrc', 'a.conf', 'c.conf']);
    });
  });

  describe('root', () => {
    it('reads files that are really inside the root, symlinks included', async () => {
      await write('etc/torrc.d/a.conf', 'K a\n');
      await write('etc/shared/s.conf', 'K s\n');
      await symlink(at('etc/shared/s.conf'), at('etc/torrc.d/s.conf'));
      const main = await write('etc/torrc', `%include ${at('etc/torrc.d')}\n`);
      const d = docOf(await readTorrc(main, { root: at('etc') }));
      assert.deepEqual(
        d.entries.map((e) => e.value),
        ['a', 's'],
      );
    });

    it('refuses an included symlink pointing outside the root', async () => {
      await write('outside/secret.conf', 'K secret\n');
      await write('etc/torrc.d/a.conf', 'K a\n');
      await symlink(at('outside/secret.conf'), at('etc/torrc.d/b.conf'));
      const main = await write('etc/torrc', `%include ${at('etc/torrc.d')}\n`);
      const e = errorOf(await readTorrc(main, { root: at('etc') }));
      assert.equal(e.file, main);
      assert.equal(e.line, 1);
      assert.match(e.message, /b\.conf is really .*outside\/secret\.conf, outside the root/);
      // Without a root the same file is read.
      assert.equal(docOf(await readTorrc(main)).entries.length, 2);
    });

    it('refuses a main file outside the root, and takes a root given through a symlink', async () => {
      const main = await write('outside/torrc', 'K 1\n');
      assert.match(
        errorOf(await readTorrc(main, { root: at('etc') })).message,
        /no such|does not exist/,
      );
      await mkdir(at('etc'));
      assert.match(errorOf(await readTorrc(main, { root: at('etc') })).message, /outside the root/);
      await symlink(at('outside'), at('rootlink'));
      assert.equal(docOf(await readTorrc(main, { root: at('rootlink') })).entries.length, 1);
    });

    it('does not treat a sibling with the same prefix as inside', async () => {
      await write('etc-evil/x.conf', 'K evil\n');
      const main = await write('etc/torrc', `%include ${at('etc-evil/x.conf')}\n`);
      assert.match(errorOf(await readTorrc(main, { root: at('etc') })).message, /outside the root/);
    });
  });

  describe('maxBytes', () => {
    it('defaults to 1 MiB', () => {
      assert.equal(defaultReadOptions.maxBytes, 1_048_576);
    });

    it('reads a file of exactly maxBytes and refuses one byte more, naming file and size', async () => {
      const main = await write('torrc', `K ${'x'.repeat(98)}`);
      assert.equal(docOf(await readTorrc(main, { maxBytes: 100 })).entries.length, 1);
      assert.deepEqual(errorOf(await readTorrc(main, { maxBytes: 99 })), {
        file: main,
        line: 0,
        message: `cannot read ${main}: 100 bytes, over the limit of 99 bytes per file`,
      });
    });

    it('applies per included file, reported at the %include line', async () => {
      await write('big.conf', `K ${'x'.repeat(200)}\n`);
      const main = await write('torrc', `K 1\n%include ${at('big.conf')}\n`);
      const e = errorOf(await readTorrc(main, { maxBytes: 100 }));
      assert.equal(e.file, main);
      assert.equal(e.line, 2);
      assert.match(e.message, /big\.conf: 203 bytes, over the limit of 100 bytes/);
    });

    it('caps a read at 16 times maxBytes in all, a file included twice counted twice, naming the %include that passes it', async () => {
      // maxBytes 1000, so 16,000 in all: the main file (under 1000 bytes) and 15 includes of a
      // 1000-byte file fit; a 16th include does not, however small the main file.
      const big = await write('big.conf', `K ${'x'.repeat(997)}\n`);
      const line = `%include ${big}\n`;
      assert.ok(16 * line.length <= 1000);
      const fits = await write('fits', line.repeat(15));
      assert.equal(docOf(await readTorrc(fits, { maxBytes: 1000 })).entries.length, 15);
      const main = await write('torrc', line.repeat(16));
      const f = failureOf(await readTorrcDocument(main, { maxBytes: 1000 }));
      assert.equal(f.refused, 'too-large');
      assert.equal(f.file, main);
      assert.equal(f.line, 16);
      assert.equal(
        f.message,
        `%include "${big}": ${big}: the configuration and its %includes would be over 16000 bytes in all (16 times the 1000 per file), a file included twice counted twice`,
      );
    });

    it('refuses 20,000 %includes of a 1 MiB file at the default limits at the 16th, instead of reading 20 GiB', async function () {
      this.timeout(20_000);
      const big = await write('big.conf', `ContactInfo ${'x'.repeat(1_048_576 - 13)}\n`);
      const main = await write('torrc', `%include ${big}\n`.repeat(20_000));
      const f = failureOf(await readTorrcDocument(main));
      assert.equal(f.refused, 'too-large');
      assert.equal(f.line, 16);
    });

    it('refuses a 2 MiB main file by default', async () => {
      const main = await write('torrc', Buffer.alloc(2 * 1_048_576, 0x41));
      assert.match(
        errorOf(await readTorrc(main)).message,
        /torrc: 2097152 bytes, over the limit of 1048576/,
      );
    });
  });

  describe('files in all', () => {
    // Empty files, which the byte budget never counts: `n` of them, as `prefix0`, `prefix1`, ...
    async function emptyFiles(rel: string, n: number, prefix = 'f'): Promise<string> {
      await mkdir(at(rel), { recursive: true });
      for (let i = 0; i < n; i += 500) {
        const batch = Array.from({ length: Math.min(500, n - i) }, (_, k) =>
          writeFile(at(`${rel}/${prefix}${i + k}`), ''),
        );
        await Promise.all(batch);
      }
      return at(rel);
    }

    it('refuses a directory of 10,001 empty files at its %include line, naming it and the limit, before reading any', async function () {
      this.timeout(20_000);
      const d = await emptyFiles('d', 10_001);
      const main = await write('torrc', `K 1\n%include ${d}\n`);
      const f = failureOf(await readTorrcDocument(main));
      assert.deepEqual([f.file, f.line, f.refused], [main, 2, undefined]);
      assert.equal(
        f.message,
        `%include "${d}": ${d} holds 10001 entries, more than the 10000 files a torrc may include in all`,
      );
      // Watched: the directory, whose change may fix it, and none of its files (none was read).
      assert.deepEqual(rel(f.watched), ['torrc', 'd']);
    });

    it('reads a directory of exactly 10,000 files, dot-files not counted', async function () {
      this.timeout(20_000);
      const d = await emptyFiles('d', 10_000);
      await write('d/.hidden', 'K hidden\n');
      await write('d/f0', 'K f0\n');
      const main = await write('torrc', `%include ${d}\n`);
      const doc = docOf(await readTorrc(main));
      assert.deepEqual(rows(doc), [['K', 'f0', 'd/f0', 1]]);
      assert.equal(doc.files.length, 10_001);
    });

    it('counts the files of every %include in all, nested ones too, a file included twice counted twice', async function () {
      this.timeout(20_000);
      // 9,998 in d, a.conf and one e.conf make 10,000; a.conf's second e.conf is the 10,001st.
      const d = await emptyFiles('d', 9_998);
      await write('e.conf', '');
      await write('a.conf', `%include ${at('e.conf')}\n%include ${at('e.conf')}\n`);
      const main = await write('torrc', `%include ${d}\n%include ${at('a.conf')}\n`);
      const f = failureOf(await readTorrcDocument(main));
      assert.deepEqual([f.file, f.line], [at('a.conf'), 2]);
      assert.equal(
        f.message,
        `%include "${at('e.conf')}": ${at('e.conf')} would be included file 10001, more than the 10000 files a torrc may include in all (a file included twice counted twice)`,
      );
      const fits = await write('fits', `%include ${d}\n%include ${at('e.conf')}\n`);
      assert.equal(docOf(await readTorrc(fits)).files.length, 10_000);
    });

    it('refuses the directory of a glob that passes the limit with the others it matched, before reading any', async function () {
      this.timeout(20_000);
      await emptyFiles('d/one', 6_000);
      const two = await emptyFiles('d/two', 4_001);
      const main = await write('torrc', `%include ${at('d')}/*\n`);
      const f = failureOf(await readTorrcDocument(main));
      assert.deepEqual([f.file, f.line], [main, 1]);
      assert.equal(
        f.message,
        `%include "${at('d')}/*": ${two} holds 4001 entries, which with the 6000 files included elsewhere are more than the 10000 files a torrc may include in all (a file included twice counted twice)`,
      );
      assert.deepEqual(rel(f.watched), ['torrc', 'd', 'd/one', 'd/two']);
    });
  });

  describe('insecure modes', () => {
    it('refuses insecure modes by default', () => {
      assert.equal(defaultReadOptions.allowInsecureMode, false);
    });

    it('refuses a world-writable main file with the file source’s message, unless allowed', async () => {
      const main = await write('torrc', 'K 1\n');
      await chmod(main, 0o666);
      assert.deepEqual(errorOf(await readTorrc(main)), {
        file: main,
        line: 0,
        message: `refusing ${main}: mode 0666 is world-writable`,
      });
      assert.equal(failureOf(await readTorrcDocument(main)).refused, 'insecure');
      assert.equal(docOf(await readTorrc(main, { allowInsecureMode: true })).entries.length, 1);
    });

    it('refuses a world-writable included file at its %include line, unless allowed', async () => {
      const inc = await write('pools.conf', 'P 1\n');
      await chmod(inc, 0o666);
      const main = await write('torrc', 'K 1\n%include pools.conf\n');
      assert.deepEqual(errorOf(await readTorrc(main)), {
        file: main,
        line: 2,
        message: `%include "pools.conf": refusing ${inc}: mode 0666 is world-writable`,
      });
      const f = failureOf(await readTorrcDocument(main));
      assert.equal(f.refused, 'insecure');
      // The file and its directory, whose fixing ends the refusal.
      assert.deepEqual(rel(f.watched), ['torrc', 'pools.conf', '.']);
      assert.deepEqual(rows(docOf(await readTorrc(main, { allowInsecureMode: true }))), [
        ['K', '1', 'torrc', 1],
        ['P', '1', 'pools.conf', 1],
      ]);
      // resolveTorrc, for text already read, applies the same policy to what it includes.
      assert.equal(
        failureOf(await resolveTorrcDocument('%include pools.conf\n', main)).refused,
        'insecure',
      );
    });

    it('refuses an %included directory world-writable without the sticky bit; with it, reads it', async () => {
      await write('d/a.conf', 'K a\n');
      const main = await write('torrc', `%include ${at('d')}\n`);
      await chmod(at('d'), 0o777);
      const e = errorOf(await readTorrc(main));
      assert.deepEqual([e.file, e.line], [main, 1]);
      assert.equal(
        e.message,
        `%include "${at('d')}": refusing ${at('d')}: directory ${at('d')} mode 0777 is world-writable without the sticky bit`,
      );
      // Even empty, since anyone could drop a file into it.
      await rm(at('d/a.conf'));
      assert.match(errorOf(await readTorrc(main)).message, /world-writable without the sticky bit/);
      await chmod(at('d'), 0o1777);
      assert.deepEqual(rows(docOf(await readTorrc(main))), []);
      await write('d/a.conf', 'K a\n');
      assert.deepEqual(rows(docOf(await readTorrc(main))), [['K', 'a', 'd/a.conf', 1]]);
    });

    it('refuses a file included from a world-writable directory, by name or by glob', async () => {
      await write('shared/a.conf', 'K a\n');
      await chmod(at('shared'), 0o777);
      for (const pattern of [at('shared/a.conf'), `${at('shared')}/*.conf`]) {
        const main = await write('torrc', `%include ${pattern}\n`);
        const f = failureOf(await readTorrcDocument(main));
        assert.equal(f.refused, 'insecure');
        assert.equal(
          f.message,
          `%include "${pattern}": refusing ${at('shared/a.conf')}: directory ${at('shared')} mode 0777 is world-writable without the sticky bit`,
        );
      }
    });

    it('refuses a symlink living in a world-writable directory, even to a safe file', async () => {
      await write('safe/a.conf', 'K a\n');
      await mkdir(at('shared'));
      await symlink(at('safe/a.conf'), at('shared/a.conf'));
      const main = await write('torrc', `%include ${at('shared/a.conf')}\n`);
      assert.equal(docOf(await readTorrc(main)).entries.length, 1);
      await chmod(at('shared'), 0o777);
      assert.match(
        errorOf(await readTorrc(main)).message,
        new RegExp(
          `refusing ${at('shared/a.conf')} \\(${at('safe/a.conf')}\\): directory ${at('shared')} mode 0777`,
        ),
      );
    });
  });

  describe('failures, in full (readTorrcDocument)', () => {
    it('marks refusals by the root and by maxBytes, and nothing else, as refused', async () => {
      await write('outside/x.conf', 'K x\n');
      await write('etc/big.conf', `K ${'x'.repeat(200)}\n`);
      await write('etc/bad.conf', 'K "\\q"\n');
      const refusedBy = async (text: string, options = {}) =>
        failureOf(await readTorrcDocument(await write('etc/torrc', text), options)).refused;
      assert.equal(
        await refusedBy(`%include ${at('outside/x.conf')}\n`, { root: at('etc') }),
        'outside-root',
      );
      assert.equal(await refusedBy('%include big.conf\n', { maxBytes: 100 }), 'too-large');
      assert.equal(await refusedBy('K 1\n', { root: at('gone') }), 'outside-root');
      assert.equal(await refusedBy('%include bad.conf\n'), undefined);
      assert.equal(await refusedBy('%include none.conf\n'), undefined);
      const outside = await write('outside/torrc', 'K 1\n');
      assert.equal(
        failureOf(await readTorrcDocument(outside, { root: at('etc') })).refused,
        'outside-root',
      );
    });

    it('watches a missing %include and its directory, and what was read before it', async () => {
      await write('a.conf', 'K a\n');
      const main = await write(
        'torrc',
        '%include a.conf\n%include later/b.conf\n%include c.conf\n',
      );
      const f = failureOf(await readTorrcDocument(main));
      assert.deepEqual([f.file, f.line, f.refused], [main, 2, undefined]);
      assert.deepEqual(rel(f.watched), ['torrc', 'a.conf', 'later/b.conf', 'later']);
      // readTorrc keeps the error only.
      assert.deepEqual(Object.keys(errorOf(await readTorrc(main))), ['file', 'line', 'message']);
    });

    it('watches the main file when it is missing', async () => {
      assert.deepEqual(failureOf(await readTorrcDocument(at('nope'))).watched, [at('nope')]);
    });
  });

  describe('abort', () => {
    it('returns an aborted Left for an already aborted signal', async () => {
      const main = await write('torrc', 'K 1\n');
      const e = errorOf(await readTorrc(main, { signal: AbortSignal.abort() }));
      assert.equal(e.file, main);
      assert.match(e.message, /aborted/);
    });

    it('stops at the next step when aborted while reading', async () => {
      await write('d/a.conf', 'K a\n');
      const main = await write('torrc', `%include ${at('d')}\n`);
      const controller = new AbortController();
      const pending = readTorrc(main, { signal: controller.signal });
      controller.abort();
      assert.match(errorOf(await pending).message, /aborted/);
    });
  });
});

describe('resolveTorrc', () => {
  it('parses given text for a main file and expands its includes relative to it', async () => {
    await write('etc/torrc.d/a.conf', 'K a\n');
    const main = at('etc/torrc');
    const d = docOf(await resolveTorrc('K 0\n%include torrc.d/*.conf\n', main));
    assert.deepEqual(rows(d), [
      ['K', '0', 'etc/torrc', 1],
      ['K', 'a', 'etc/torrc.d/a.conf', 1],
    ]);
    assert.deepEqual(rel(d.files), ['etc/torrc', 'etc/torrc.d/a.conf']);
    assert.deepEqual(rel(d.watched), ['etc/torrc', 'etc/torrc.d', 'etc/torrc.d/a.conf']);
  });

  it('returns parse errors of the given text with its file', async () => {
    const main = at('torrc');
    assert.deepEqual(errorOf(await resolveTorrc('A 1\nB "x" y\n', main)), {
      file: main,
      line: 2,
      message: 'Excess data after quoted string',
    });
  });
});

describe('resolveTorrcDocument, the main file as named', () => {
  it('names the main file by its clean absolute path however it was spelt, with or without %include', async () => {
    const main = await write('etc/torrc', '');
    await write('etc/b.conf', 'B 2\n');
    const spellings = [
      main,
      `${dir}//etc/./torrc`,
      `${dir}/etc/sub/../torrc`,
      `${dir}/etc/torrc/.`,
      relative(process.cwd(), main),
    ];
    for (const spelt of spellings) {
      const plain = docOf(await resolveTorrc('A 1\n', spelt));
      assert.deepEqual(
        plain.entries.map((e) => e.file),
        [main],
        spelt,
      );
      assert.deepEqual([plain.files, plain.watched], [[main], [main]], spelt);
      const included = docOf(await resolveTorrc('A 1\n%include b.conf\n', spelt));
      assert.deepEqual(rows(included), [
        ['A', '1', 'etc/torrc', 1],
        ['B', '2', 'etc/b.conf', 1],
      ]);
      const broken = failureOf(await resolveTorrcDocument('A "x\n', spelt));
      assert.deepEqual([broken.file, broken.line, broken.watched], [main, 1, [main]], spelt);
    }
  });

  it('with a root, refuses an unresolvable root before it reads the text, as before', async () => {
    const f = failureOf(
      await resolveTorrcDocument('A "broken\n', at('torrc'), { root: at('missing') }),
    );
    assert.equal(f.refused, 'outside-root');
    assert.equal(f.line, 0);
  });
});

describe('readTorrcDocument, the main file on a local disk', () => {
  it('reads a file larger than one synchronous read allows through the thread pool, the same', async () => {
    const line = 'Nickname abc\n';
    const count = Math.ceil((5 << 20) / line.length);
    const main = await write('torrc', line.repeat(count));
    const d = docOf(await readTorrc(main, { maxBytes: 6 << 20 }));
    assert.equal(d.entries.length, count);
    assert.equal(d.entries.at(-1)?.line, count);
    const over = failureOf(await readTorrcDocument(main, { maxBytes: 5 << 20 }));
    assert.equal(over.refused, 'too-large');
    assert.match(over.message, /over the limit of 5242880 bytes per file/);
  });
});
