import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFs } from '../../lib/sources/fs-port.js';
import { localFs, onLocalDisk } from '../../lib/sources/local-fs.js';

describe('sources/local-fs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-local-fs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('onLocalDisk', () => {
    it('is true for the temp directory (a local disk here) and false for /proc and a missing path', async () => {
      assert.equal(await onLocalDisk(dir), process.platform === 'linux');
      assert.equal(await onLocalDisk('/proc/self'), false);
      assert.equal(await onLocalDisk(join(dir, 'nope')), false);
    });
  });

  describe('localFs: what nodeFs answers, settled at once', () => {
    it('stat, lstat and realpath answer as nodeFs does, through a symlink chain', async () => {
      await mkdir(join(dir, 'v1'));
      await writeFile(join(dir, 'v1', 'torrc'), 'SocksPort 9050\n');
      await symlink('v1', join(dir, 'data'));
      await symlink(join('data', 'torrc'), join(dir, 'torrc'));
      const path = join(dir, 'torrc');
      const [mine, theirs] = [await localFs.stat(path), await nodeFs.stat(path)];
      assert.equal(mine.ino, theirs.ino);
      assert.equal(mine.mtimeNs, theirs.mtimeNs);
      assert.equal(mine.size, 15n);
      assert.equal((await localFs.lstat(path)).isSymbolicLink(), true);
      assert.equal(await localFs.realpath(path), await nodeFs.realpath(path));
    });

    it('rejects with the errno code, as a promise (never a throw)', async () => {
      const missing = join(dir, 'nope');
      const calls = [
        () => localFs.stat(missing),
        () => localFs.lstat(missing),
        () => localFs.realpath(missing),
        () => localFs.readFile(missing, { maxBytes: 10 }),
      ];
      for (const call of calls) {
        let result: Promise<unknown> | undefined;
        assert.doesNotThrow(() => {
          result = call();
        });
        await assert.rejects(result as Promise<unknown>, { code: 'ENOENT' });
      }
      await writeFile(join(dir, 'file'), 'x');
      await assert.rejects(localFs.readFile(join(dir, 'file', 'x'), { maxBytes: 10 }), {
        code: 'ENOTDIR',
      });
    });

    it('readFile reads whole, never more than maxBytes + 1, and past the size fstat gave', async () => {
      const content = Buffer.alloc(300_000);
      for (let i = 0; i < content.length; i++) content[i] = i % 251;
      await writeFile(join(dir, 'big'), content);
      await writeFile(join(dir, 'torrc'), 'SocksPort 9050\n');
      await writeFile(join(dir, 'empty'), '');
      assert.equal(
        (await localFs.readFile(join(dir, 'torrc'), { maxBytes: 1024 })).toString(),
        'SocksPort 9050\n',
      );
      assert.equal((await localFs.readFile(join(dir, 'empty'), { maxBytes: 10 })).length, 0);
      const capped = await localFs.readFile(join(dir, 'big'), { maxBytes: 100_000 });
      assert.deepEqual(capped, content.subarray(0, 100_001));
      assert.deepEqual(await localFs.readFile(join(dir, 'big'), { maxBytes: 1 << 20 }), content);
      const status = await localFs.readFile('/proc/self/status', { maxBytes: 1 << 20 });
      assert.match(status.toString(), /^Name:/);
    });

    it('readFile hands a file over 4 MiB to nodeFs (never a long hold of the event loop), with the same bytes', async () => {
      const content = Buffer.alloc(5 << 20, 7);
      content.write('SocksPort 9050\n');
      await writeFile(join(dir, 'huge'), content);
      assert.deepEqual(await localFs.readFile(join(dir, 'huge'), { maxBytes: 8 << 20 }), content);
      const capped = await localFs.readFile(join(dir, 'huge'), { maxBytes: 1 << 20 });
      assert.deepEqual(capped, content.subarray(0, (1 << 20) + 1));
    });

    it('readFile refuses a directory, a FIFO (without waiting for a writer) and a device with EFTYPE', async () => {
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      for (const path of [dir, join(dir, 'fifo'), '/dev/zero']) {
        await assert.rejects(localFs.readFile(path, { maxBytes: 10 }), { code: 'EFTYPE' }, path);
      }
    });

    it('readFile rejects an aborted signal with an AbortError and a bad maxBytes with a TypeError', async () => {
      await writeFile(join(dir, 'torrc'), 'x');
      await assert.rejects(
        localFs.readFile(join(dir, 'torrc'), { maxBytes: 10, signal: AbortSignal.abort() }),
        { name: 'AbortError' },
      );
      for (const maxBytes of [-1, 1.5, Number.NaN]) {
        await assert.rejects(localFs.readFile(join(dir, 'torrc'), { maxBytes }), TypeError);
      }
    });
  });
});
