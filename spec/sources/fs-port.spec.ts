import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFs, watchDirectory } from '../../lib/sources/fs-port.js';

describe('sources/fs-port nodeFs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-fs-port-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('stat, lstat, realpath', () => {
    it('stat follows symlinks with bigint stats; lstat does not', async () => {
      await writeFile(join(dir, 'real'), 'SocksPort 9050\n');
      await symlink('real', join(dir, 'link'));
      const followed = await nodeFs.stat(join(dir, 'link'));
      const own = await nodeFs.lstat(join(dir, 'link'));
      assert.equal(typeof followed.ino, 'bigint');
      assert.equal(typeof followed.mtimeNs, 'bigint');
      assert.equal(followed.isFile(), true);
      assert.equal(followed.size, 15n);
      assert.equal(own.isSymbolicLink(), true);
      assert.notEqual(own.ino, followed.ino);
    });

    it('realpath resolves every symlink on the way', async () => {
      await mkdir(join(dir, 'v1'));
      await writeFile(join(dir, 'v1', 'torrc'), 'x');
      await symlink('v1', join(dir, 'data'));
      await symlink(join('data', 'torrc'), join(dir, 'torrc'));
      assert.equal(
        await nodeFs.realpath(join(dir, 'torrc')),
        join(await nodeFs.realpath(dir), 'v1', 'torrc'),
      );
    });

    it('reject with the errno code', async () => {
      await assert.rejects(nodeFs.stat(join(dir, 'nope')), { code: 'ENOENT' });
      await assert.rejects(nodeFs.lstat(join(dir, 'nope')), { code: 'ENOENT' });
      await assert.rejects(nodeFs.realpath(join(dir, 'nope')), { code: 'ENOENT' });
    });
  });

  describe('readFile', () => {
    it('reads a small file whole', async () => {
      await writeFile(join(dir, 'torrc'), 'SocksPort 9050\nLog notice stdout\n');
      const bytes = await nodeFs.readFile(join(dir, 'torrc'), { maxBytes: 1024 });
      assert.equal(bytes.toString(), 'SocksPort 9050\nLog notice stdout\n');
    });

    it('reads a file of exactly maxBytes whole, and an empty file as no bytes', async () => {
      await writeFile(join(dir, 'full'), 'x'.repeat(100));
      await writeFile(join(dir, 'empty'), '');
      assert.equal((await nodeFs.readFile(join(dir, 'full'), { maxBytes: 100 })).length, 100);
      assert.equal((await nodeFs.readFile(join(dir, 'empty'), { maxBytes: 100 })).length, 0);
    });

    it('never returns more than maxBytes + 1 bytes of a larger file', async () => {
      const content = Buffer.alloc(300_000);
      for (let i = 0; i < content.length; i++) content[i] = i % 251;
      await writeFile(join(dir, 'big'), content);
      const bytes = await nodeFs.readFile(join(dir, 'big'), { maxBytes: 100_000 });
      assert.equal(bytes.length, 100_001);
      assert.deepEqual(bytes, content.subarray(0, 100_001));
      assert.equal((await nodeFs.readFile(join(dir, 'big'), { maxBytes: 0 })).length, 1);
    });

    it('reads past the size fstat reports (files that grow, /proc)', async function () {
      if (!existsSync('/proc/self/status')) {
        console.log('      no /proc/self/status: skipping');
        this.skip();
      }
      const bytes = await nodeFs.readFile('/proc/self/status', { maxBytes: 1 << 20 });
      assert.match(bytes.toString(), /^Name:/);
      assert.ok(bytes.length > 1);
    });

    it('refuses a directory with EFTYPE', async () => {
      await assert.rejects(nodeFs.readFile(dir, { maxBytes: 10 }), { code: 'EFTYPE' });
    });

    it('refuses a FIFO with EFTYPE at once instead of waiting for a writer', async () => {
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      await assert.rejects(nodeFs.readFile(join(dir, 'fifo'), { maxBytes: 10 }), {
        code: 'EFTYPE',
      });
    });

    it('refuses an endless device with EFTYPE', async () => {
      await assert.rejects(nodeFs.readFile('/dev/zero', { maxBytes: 10 }), { code: 'EFTYPE' });
    });

    it('follows a symlink to the file', async () => {
      await writeFile(join(dir, 'real'), 'abc');
      await symlink('real', join(dir, 'link'));
      assert.equal((await nodeFs.readFile(join(dir, 'link'), { maxBytes: 10 })).toString(), 'abc');
    });

    it('rejects with the errno code of a missing file', async () => {
      await assert.rejects(nodeFs.readFile(join(dir, 'nope'), { maxBytes: 10 }), {
        code: 'ENOENT',
      });
      await writeFile(join(dir, 'file'), 'x');
      await assert.rejects(nodeFs.readFile(join(dir, 'file', 'x'), { maxBytes: 10 }), {
        code: 'ENOTDIR',
      });
    });

    it('rejects a bad maxBytes with a TypeError (a programmer error)', async () => {
      await writeFile(join(dir, 'torrc'), 'x');
      for (const maxBytes of [-1, 1.5, Number.NaN]) {
        await assert.rejects(nodeFs.readFile(join(dir, 'torrc'), { maxBytes }), TypeError);
      }
    });

    it('rejects with an AbortError when the signal is already aborted', async () => {
      await writeFile(join(dir, 'torrc'), 'x');
      const signal = AbortSignal.abort();
      await assert.rejects(nodeFs.readFile(join(dir, 'torrc'), { maxBytes: 10, signal }), {
        name: 'AbortError',
      });
    });

    it('rejects with an AbortError when aborted while reading', async () => {
      await writeFile(join(dir, 'big'), Buffer.alloc(4 << 20));
      const controller = new AbortController();
      const reading = nodeFs.readFile(join(dir, 'big'), {
        maxBytes: 8 << 20,
        signal: controller.signal,
      });
      controller.abort();
      await assert.rejects(reading, { name: 'AbortError' });
    });

    it('reads normally with a signal that never aborts', async () => {
      await writeFile(join(dir, 'torrc'), 'abc');
      const controller = new AbortController();
      const bytes = await nodeFs.readFile(join(dir, 'torrc'), {
        maxBytes: 10,
        signal: controller.signal,
      });
      assert.equal(bytes.toString(), 'abc');
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });
  });

  describe('watch (watchDirectory)', () => {
    const fsWatches = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
    const failed = (err: unknown) => assert.fail(`the watch failed: ${String(err)}`);
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(done(), 'timed out');
    };

    it('shares one fs.watch among the watches of one directory, closed with the last of them', async () => {
      const before = fsWatches();
      const seen: Array<Array<string | null>> = [[], [], []];
      const watches = seen.map((names) => watchDirectory(dir, (n) => names.push(n), failed));
      assert.equal(fsWatches(), before + 1);
      await writeFile(join(dir, 'torrc'), 'x');
      await until(() => seen.every((names) => names.includes('torrc')));
      watches[0]?.close();
      watches[0]?.close();
      assert.equal(fsWatches(), before + 1);
      await rename(join(dir, 'torrc'), join(dir, 'torrc2'));
      await until(() => (seen[1] ?? []).includes('torrc2') && (seen[2] ?? []).includes('torrc2'));
      assert.equal(seen[0]?.includes('torrc2'), false);
      watches[1]?.close();
      watches[2]?.close();
      // A closed handle leaves the list once libuv has closed it, on a later turn.
      await until(() => fsWatches() === before);
    });

    it('watches a directory made again at the same path afresh, not through the old watch', async () => {
      const sub = join(dir, 'etc');
      await mkdir(sub);
      const old: Array<string | null> = [];
      const first = watchDirectory(
        sub,
        (n) => old.push(n),
        () => {},
      );
      await rmdir(sub);
      await mkdir(sub);
      const fresh: Array<string | null> = [];
      const second = watchDirectory(sub, (n) => fresh.push(n), failed);
      await writeFile(join(sub, 'torrc'), 'x');
      await until(() => fresh.includes('torrc'));
      assert.equal(old.includes('torrc'), false);
      first.close();
      second.close();
    });

    it('throws with the errno code when the directory is missing', () => {
      assert.throws(
        () =>
          watchDirectory(
            join(dir, 'nope'),
            () => {},
            () => {},
          ),
        {
          code: 'ENOENT',
        },
      );
    });
  });
});
