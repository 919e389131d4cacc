import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { nodeFs } from '../../lib/sources/fs-port.js';
import {
  judgeEvent,
  planWatch,
  type WatchedDirectory,
  type WatchPlan,
} from '../../lib/sources/watch-plan.js';

// The plan as [directory, { entry: role }, anyEntry], for readable comparisons.
const shape = (plan: WatchPlan) =>
  plan.map((d) => [d.path, Object.fromEntries(d.entries), d.anyEntry] as const);

describe('sources/watch-plan', () => {
  let dir: string;

  beforeEach(async () => {
    // Real, so that a symlinked tmpdir (macOS /var -> /private/var) does not show in plans.
    dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-plan-')));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('planWatch', () => {
    it('watches the directory of a plain file for its name, never the file', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'LogLevel info\n');
      const plan = await planWatch([{ path }], nodeFs);
      assert.deepEqual(shape(plan), [[dir, { torrc: 'file' }, false]]);
      const s = await stat(dir, { bigint: true });
      assert.equal(plan[0]?.id, `${s.dev}:${s.ino}:${s.birthtimeNs}`);
    });

    it('plans a path without symlinks with one realpath and two lstats, however deep it is', async () => {
      const deep = join(dir, 'a', 'b', 'c');
      await mkdir(deep, { recursive: true });
      await writeFile(join(deep, 'torrc'), 'LogLevel info\n');
      const calls: string[] = [];
      const counting = {
        ...nodeFs,
        lstat: (p: string) => {
          calls.push('lstat');
          return nodeFs.lstat(p);
        },
        realpath: (p: string) => {
          calls.push('realpath');
          return nodeFs.realpath(p);
        },
      };
      const plan = await planWatch([{ path: join(deep, 'torrc') }], counting);
      assert.deepEqual(shape(plan), [[deep, { torrc: 'file' }, false]]);
      const s = await stat(deep, { bigint: true });
      assert.equal(plan[0]?.id, `${s.dev}:${s.ino}:${s.birthtimeNs}`);
      // The directory's lstat and the file's (is it mounted on its own?), however deep.
      assert.deepEqual(calls.sort(), ['lstat', 'lstat', 'realpath']);
    });

    it('follows a ConfigMap layout: both links in the mount, the file in the timestamped directory', async () => {
      const mount = join(dir, 'cm');
      await mkdir(join(mount, '..2026_12_01_1'), { recursive: true });
      await writeFile(join(mount, '..2026_12_01_1', 'torrc'), 'x\n');
      await symlink('..2026_12_01_1', join(mount, '..data'));
      await symlink('..data/torrc', join(mount, 'torrc'));
      const plan = await planWatch([{ path: join(mount, 'torrc') }], nodeFs);
      assert.deepEqual(shape(plan), [
        [mount, { torrc: 'link', '..data': 'link' }, false],
        [join(mount, '..2026_12_01_1'), { torrc: 'file' }, false],
      ]);
    });

    it('follows an absolute link, and a link to a directory on the way', async () => {
      const real = join(dir, 'real');
      await mkdir(real);
      await writeFile(join(real, 'torrc'), 'x\n');
      await symlink(real, join(dir, 'etc-tor'));
      const plan = await planWatch([{ path: join(dir, 'etc-tor', 'torrc') }], nodeFs);
      assert.deepEqual(shape(plan), [
        [dir, { 'etc-tor': 'link' }, false],
        [real, { torrc: 'file' }, false],
      ]);
    });

    it('watches the nearest directory that exists for the first missing part', async () => {
      const plan = await planWatch([{ path: join(dir, 'gone', 'deeper', 'torrc') }], nodeFs);
      assert.deepEqual(shape(plan), [[dir, { gone: 'missing' }, false]]);
      await writeFile(join(dir, 'file'), 'x');
      const under = await planWatch([{ path: join(dir, 'file', 'torrc') }], nodeFs);
      assert.deepEqual(shape(under), [[dir, { file: 'missing' }, false]], 'ENOTDIR');
    });

    it('watches every entry of an included directory, and merges directories met twice', async () => {
      const conf = join(dir, 'torrc.d');
      await mkdir(conf);
      await writeFile(join(dir, 'torrc'), '%include torrc.d\n');
      await writeFile(join(conf, 'a.conf'), 'x\n');
      const plan = await planWatch(
        [
          { path: join(dir, 'torrc') },
          { path: conf, contents: true },
          { path: join(conf, 'a.conf'), contents: true },
          { path: join(dir, 'missing.conf'), contents: true },
        ],
        nodeFs,
      );
      assert.deepEqual(shape(plan), [
        [dir, { torrc: 'file', 'torrc.d': 'file', 'missing.conf': 'missing' }, false],
        [conf, { 'a.conf': 'file' }, true],
      ]);
    });

    it('stops at a symlink loop instead of spinning', async () => {
      await symlink('b', join(dir, 'a'));
      await symlink('a', join(dir, 'b'));
      const plan = await planWatch([{ path: join(dir, 'a') }], nodeFs);
      assert.deepEqual(shape(plan), [[dir, { a: 'link', b: 'link' }, false]]);
    });

    it('gives another id to a directory deleted and made again, so it is watched afresh', async () => {
      const sub = join(dir, 'sub');
      await mkdir(sub);
      const before = await planWatch([{ path: join(sub, 'torrc') }], nodeFs);
      // Made before the old one goes, so it cannot get the old inode number back.
      await mkdir(join(dir, 'sub.new'));
      await rm(sub, { recursive: true });
      await rename(join(dir, 'sub.new'), sub);
      const after = await planWatch([{ path: join(sub, 'torrc') }], nodeFs);
      assert.equal(after[0]?.path, sub);
      assert.deepEqual(Object.fromEntries(after[0]?.entries ?? []), { torrc: 'missing' });
      assert.notEqual(after[0]?.id, before[0]?.id);
    });

    it('gives another id to a directory deleted and made again with its old inode number', async () => {
      const sub = join(dir, 'sub');
      await mkdir(sub);
      const before = await planWatch([{ path: join(sub, 'torrc') }], nodeFs);
      const old = await stat(sub, { bigint: true });
      await rm(sub, { recursive: true });
      await mkdir(sub);
      const now = await stat(sub, { bigint: true });
      const after = await planWatch([{ path: join(sub, 'torrc') }], nodeFs);
      assert.notEqual(after[0]?.id, before[0]?.id);
      // ext4 hands the old number straight back: then only the birth time tells them apart.
      if (now.ino === old.ino) assert.notEqual(now.birthtimeNs, old.birthtimeNs);
      else console.log('      (this file system gave the new directory a new inode number)');
    });
  });

  describe('judgeEvent', () => {
    const etc: WatchedDirectory = {
      path: '/etc/tor',
      id: '1:2',
      entries: new Map([
        ['torrc', 'file'],
        ['..data', 'link'],
        ['torrc.d', 'missing'],
      ]),
      anyEntry: false,
    };

    it('looks for the file itself, and plans again for a link or a missing part', () => {
      assert.equal(judgeEvent(etc, 'torrc'), 'look');
      assert.equal(judgeEvent(etc, '..data'), 'replan');
      assert.equal(judgeEvent(etc, 'torrc.d'), 'replan');
    });

    it('ignores another file in the directory: no look, no read', () => {
      for (const name of ['passwd', 'torrc.tmp', '.torrc.swp', 'sedX1b2c3', '4913', 'torrc~']) {
        assert.equal(judgeEvent(etc, name), 'ignore', name);
      }
    });

    it('looks and plans again when the platform gives no name', () => {
      assert.equal(judgeEvent(etc, null), 'replan');
    });

    it('plans again on an event named like the directory: Linux sends it when the directory goes', () => {
      assert.equal(judgeEvent(etc, basename(etc.path)), 'replan');
    });

    it('looks for any entry of an included directory', () => {
      const conf: WatchedDirectory = {
        path: '/etc/tor/torrc.d',
        id: '1:3',
        entries: new Map(),
        anyEntry: true,
      };
      assert.equal(judgeEvent(conf, 'b.conf'), 'look');
      assert.equal(judgeEvent(conf, '.hidden'), 'look');
    });
  });
});
