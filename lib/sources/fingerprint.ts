import type { BigIntStats } from 'node:fs';

/**
 * What identifies one version of a file without reading it. Every field takes part: the inode
 * catches rename-saves and symlink swaps, size and the nanosecond times catch in-place writes,
 * and ctime catches an mtime that was set back (rsync --times, restores), since no user can set it.
 * @example const f: Fingerprint = { dev: 1n, ino: 2n, size: 3n, mtimeNs: 4n, ctimeNs: 5n };
 */
export interface Fingerprint {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/**
 * The fingerprint of a `stat(path, { bigint: true })` result (bigint, so nanoseconds and 64-bit
 * inodes survive intact). The result is frozen and holds no reference to the stats object.
 * @example const f = fingerprintOf(await stat('/etc/tor/torrc', { bigint: true }));
 */
export function fingerprintOf(stats: BigIntStats): Fingerprint {
  return Object.freeze({
    dev: stats.dev,
    ino: stats.ino,
    size: stats.size,
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
  });
}

/**
 * A string equal for two fingerprints iff every field is equal: a `Map` key or a
 * `distinctUntilChanged` key. Decimal bigints joined by `:` cannot run into each other.
 * @example fingerprintKey({ dev: 1n, ino: 2n, size: 3n, mtimeNs: 4n, ctimeNs: 5n }) // '1:2:3:4:5'
 */
export function fingerprintKey(f: Fingerprint): string {
  return `${f.dev}:${f.ino}:${f.size}:${f.mtimeNs}:${f.ctimeNs}`;
}

/**
 * True iff every field is equal. Any difference is a change, in either direction: a file whose
 * mtime went backwards changed too (FIELD-NOTES row 6), so there is no "newer than".
 * @example sameFingerprint(a, a) // true
 */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

/**
 * Whether a stat shows the file as `f` describes it (sameFingerprint against fingerprintOf(stats)),
 * without building a fingerprint: the check a look and a read make on every save.
 * @example matchesStats(await stat('/etc/tor/torrc', { bigint: true }), verified) // false after a save
 */
export function matchesStats(stats: BigIntStats, f: Fingerprint): boolean {
  return (
    stats.ino === f.ino &&
    stats.mtimeNs === f.mtimeNs &&
    stats.ctimeNs === f.ctimeNs &&
    stats.size === f.size &&
    stats.dev === f.dev
  );
}

/**
 * Git's racy-clean window (ms): wider than any file system's timestamp granularity (FAT has 2 s).
 * @example isRacy(f, Date.now(), defaultRacyWindowMs)
 */
export const defaultRacyWindowMs = 2000;

/**
 * How long (ms) a file changed in place must have been quiet before it is read: longer than the
 * pauses of the writers it must keep out (a 200 ms stall at a line boundary), short enough that
 * an in-place save is live at once to a person.
 * @example writeQuietWaitMs(sighting, Date.now(), defaultWriteQuietMs)
 */
export const defaultWriteQuietMs = 500;

/**
 * Whether a file read at `readAtMs` (ms since the epoch) could be rewritten without its
 * fingerprint moving, as in git's "racy clean": two writes inside the timestamp granularity with
 * equal size look identical (FIELD-NOTES row 5). While this is true the engine compares content
 * hashes as well.
 *
 * Racy while the later of mtime and ctime is less than `windowMs` before the read. ctime counts
 * because an mtime set back by `utimes` says nothing about when the bytes changed. A time *after*
 * the read is racy too: it means the writer's clock runs ahead of ours (an NFS server), so we
 * cannot tell how close the next write would land.
 * @example isRacy(f, Date.now()) // true right after a save
 */
export function isRacy(
  f: Fingerprint,
  readAtMs: number,
  windowMs: number = defaultRacyWindowMs,
): boolean {
  if (!Number.isFinite(readAtMs))
    throw new TypeError(`isRacy: readAtMs must be finite, got ${readAtMs}`);
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new TypeError(`isRacy: windowMs must be a finite number >= 0, got ${windowMs}`);
  }
  // Number() keeps ~0.3 µs of precision at today's epoch: far below a millisecond window.
  const latestMs = Math.max(Number(f.mtimeNs), Number(f.ctimeNs)) / 1e6;
  return latestMs > readAtMs - windowMs;
}

/**
 * What one look saw at a path, judged against the look before it: the fingerprint, and whether
 * the file arrived whole (see nextSighting). It stays whole only while it does not change: a
 * later change to it is made in place.
 * @example const s: Sighting = { fingerprint: f, whole: true };
 */
export interface Sighting {
  readonly fingerprint: Fingerprint;
  readonly whole: boolean;
  /**
   * A new file not (yet) shown to have arrived whole, still changing: its writer may still be
   * at work, and the evidence that it finished (its ctime moving past its mtime) counts when a
   * later look sees it. Absent or false once the file has been whole, or quiet.
   */
  readonly arriving?: boolean;
}

/**
 * Whether the inode's last change was not a write: its ctime is later than its mtime, so after
 * its bytes were last written something else happened to it (a rename into place, a link, a
 * chmod, a utimes). A write sets mtime and ctime to one and the same time, so a file that is
 * being written shows them equal. Equal times prove nothing either way: a rename-save whose
 * last write and rename fell in one tick of the file clock (Linux stamps files from a coarse
 * clock: most rename-saves, measured) looks exactly like a file written in place in that tick.
 * @example writtenBeforeLastChange(fingerprintOf(await stat(renamedTemp, { bigint: true })))
 */
export function writtenBeforeLastChange(f: Fingerprint): boolean {
  return f.ctimeNs > f.mtimeNs;
}

/**
 * Whether `current` is another file than the last look saw at the path (no file, or another
 * dev+ino: a rename-save, a symlink swap, a delete-and-recreate) whose stat alone cannot show
 * that it arrived whole: the caller should then ask for other evidence (see nextSighting).
 * @example if (needsArrivalEvidence(previous, fp)) bound = await evidence.boundUnwritten(realPath);
 */
export function needsArrivalEvidence(
  previous: Sighting | undefined,
  current: Fingerprint,
): boolean {
  return arrived(previous, current) && !writtenBeforeLastChange(current);
}

function arrived(previous: Sighting | undefined, current: Fingerprint): boolean {
  const before = previous?.fingerprint;
  return before === undefined || before.dev !== current.dev || before.ino !== current.ino;
}

/**
 * The next sighting of a path, from the previous one (`undefined` when the previous look found
 * no file there, or there was none).
 *
 * Another file than the last look saw is not complete by construction: a rename of a fully
 * written temp file is, but a delete-and-recreate (O_CREAT, then writes) is written where it
 * stands, and a file renamed into place may be written in place before any look sees it. It
 * arrived whole only on evidence that its bytes were written before it got here:
 * - its ctime is later than its mtime (writtenBeforeLastChange: renamed or linked after its last
 *   write, as rsync and many rename-saves leave it, or its mode or times set after it, as
 *   `install`, `tar -x` and vim do), or
 * - `boundUnwritten`: the caller saw the name bound to a new file (a rename or create event)
 *   and no write to it since (the fs.watch fast path; see arrivalEvidence).
 *
 * A new file without that evidence is `arriving` while it keeps changing: a look that came
 * while its writer was at work (the fast path looks at every event: the create, each write)
 * must not cost it the evidence its writer leaves when done, the mode or times set after the
 * last write. So a later sighting of the same inode whose ctime is past its mtime is whole too,
 * as long as it changed within `quietMs` of the sighting before (default
 * defaultWriteQuietMs): a file that was quiet that long in between is settled, and a later
 * change to it is made in place. Anything else counts as written in place, and waits for its
 * quiet period (writeQuietWaitMs). The same file seen again stays whole only while its
 * fingerprint holds still.
 * @example nextSighting({ fingerprint: old, whole: false }, renamed, true).whole // true
 */
export function nextSighting(
  previous: Sighting | undefined,
  current: Fingerprint,
  boundUnwritten = false,
  quietMs = defaultWriteQuietMs,
): Sighting {
  if (!Number.isFinite(quietMs) || quietMs < 0) {
    throw new TypeError(`nextSighting: quietMs must be a finite number >= 0, got ${quietMs}`);
  }
  if (arrived(previous, current)) {
    const whole = boundUnwritten || writtenBeforeLastChange(current);
    return whole
      ? { fingerprint: current, whole }
      : { fingerprint: current, whole, arriving: true };
  }
  // The same inode as the sighting before (arrived says there was one).
  const seen = previous as Sighting;
  const before = seen.fingerprint;
  if (seen.whole && sameFingerprint(before, current)) return { fingerprint: current, whole: true };
  // Changed since the sighting before: still arriving only if that change came within quietMs
  // of it (a ctime that went back, a clock set back, ends the arrival: waiting is the safe way).
  const sinceNs = current.ctimeNs - before.ctimeNs;
  const arriving =
    seen.arriving === true && sinceNs >= 0n && sinceNs < BigInt(Math.ceil(quietMs * 1e6));
  if (!arriving) return { fingerprint: current, whole: false };
  return writtenBeforeLastChange(current)
    ? { fingerprint: current, whole: true }
    : { fingerprint: current, whole: false, arriving: true };
}

/**
 * How far a file's ctime can be after `Date.now()` on the same machine (ms): the clock's step,
 * since `Date.now()` drops the fraction of its millisecond and file times keep it.
 * @example writeQuietWaitMs(sighting, Date.now(), 500) <= 500 + clockStepMs // true
 */
export const clockStepMs = 1;

/**
 * How long (ms) to wait before a sighted file may be read; 0 means now.
 * - A file that arrived whole (see nextSighting) was complete before it had this name: 0.
 * - Any other (changed in place, or a new file without evidence that it arrived whole) may
 *   still be half-written: it must have been quiet for `quietMs`,
 *   judged by its ctime, which every write moves and `utimes` cannot set. So the wait is
 *   `ctime + quietMs - now`, and a change noticed long after it was made is read at once.
 *
 * Clamped to `quietMs` plus one clock step (`clockStepMs`): `Date.now()` counts whole
 * milliseconds and Linux stamps files with a finer clock, so a file written a moment ago has a
 * ctime up to a millisecond after `nowMs` (98 % of 5,000 writes stat'ed at once, here), and its
 * quiet period is waited in full. A ctime further ahead means the writer's clock runs ahead of
 * ours (an NFS server), and waiting for that clock could take hours; one quiet period and a step
 * from now is kept instead (the caller reads if the file still has not moved by then).
 * @example writeQuietWaitMs({ fingerprint: f, whole: false }, Date.now(), 500) // <= 501
 */
export function writeQuietWaitMs(s: Sighting, nowMs: number, quietMs: number): number {
  if (!Number.isFinite(nowMs))
    throw new TypeError(`writeQuietWaitMs: nowMs must be finite, got ${nowMs}`);
  if (!Number.isFinite(quietMs) || quietMs < 0) {
    throw new TypeError(`writeQuietWaitMs: quietMs must be a finite number >= 0, got ${quietMs}`);
  }
  if (s.whole) return 0;
  const ctimeMs = Number(s.fingerprint.ctimeNs) / 1e6;
  return Math.min(quietMs + clockStepMs, Math.max(0, ctimeMs + quietMs - nowMs));
}
