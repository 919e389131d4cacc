import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  ConfigError,
  loadFromFile,
  loadTorrc,
  loadTorrcText,
  problemOf,
} from '../../lib/tor/config-file.js';
import { defaultConfig } from '../../lib/tor/schema/tor-config.js';

describe('config files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-config-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('loadFromFile', () => {
    it('resolves with defaults plus the file and its includes', async () => {
      const path = join(dir, 'torrc');
      await writeFile(join(dir, 'pools.conf'), 'CircuitPoolMaxSize 20\n');
      await writeFile(path, 'LogLevel warn\n%include pools.conf\n');
      const config = await loadFromFile(path);
      assert.equal(config.LogLevel, 'warn');
      assert.equal(config.CircuitPoolMaxSize, 20);
      assert.equal(config.SocksPort, 9050);
    });

    it('lays the file over a given base', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'LogLevel warn\n');
      const config = await loadFromFile(path, { ...defaultConfig(), SocksPort: 9150 });
      assert.deepEqual([config.SocksPort, config.LogLevel], [9150, 'warn']);
    });

    it('rejects with a ConfigError listing every problem with file and line', async () => {
      const path = join(dir, 'torrc');
      const inc = join(dir, 'inc.conf');
      await writeFile(inc, '\nUseEntryGuards perhaps\n');
      await writeFile(path, `ConnLimit 0\n%include ${inc}\n`);
      const err = await loadFromFile(path).then(
        () => assert.fail('should reject'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => `${p.file}:${p.line}`),
        [`${inc}:2`, `${path}:1`],
      );
      assert.match(err.message, new RegExp(`${path}:1: ConnLimit must be at least 1`));
    });

    it('rejects a missing file with a clear message', async () => {
      const err = await loadFromFile(join(dir, 'nope')).catch((e: unknown) => e);
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems[0]?.message ?? '', /nope/);
    });
  });

  describe('the file policy, as the watcher applies it', () => {
    const failure = async (r: Promise<E.Either<ConfigError, unknown>>): Promise<ConfigError> => {
      const result = await r;
      if (E.isRight(result)) assert.fail('expected a ConfigError');
      return result.left;
    };

    it('loadFromFile refuses a world-writable torrc with the watcher’s message, unless allowed', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'LogLevel warn\n');
      await chmod(path, 0o666);
      const err = await loadFromFile(path).catch((e: unknown) => e);
      assert.ok(err instanceof ConfigError);
      assert.equal(err.refused, 'insecure');
      assert.deepEqual(err.problems, [
        {
          severity: 'error',
          message: `refusing ${path}: mode 0666 is world-writable`,
          file: path,
        },
      ]);
      const allowed = await loadFromFile(path, defaultConfig(), { allowInsecureMode: true });
      assert.equal(allowed.LogLevel, 'warn');
    });

    it('loadTorrc refuses a torrc in a world-writable directory without the sticky bit', async () => {
      const shared = join(dir, 'shared');
      await mkdir(shared);
      const path = join(shared, 'torrc');
      await writeFile(path, 'LogLevel warn\n');
      await chmod(shared, 0o777);
      const err = await failure(loadTorrc(path));
      assert.equal(err.refused, 'insecure');
      assert.match(
        err.message,
        /directory .*shared mode 0777 is world-writable without the sticky bit/,
      );
      await chmod(shared, 0o1777);
      assert.ok(E.isRight(await loadTorrc(path)));
    });

    it('loadTorrc and loadTorrcText refuse a world-writable %include at its line', async () => {
      const path = join(dir, 'torrc');
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 20\n');
      await chmod(inc, 0o666);
      await writeFile(path, 'LogLevel warn\n%include pools.conf\n');
      for (const err of [
        await failure(loadTorrc(path)),
        await failure(loadTorrcText('LogLevel warn\n%include pools.conf\n', path)),
      ]) {
        assert.equal(err.refused, 'insecure');
        assert.deepEqual(
          err.problems.map((p) => [p.file, p.line, p.message]),
          [[path, 2, `%include "pools.conf": refusing ${inc}: mode 0666 is world-writable`]],
        );
      }
    });

    it('takes root and maxBytes, refusing with their kind', async () => {
      const etc = join(dir, 'etc');
      await mkdir(etc);
      const path = join(etc, 'torrc');
      await writeFile(join(dir, 'outside.conf'), 'LogLevel warn\n');
      await writeFile(path, `%include ${join(dir, 'outside.conf')}\n`);
      assert.equal((await failure(loadTorrc(path, { root: etc }))).refused, 'outside-root');
      assert.ok(E.isRight(await loadTorrc(path, { root: dir })));
      assert.equal((await failure(loadTorrc(path, { maxBytes: 10 }))).refused, 'too-large');
    });

    it('says what a failed load looked at: a missing %include and its directory', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'LogLevel warn\n%include extra.conf\nConnLimit 0\n');
      const missing = await failure(loadTorrc(path));
      assert.equal(missing.refused, undefined);
      assert.deepEqual(missing.watched, [path, join(dir, 'extra.conf'), dir]);
      await writeFile(join(dir, 'extra.conf'), 'LogLevel info\n');
      // A config that reads but does not validate watches everything it read.
      const invalid = await failure(loadTorrc(path));
      assert.deepEqual(invalid.watched, [path, join(dir, 'extra.conf')]);
    });

    it('a reader error at line 0 (no line to blame) is a problem with a file and no line', () => {
      assert.deepEqual(problemOf({ file: '/t', line: 0, message: 'm' }), {
        severity: 'error',
        message: 'm',
        file: '/t',
      });
      assert.equal(problemOf({ file: '/t', line: 3, message: 'm' }).line, 3);
    });
  });

  it('loadTorrc reports warnings, files read and paths watched', async () => {
    const path = join(dir, 'torrc');
    await writeFile(join(dir, 'a.conf'), 'Nickname x\n');
    await writeFile(path, `%include ${dir}/*.conf\nSocksPrt 1\n`);
    const r = await loadTorrc(path);
    assert.ok(E.isRight(r));
    assert.deepEqual(r.right.files, [path, join(dir, 'a.conf')]);
    assert.ok(r.right.watched.includes(dir));
    assert.deepEqual(
      r.right.warnings.map((w) => w.severity),
      ['info', 'warning'],
    );
  });

  it('loadTorrcText decodes text already read, resolving includes next to the path', async () => {
    await writeFile(join(dir, 'b.conf'), 'LogLevel error\n');
    const r = await loadTorrcText('%include b.conf\n', join(dir, 'torrc'));
    assert.ok(E.isRight(r));
    assert.equal(r.right.config.LogLevel, 'error');
  });
});
