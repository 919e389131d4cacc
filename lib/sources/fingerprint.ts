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
 * the file arrived whole. A file arrives whole when it is another file than the previous look
 * saw at that path (another dev+ino: a rename-save, a ConfigMap `..data` swap, a symlink moved),
 * and it stays whole only while it does not change: a later change to it is made in place.
 * @example const s: Sighting = { fingerprint: f, whole: true };
 */
export interface Sighting {
  readonly fingerprint: Fingerprint;
  readonly whole: boolean;
}

/**
 * The next sighting of a path, from the previous one (`undefined` when the previous look found
 * no file there or there was none). A file seen for the first time, or after a missing or empty
 * state, counts as written in place: nothing shows it was complete before it appeared (a
 * delete-and-recreate writes the new file where it stands).
 * @example nextSighting({ fingerprint: old, whole: false }, renamed).whole // true
 */
export function nextSighting(previous: Sighting | undefined, current: Fingerprint): Sighting {
  if (previous === undefined) return { fingerprint: current, whole: false };
  const before = previous.fingerprint;
  if (before.dev !== current.dev || before.ino !== current.ino) {
    return { fingerprint: current, whole: true };
  }
  return { fingerprint: current, whole: previous.whole && sameFingerprint(before, current) };
}

/**
 * How long (ms) to wait before a sighted file may be read; 0 means now.
 * - A file that arrived whole (a new inode) was complete before it had this name: 0.
 * - A file changed in place may still be half-written: it must have been quiet for `quietMs`,
 *   judged by its ctime, which every write moves and `utimes` cannot set. So the wait is
 *   `ctime + quietMs - now`, and a change noticed long after it was made is read at once.
 *
 * Clamped to `quietMs`: a ctime after `nowMs` means the writer's clock runs ahead of ours (an NFS
 * server), and waiting for that clock could take hours; one full quiet period from now is kept
 * instead (the caller reads if the file still has not moved by then).
 * @example writeQuietWaitMs({ fingerprint: f, whole: false }, Date.now(), 500) // <= 500
 */
export function writeQuietWaitMs(s: Sighting, nowMs: number, quietMs: number): number {
  if (!Number.isFinite(nowMs))
    throw new TypeError(`writeQuietWaitMs: nowMs must be finite, got ${nowMs}`);
  if (!Number.isFinite(quietMs) || quietMs < 0) {
    throw new TypeError(`writeQuietWaitMs: quietMs must be a finite number >= 0, got ${quietMs}`);
  }
  if (s.whole) return 0;
  const ctimeMs = Number(s.fingerprint.ctimeNs) / 1e6;
  return Math.min(quietMs, Math.max(0, ctimeMs + quietMs - nowMs));
}
