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

/** Git's racy-clean window: wider than any file system's timestamp granularity (FAT has 2 s). */
const defaultRacyWindowMs = 2000;

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
