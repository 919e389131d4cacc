import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { formatProblem } from '../../lib/core/problem.js';
import type { FormatFailure, FormatInput, ParsedDocument } from '../../lib/engine/format.js';
import { defaultFilePolicy, type FilePolicy } from '../../lib/sources/file-policy.js';
import { readTorrcDocument } from '../../lib/tor/include.js';
import { type TorrcParsed, torrcFormat } from '../../lib/tor/torrc-format.js';

describe('torrcFormat, on real files', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-torrc-format-'));
    path = join(dir, 'torrc');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // The main file written and read back, parsed as the engine parses it.
  async function parseFile(
    content: string | Uint8Array,
    policy: FilePolicy = defaultFilePolicy,
  ): Promise<E.Either<FormatFailure, ParsedDocument>> {
    await writeFile(path, content);
    const input: FormatInput = {
      bytes: await readFile(path),
      file: path,
      signal: new AbortController().signal,
      policy,
    };
    const r = torrcFormat.parse(input);
    assert.ok(r instanceof Promise, 'the torrc format reads includes, so it answers later');
    return r;
  }
  const document = (r: E.Either<FormatFailure, ParsedDocument>): TorrcParsed => {
    if (E.isLeft(r)) assert.fail(r.left.problems.map(formatProblem).join('; '));
    return r.right as TorrcParsed;
  };
  const failed = (r: E.Either<FormatFailure, ParsedDocument>): FormatFailure => {
    if (E.isRight(r)) assert.fail('parsed');
    return r.left;
  };

  it('is named torrc', () => {
    assert.equal(torrcFormat.name, 'torrc');
    assert.ok(Object.isFrozen(torrcFormat));
  });

  it('gives the entries with %include expanded in place, in Tor’s order', async () => {
    await mkdir(join(dir, 'torrc.d'));
    await writeFile(join(dir, 'torrc.d', 'b.conf'), 'CircuitPoolMaxSize 20\n');
    await writeFile(join(dir, 'torrc.d', 'a.conf'), 'LogLevel debug\n');
    await writeFile(join(dir, 'torrc.d', '.hidden'), 'LogLevel err\n');
    const doc = document(await parseFile('SocksPort 9150\n%include torrc.d\nConnLimit 5\n'));
    assert.deepEqual(
      doc.value.map((e) => [e.key, e.value, e.file, e.line]),
      [
        ['SocksPort', '9150', path, 1],
        ['LogLevel', 'debug', join(dir, 'torrc.d', 'a.conf'), 1],
        ['CircuitPoolMaxSize', '20', join(dir, 'torrc.d', 'b.conf'), 1],
        ['ConnLimit', '5', path, 3],
      ],
    );
    assert.deepEqual(doc.files, [
      path,
      join(dir, 'torrc.d', 'a.conf'),
      join(dir, 'torrc.d', 'b.conf'),
    ]);
    // The directory is watched, so a file added to it is noticed.
    assert.ok(doc.watched.includes(join(dir, 'torrc.d')), doc.watched.join(' '));
    for (const f of doc.files) assert.ok(doc.watched.includes(f), f);
    assert.deepEqual(doc.warnings, []);
  });

  it('from a self-contained source (an etcd key) refuses each %include at its line, reading no file', async () => {
    // The included file exists and is readable: only the rule keeps it from being read.
    await writeFile(join(dir, 'secret.conf'), 'LogLevel debug\n');
    const r = await torrcFormat.parse({
      bytes: Buffer.from(`SocksPort 9150\n%include ${join(dir, 'secret.conf')}\nConnLimit 5\n`),
      file: '/hotrc/torrc',
      signal: new AbortController().signal,
      policy: defaultFilePolicy,
      selfContained: true,
    });
    const f = failed(r);
    assert.deepEqual(
      f.problems.map((p) => [p.file, p.line, p.severity]),
      [['/hotrc/torrc', 2, 'error']],
    );
    assert.match(f.problems[0]?.message ?? '', /%include .*cannot read it from etcd/);
    assert.deepEqual(f.watched, [], 'nothing on this host is watched for it');
    // The same text from a file reads the include.
    const fromFile = document(
      await parseFile(`SocksPort 9150\n%include ${join(dir, 'secret.conf')}\nConnLimit 5\n`),
    );
    assert.ok(fromFile.value.some((e) => e.key === 'LogLevel'));
  });

  it('gives the same entries, files and watched list as the Tor reader', async () => {
    await writeFile(join(dir, 'pools.conf'), 'CircuitPoolMinSize 3\n');
    const text = 'LogLevel notice\n%include pools.conf\nExcludeNodes {de}, {fr}\n';
    const doc = document(await parseFile(text));
    const direct = await readTorrcDocument(path);
    assert.ok(E.isRight(direct));
    assert.deepEqual(doc.value, direct.right.entries);
    assert.deepEqual(doc.files, direct.right.files);
    assert.deepEqual(doc.watched, direct.right.watched);
  });

  it('locates no path: a torrc has no paths, its decode puts lines on every problem', async () => {
    const doc = document(await parseFile('LogLevel info\n'));
    assert.equal(doc.locate(['LogLevel']), undefined);
  });

  describe('refuses bytes with their line, watching only the main file', () => {
    it('a NUL byte', async () => {
      const f = failed(await parseFile(Buffer.from('LogLevel info\nSocksPort 9\x0050\n')));
      assert.equal(f.problems.length, 1);
      assert.equal(f.problems[0]?.file, path);
      assert.equal(f.problems[0]?.line, 2);
      assert.match(f.problems[0]?.message ?? '', /NUL/);
      assert.deepEqual(f.watched, [path]);
      assert.equal(f.refused, undefined);
    });

    it('invalid UTF-8', async () => {
      const bytes = Buffer.concat([
        Buffer.from('LogLevel info\n\nNickname caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]);
      const f = failed(await parseFile(bytes));
      assert.equal(f.problems[0]?.line, 3);
      assert.match(f.problems[0]?.message ?? '', /UTF-8/);
      assert.deepEqual(f.watched, [path]);
    });

    it('a byte order mark', async () => {
      const f = failed(await parseFile(Buffer.from('\ufeffLogLevel info\n')));
      assert.equal(f.problems[0]?.line, 1);
      assert.match(f.problems[0]?.message ?? '', /byte order mark/);
    });

    it('a syntax error, on its line', async () => {
      const f = failed(await parseFile('LogLevel info\nNickname "unterminated\n'));
      assert.equal(f.problems[0]?.line, 2);
      assert.deepEqual(f.watched, [path]);
    });
  });

  it('fails on a missing %include at its line, watching the include and its directory', async () => {
    const f = failed(await parseFile('LogLevel info\n\n%include conf.d/extra.conf\n'));
    assert.deepEqual(f.problems.map(formatProblem), [
      `${path}:3: %include "conf.d/extra.conf": ${join(dir, 'conf.d', 'extra.conf')}: does not exist (ENOENT)`,
    ]);
    assert.deepEqual(f.watched, [path, join(dir, 'conf.d', 'extra.conf'), join(dir, 'conf.d')]);
    assert.equal(f.refused, undefined);
  });

  it('refuses a world-writable %include as `insecure`, unless the policy allows it', async () => {
    const inc = join(dir, 'inc.conf');
    await writeFile(inc, 'LogLevel debug\n');
    await chmod(inc, 0o666);
    const f = failed(await parseFile('%include inc.conf\n'));
    assert.equal(f.refused, 'insecure');
    assert.equal(f.problems[0]?.line, 1);
    assert.match(f.problems[0]?.message ?? '', /world-writable/);
    assert.ok(f.watched.includes(inc), f.watched.join(' '));
    const allowed = document(
      await parseFile('%include inc.conf\n', { ...defaultFilePolicy, allowInsecureMode: true }),
    );
    assert.deepEqual(
      allowed.value.map((e) => e.value),
      ['debug'],
    );
  });

  it('applies the rest of the policy to includes: maxBytes, root', async () => {
    const inc = join(dir, 'big.conf');
    await writeFile(inc, `Nickname ${'x'.repeat(100)}\n`);
    const tooLarge = failed(
      await parseFile('%include big.conf\n', { ...defaultFilePolicy, maxBytes: 64 }),
    );
    assert.equal(tooLarge.refused, 'too-large');
    const elsewhere = await mkdtemp(join(tmpdir(), 'hotrc-torrc-format-out-'));
    try {
      await writeFile(join(elsewhere, 'x.conf'), 'LogLevel debug\n');
      const outside = failed(
        await parseFile(`%include ${join(elsewhere, 'x.conf')}\n`, {
          ...defaultFilePolicy,
          root: dir,
        }),
      );
      assert.equal(outside.refused, 'outside-root');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('with no policy given, applies the default one', async () => {
    const inc = join(dir, 'inc.conf');
    await writeFile(inc, 'LogLevel debug\n');
    await chmod(inc, 0o666);
    await writeFile(path, '%include inc.conf\n');
    const r = await torrcFormat.parse({
      bytes: await readFile(path),
      file: path,
      signal: new AbortController().signal,
    });
    assert.equal(failed(r).refused, 'insecure');
  });
});
