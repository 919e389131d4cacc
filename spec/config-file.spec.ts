import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { ConfigError, loadFromFile, loadTorrc, loadTorrcText } from '../lib/config-file.js';
import { defaultConfig } from '../lib/schema/tor-config.js';

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
