import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmod,
  mkdir,
  mkdtemp,
  open,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  clockStepMs,
  type Fingerprint,
  fingerprintKey,
  fingerprintOf,
  isRacy,
  matchesStats,
  needsArrivalEvidence,
  nextSighting,
  sameFingerprint,
  writeQuietWaitMs,
  writtenBeforeLastChange,
} from '../../lib/sources/fingerprint.js';

const fingerprintAt = async (path: string): Promise<Fingerprint> =>
  fingerprintOf(await stat(path, { bigint: true }));

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

// To the microsecond, so a fractional millisecond (a file time Date.now() has not reached) fits.
const msToNs = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;

const at = (mtimeMs: number, ctimeMs: number = mtimeMs): Fingerprint => ({
  dev: 1n,
  ino: 2n,
  size: 3n,
  mtimeNs: msToNs(mtimeMs),
  ctimeNs: msToNs(ctimeMs),
});

// Tiny ranges so that equal and nearly-equal fingerprints come up often.
const smallField = fc.bigInt({ min: -2n, max: 12n });
const smallFingerprint = fc.record({
  dev: smallField,
  ino: smallField,
  size: smallField,
  mtimeNs: smallField,
  ctimeNs: smallField,
});

describe('sources/fingerprint', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-fingerprint-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('fingerprintOf', () => {
    it('copies dev, ino, size and the nanosecond times of a real file, frozen', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const stats = await stat(file, { bigint: true });
      const f = fingerprintOf(stats);
      assert.deepEqual(f, {
        dev: stats.dev,
        ino: stats.ino,
        size: 15n,
        mtimeNs: stats.mtimeNs,
        ctimeNs: stats.ctimeNs,
      });
      assert.ok(Object.isFrozen(f));
    });
  });

  describe('fingerprintKey and sameFingerprint', () => {
    it('formats every field in order', () => {
      assert.equal(
        fingerprintKey({ dev: 1n, ino: 22n, size: 333n, mtimeNs: -4n, ctimeNs: 5n }),
        '1:22:333:-4:5',
      );
    });

    it('give equal keys iff every field is equal', () => {
      fc.assert(
        fc.property(smallFingerprint, smallFingerprint, (a, b) => {
          const equal =
            a.dev === b.dev &&
            a.ino === b.ino &&
            a.size === b.size &&
            a.mtimeNs === b.mtimeNs &&
            a.ctimeNs === b.ctimeNs;
          assert.equal(fingerprintKey(a) === fingerprintKey(b), equal);
          assert.equal(sameFingerprint(a, b), equal);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('matchesStats', () => {
    it('agrees with sameFingerprint against fingerprintOf, field by field', () => {
      fc.assert(
        fc.property(smallFingerprint, smallFingerprint, (a, b) => {
          // Only these five fields of a BigIntStats are read.
          const stats = a as unknown as Parameters<typeof matchesStats>[0];
          assert.equal(matchesStats(stats, b), sameFingerprint(a, b));
        }),
        { numRuns: 2000 },
      );
    });

    it('tells a real file after a rename-save and after an in-place edit from its old stat', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const before = await fingerprintAt(file);
      assert.ok(matchesStats(await stat(file, { bigint: true }), before));
      await writeFile(`${file}.tmp`, 'SocksPort 9150\n');
      await rename(`${file}.tmp`, file);
      assert.ok(!matchesStats(await stat(file, { bigint: true }), before));
      const renamed = await fingerprintAt(file);
      await writeFile(file, 'SocksPort 9150\nNumEntryGuards 3\n');
      assert.ok(!matchesStats(await stat(file, { bigint: true }), renamed));
    });
  });

  describe('isRacy', () => {
    const readAt = 1_800_000_000_000;

    it('is racy while the mtime is less than the window before the read', () => {
      assert.equal(isRacy(at(readAt), readAt), true);
      assert.equal(isRacy(at(readAt - 1999), readAt), true);
      assert.equal(isRacy(at(readAt - 2000), readAt), false);
      assert.equal(isRacy(at(readAt - 60_000), readAt), false);
    });

    it('honours a custom window', () => {
      assert.equal(isRacy(at(readAt - 5000), readAt, 10_000), true);
      assert.equal(isRacy(at(readAt - 5000), readAt, 1000), false);
      assert.equal(isRacy(at(readAt), readAt, 0), false);
    });

    it('is racy when the times are after the read (a writer clock ahead of ours)', () => {
      assert.equal(isRacy(at(readAt + 3_600_000), readAt), true);
    });

    it('counts a recent ctime even when the mtime was set back', () => {
      assert.equal(isRacy(at(readAt - 86_400_000, readAt - 10), readAt), true);
    });

    it('throws on a window or read time that is not a finite number (a programmer error)', () => {
      assert.throws(() => isRacy(at(readAt), readAt, -1), TypeError);
      assert.throws(() => isRacy(at(readAt), readAt, Number.NaN), TypeError);
      assert.throws(() => isRacy(at(readAt), Number.NaN), TypeError);
    });
  });

  describe('nextSighting', () => {
    const other = (f: Fingerprint): Fingerprint => ({ ...f, ino: f.ino + 1n });
    // ctime after mtime: renamed (or linked, chmod'ed) after its last write.
    const renamedAfter = (f: Fingerprint): Fingerprint => ({ ...f, ctimeNs: f.mtimeNs + 1n });

    it('counts a first sighting whose last change was a write as written in place', () => {
      assert.equal(nextSighting(undefined, at(1000)).whole, false);
    });

    it('counts another inode whose last change was a write as written in place: a delete-and-recreate, or a file written after it was renamed in', () => {
      const first = nextSighting(undefined, at(1000));
      assert.equal(nextSighting(first, other(at(2000))).whole, false);
      assert.equal(nextSighting(first, { ...at(2000), dev: 9n }).whole, false);
    });

    it('counts another inode renamed in after its last write as arrived whole, and keeps it whole while it holds still', () => {
      const first = nextSighting(undefined, at(1000));
      const renamed = nextSighting(first, renamedAfter(other(at(2000))));
      assert.equal(renamed.whole, true);
      assert.equal(nextSighting(renamed, renamedAfter(other(at(2000)))).whole, true);
      // A first sighting too (after a missing state): the times say the same.
      assert.equal(nextSighting(undefined, renamedAfter(at(2000))).whole, true);
    });

    it("counts another inode as arrived whole on the caller's evidence (the fast path saw the rename and no write)", () => {
      const first = nextSighting(undefined, at(1000));
      assert.equal(nextSighting(first, other(at(2000)), true).whole, true);
      assert.equal(nextSighting(undefined, at(2000), true).whole, true);
    });

    it('ignores evidence for the same inode: a change to it is in place', () => {
      const first = nextSighting(undefined, at(1000));
      assert.equal(nextSighting(first, { ...at(1000), size: 99n }, true).whole, false);
    });

    it('counts any change to the same inode as in place, for good', () => {
      const whole = nextSighting(nextSighting(undefined, at(1000)), other(at(2000)), true);
      const touched = nextSighting(whole, { ...other(at(2000)), size: 99n });
      assert.equal(touched.whole, false);
      assert.equal(nextSighting(touched, touched.fingerprint).whole, false);
      assert.deepEqual(touched.fingerprint, { ...other(at(2000)), size: 99n });
    });

    it('asks for evidence exactly for another file whose times cannot show it arrived whole', () => {
      const first = nextSighting(undefined, at(1000));
      assert.equal(needsArrivalEvidence(undefined, at(1000)), true);
      assert.equal(needsArrivalEvidence(first, other(at(2000))), true);
      assert.equal(needsArrivalEvidence(first, renamedAfter(other(at(2000)))), false);
      assert.equal(needsArrivalEvidence(first, { ...at(1000), size: 99n }), false);
    });

    it('counts a new file seen while its writer was at work as whole once its ctime moves past its mtime (install, tar -x, vim set the mode or times after the last write)', () => {
      const old = nextSighting(undefined, renamedAfter(at(1000)));
      // Created (or renamed in) and written: no evidence yet, so arriving.
      const created = nextSighting(old, other(at(2000)));
      assert.deepEqual([created.whole, created.arriving], [false, true]);
      // Another write 100 ms later: still arriving, still not whole.
      const written = nextSighting(created, { ...other(at(2100)), size: 99n });
      assert.deepEqual([written.whole, written.arriving], [false, true]);
      // Its mode set after that write: ctime past mtime.
      const chmodded = nextSighting(written, { ...other(at(2100, 2101)), size: 99n });
      assert.equal(chmodded.whole, true);
      assert.notEqual(chmodded.arriving, true);
      // A first sighting in the middle of a write (after a missing or empty state) is the same.
      const firstSeen = nextSighting(undefined, at(3000));
      assert.equal(nextSighting(firstSeen, at(3000, 3001)).whole, true);
    });

    it('ends the arrival once the file changed no sooner than quietMs after the sighting before: its mode set later is no evidence', () => {
      const created = nextSighting(undefined, at(1000));
      assert.equal(nextSighting(created, at(1000, 1499), false, 500).whole, true);
      const late = nextSighting(created, at(1000, 1500), false, 500);
      assert.deepEqual([late.whole, late.arriving === true], [false, false]);
      // Settled for good: a change after it is in place, whatever its times.
      assert.equal(nextSighting(late, at(1000, 1501), false, 500).whole, false);
      // A ctime that went back (a clock set back) ends it too.
      assert.equal(nextSighting(created, at(900, 999), false, 500).whole, false);
      // quietMs 0: nothing stays arriving.
      assert.equal(nextSighting(created, at(1000, 1001), false, 0).whole, false);
    });

    it('never makes a file that was whole, or an old one changed in place, arriving', () => {
      const renamed = nextSighting(undefined, renamedAfter(at(1000)));
      const edited = nextSighting(renamed, { ...renamedAfter(at(1000)), size: 99n, mtimeNs: 1n });
      assert.deepEqual([edited.whole, edited.arriving === true], [false, false]);
      assert.equal(nextSighting(edited, { ...edited.fingerprint, ctimeNs: 2n }).whole, false);
    });

    it('throws on a quietMs that is not a finite number >= 0 (a programmer error)', () => {
      assert.throws(() => nextSighting(undefined, at(1000), false, Number.NaN), TypeError);
      assert.throws(() => nextSighting(undefined, at(1000), false, -1), TypeError);
    });

    it('is whole for the same file after an arriving sighting iff it changed within quietMs and its ctime is past its mtime, for any times', () => {
      const quietMs = 500;
      fc.assert(
        fc.property(
          fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
          fc.bigInt({ min: -(10n ** 7n), max: 10n ** 7n }),
          (ctimeMovedNs, ctimeAfterMtimeNs) => {
            const arriving = nextSighting(undefined, at(1000));
            const ctimeNs = arriving.fingerprint.ctimeNs + ctimeMovedNs;
            const f = { ...at(1000), ctimeNs, mtimeNs: ctimeNs - ctimeAfterMtimeNs };
            const s = nextSighting(arriving, f, false, quietMs);
            const within = ctimeMovedNs >= 0n && ctimeMovedNs < BigInt(quietMs) * 1_000_000n;
            return s.whole === (within && ctimeAfterMtimeNs > 0n);
          },
        ),
      );
    });

    const first0 = nextSighting(undefined, at(0));
    it('is whole for another file iff its ctime is after its mtime or there is evidence, for any times', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 10n ** 19n }),
          fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }),
          fc.boolean(),
          (mtimeNs, ctimeAfterNs, bound) => {
            const f = { ...other(at(0)), mtimeNs, ctimeNs: mtimeNs + ctimeAfterNs };
            const s = nextSighting(first0, f, bound);
            return s.whole === (bound || ctimeAfterNs > 0n) && s.fingerprint === f;
          },
        ),
      );
    });
  });

  describe('writeQuietWaitMs', () => {
    const now = 1_800_000_000_000;
    const inPlace = (ctimeMs: number) => ({
      fingerprint: at(ctimeMs - 60_000, ctimeMs),
      whole: false,
    });

    it('is 0 for a file that arrived whole, however recent', () => {
      assert.equal(writeQuietWaitMs({ fingerprint: at(now), whole: true }, now, 500), 0);
    });

    it('is the rest of the quiet period after the ctime of a file changed in place', () => {
      assert.equal(writeQuietWaitMs(inPlace(now), now, 500), 500);
      assert.equal(writeQuietWaitMs(inPlace(now - 200), now, 500), 300);
      assert.equal(writeQuietWaitMs(inPlace(now - 500), now, 500), 0);
      assert.equal(writeQuietWaitMs(inPlace(now - 86_400_000), now, 500), 0);
    });

    it('judges by ctime, not mtime: an mtime set back by utimes does not skip the wait', () => {
      assert.equal(
        writeQuietWaitMs({ fingerprint: at(now - 86_400_000, now), whole: false }, now, 500),
        500,
      );
    });

    it('waits one quiet period and a clock step, not hours, for a ctime ahead of our clock (an NFS server)', () => {
      assert.equal(writeQuietWaitMs(inPlace(now + 3_600_000), now, 500), 500 + clockStepMs);
    });

    it('waits the quiet period in full for a ctime within the millisecond Date.now() rounded down', () => {
      // Date.now() said `now` while the real time was now + 0.7 ms; the file was written at
      // now + 0.4 ms. It may be read at now + 500.4 ms, not at now + 500.
      const close = (actual: number, expected: number) =>
        assert.ok(Math.abs(actual - expected) < 1e-3, `${actual} is not ${expected}`);
      close(writeQuietWaitMs(inPlace(now + 0.4), now, 500), 500.4);
      close(writeQuietWaitMs(inPlace(now + 0.999), now, 0), 0.999);
    });

    it('is always between 0 and the quiet period plus a clock step', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1e9, max: 1e9 }),
          fc.integer({ min: 0, max: 1e6 }),
          fc.boolean(),
          (offset, quiet, whole) => {
            const wait = writeQuietWaitMs({ fingerprint: at(now + offset), whole }, now, quiet);
            return wait >= 0 && wait <= quiet + clockStepMs && (!whole || wait === 0);
          },
        ),
      );
    });

    it('throws on a quiet period or clock that is not a finite number (a programmer error)', () => {
      assert.throws(() => writeQuietWaitMs(inPlace(now), now, -1), TypeError);
      assert.throws(() => writeQuietWaitMs(inPlace(now), now, Number.NaN), TypeError);
      assert.throws(() => writeQuietWaitMs(inPlace(now), Number.NaN, 500), TypeError);
    });
  });

  describe('whole or in place, on a real file system', () => {
    const sighted = async (file: string, previous?: ReturnType<typeof nextSighting>) =>
      nextSighting(previous, await fingerprintAt(file));
    // Longer than a tick of any file clock (Linux stamps files from a clock of 1 to 10 ms).
    const nextTick = () => new Promise((r) => setTimeout(r, 25));

    it('a rename-save renamed a tick after its last write arrives whole by its times alone; an in-place rewrite does not', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const first = await sighted(file);
      await writeFile(join(dir, '.torrc.swp'), 'SocksPort 9150\n');
      await nextTick();
      await rename(join(dir, '.torrc.swp'), file);
      const renamed = await sighted(file, first);
      assert.equal(renamed.whole, true);
      assert.equal(writeQuietWaitMs(renamed, Date.now(), 60_000), 0);
      await writeFile(file, 'SocksPort 9250\n');
      const rewritten = await sighted(file, renamed);
      assert.equal(rewritten.whole, false);
      assert.ok(writeQuietWaitMs(rewritten, Date.now(), 60_000) > 0);
    });

    it('a file renamed in and then written in place before a look saw it does not arrive whole (the new-inode gap)', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const first = await sighted(file);
      await writeFile(join(dir, '.torrc.swp'), 'SocksPort 9150\nLogLevel warn\n');
      await nextTick();
      await rename(join(dir, '.torrc.swp'), file);
      await nextTick();
      const handle = await open(file, 'w');
      await handle.write('SocksPort 9250\n');
      const half = await sighted(file, first);
      await handle.close();
      assert.notEqual(half.fingerprint.ino, first.fingerprint.ino);
      assert.equal(writtenBeforeLastChange(half.fingerprint), false);
      assert.equal(half.whole, false);
      assert.ok(writeQuietWaitMs(half, Date.now(), 60_000) > 0);
    });

    it('a delete-and-recreate does not arrive whole: it is written where it stands', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const first = await sighted(file);
      await unlink(file);
      await writeFile(file, 'SocksPort 9150\n');
      // ext4 often hands the freed inode number straight back: then it is the same file changed
      // in place, and the answer is the same.
      const recreated = await sighted(file, first);
      assert.equal(recreated.whole, false);
      assert.ok(writeQuietWaitMs(recreated, Date.now(), 60_000) > 0);
    });

    it('a rename of a file whose times were set after writing it (rsync, install -p) arrives whole', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const first = await sighted(file);
      await writeFile(join(dir, '.torrc.XXXX'), 'SocksPort 9150\n');
      const past = new Date('2001-09-09T01:46:40Z');
      await utimes(join(dir, '.torrc.XXXX'), past, past);
      await rename(join(dir, '.torrc.XXXX'), file);
      assert.equal((await sighted(file, first)).whole, true);
    });

    it('a ConfigMap ..data swap needs evidence unless its file was changed after its last write: the file itself was never renamed', async () => {
      await mkdir(join(dir, '..1'));
      await writeFile(join(dir, '..1', 'torrc'), 'SocksPort 9050\n');
      await symlink('..1', join(dir, '..data'));
      await symlink(join('..data', 'torrc'), join(dir, 'torrc'));
      const first = await sighted(join(dir, 'torrc'));
      await mkdir(join(dir, '..2'));
      await writeFile(join(dir, '..2', 'torrc'), 'SocksPort 9150\n');
      await symlink('..2', join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
      const swapped = await fingerprintAt(join(dir, 'torrc'));
      assert.equal(needsArrivalEvidence(first, swapped), true);
      assert.equal(nextSighting(first, swapped).whole, false);
      assert.equal(nextSighting(first, swapped, true).whole, true);
    });

    it('truncate-then-write, and a utimes that sets the mtime back, stay in place and wait', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      // A file that has settled (seen, then quiet): written seconds ago, not arriving.
      const first = { ...(await sighted(file)), arriving: false };
      const handle = await open(file, 'w');
      await handle.write('SocksPort 9150\n');
      await handle.close();
      const past = new Date('2001-09-09T01:46:40Z');
      await utimes(file, past, past);
      const after = await sighted(file, first);
      assert.equal(after.whole, false);
      assert.ok(writeQuietWaitMs(after, Date.now(), 60_000) > 0, 'utimes moved ctime to now');
    });

    it('a new file seen while it was written is whole once its writer sets its mtime back after the last write (tar -x), and waits while it is written', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const old = { ...(await sighted(file)), arriving: false };
      // Moved aside, as vim does, not deleted: a deleted inode's number can come straight back.
      await rename(file, `${file}~`);
      const handle = await open(file, 'wx');
      await handle.write('SocksPort 9150\n');
      const mid = await sighted(file, old);
      assert.deepEqual([mid.whole, mid.arriving], [false, true]);
      assert.ok(writeQuietWaitMs(mid, Date.now(), 60_000) > 0);
      await handle.write('LogLevel warn\n');
      await handle.close();
      const written = await sighted(file, mid);
      assert.equal(written.whole, false);
      const past = new Date('2001-09-09T01:46:40Z');
      await utimes(file, past, past);
      const done = await sighted(file, written);
      assert.equal(done.whole, true);
      assert.equal(writeQuietWaitMs(done, Date.now(), 60_000), 0);
    });

    it('a new file seen while it was written is whole once its writer sets its mode after the last write (install, vim) in a later tick of the file clock', async () => {
      const file = join(dir, 'torrc');
      const handle = await open(file, 'wx', 0o600);
      await handle.write('SocksPort 9150\n');
      const mid = await sighted(file);
      assert.equal(mid.whole, false);
      await handle.close();
      await nextTick();
      await chmod(file, 0o644);
      assert.equal((await sighted(file, mid)).whole, true);
    });
  });

  describe('changes on a real file system', () => {
    it('moves on a rename-save (new inode), even with the same size', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const before = await fingerprintAt(file);
      await writeFile(join(dir, '.torrc.swp'), 'SocksPort 9150\n');
      await rename(join(dir, '.torrc.swp'), file);
      const after = await fingerprintAt(file);
      assert.equal(after.size, before.size);
      assert.notEqual(after.ino, before.ino);
      assert.notEqual(fingerprintKey(after), fingerprintKey(before));
    });

    it('moves on a Kubernetes ConfigMap ..data symlink swap', async () => {
      // The kubelet's layout: torrc -> ..data/torrc, ..data -> ..<timestamp>/
      await mkdir(join(dir, '..2026_01_01'));
      await writeFile(join(dir, '..2026_01_01', 'torrc'), 'SocksPort 9050\n');
      await symlink('..2026_01_01', join(dir, '..data'));
      await symlink(join('..data', 'torrc'), join(dir, 'torrc'));
      const before = await fingerprintAt(join(dir, 'torrc'));

      await mkdir(join(dir, '..2026_01_02'));
      await writeFile(join(dir, '..2026_01_02', 'torrc'), 'SocksPort 9150\n');
      await symlink('..2026_01_02', join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
      await rm(join(dir, '..2026_01_01'), { recursive: true });
      const after = await fingerprintAt(join(dir, 'torrc'));

      assert.equal(after.size, before.size);
      assert.notEqual(after.ino, before.ino);
      assert.notEqual(fingerprintKey(after), fingerprintKey(before));
    });

    it('catches two equal-size writes in the same second: by time, or else by isRacy', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'NumEntryGuards 2\n');
      const first = await fingerprintAt(file);
      const readAt = Date.now();
      const firstHash = await sha256(file);
      await writeFile(file, 'NumEntryGuards 3\n');
      const second = await fingerprintAt(file);
      assert.equal(second.ino, first.ino);
      assert.equal(second.size, first.size);
      if (sameFingerprint(first, second)) {
        // Coarse timestamps (or a very fast machine): only the racy re-hash sees this write.
        assert.equal(isRacy(first, readAt), true);
        assert.notEqual(await sha256(file), firstHash);
      } else {
        assert.ok(second.mtimeNs !== first.mtimeNs || second.ctimeNs !== first.ctimeNs);
      }
    });

    it('catches equal-size writes whose mtime is pinned (rsync --times): by ctime', async () => {
      const file = join(dir, 'torrc');
      const pinned = new Date('2020-01-01T00:00:00Z');
      await writeFile(file, 'NumEntryGuards 2\n');
      await utimes(file, pinned, pinned);
      const first = await fingerprintAt(file);
      const readAt = Date.now();
      await writeFile(file, 'NumEntryGuards 3\n');
      await utimes(file, pinned, pinned);
      const second = await fingerprintAt(file);
      assert.equal(second.mtimeNs, first.mtimeNs);
      assert.equal(second.size, first.size);
      assert.equal(second.ino, first.ino);
      if (sameFingerprint(first, second)) {
        // ctime as coarse as the writes: the mtime is years old, but ctime keeps it racy.
        assert.equal(isRacy(first, readAt), true);
      } else {
        assert.notEqual(second.ctimeNs, first.ctimeNs);
      }
    });

    it('moves when the mtime goes backwards (any difference is a change)', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const before = await fingerprintAt(file);
      const past = new Date('2001-09-09T01:46:40Z');
      await utimes(file, past, past);
      const after = await fingerprintAt(file);
      assert.ok(after.mtimeNs < before.mtimeNs);
      assert.equal(sameFingerprint(after, before), false);
      assert.equal(isRacy(after, Date.now()), true, 'the utimes call itself moved ctime');
    });

    it('moves on delete and recreate, even when the inode number is reused', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const before = await fingerprintAt(file);
      const readAt = Date.now();
      const beforeHash = await sha256(file);
      await unlink(file);
      await writeFile(file, 'SocksPort 9150\n');
      const after = await fingerprintAt(file);
      if (sameFingerprint(before, after)) {
        assert.equal(isRacy(before, readAt), true);
        assert.notEqual(await sha256(file), beforeHash);
      } else {
        assert.notEqual(fingerprintKey(after), fingerprintKey(before));
      }
    });

    it('is not racy for a file last changed long before the read', async () => {
      const file = join(dir, 'torrc');
      await writeFile(file, 'SocksPort 9050\n');
      const f = await fingerprintAt(file);
      const latestMs = Math.max(Number(f.ctimeNs), Number(f.mtimeNs)) / 1e6;
      assert.equal(isRacy(f, latestMs + 2001), false);
      assert.equal(isRacy(f, latestMs + 1999), true);
    });
  });
});
