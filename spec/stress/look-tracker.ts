import type { FsPort } from '../../lib/sources/fs-port.js';
import { nodeFs } from '../../lib/sources/fs-port.js';

/**
 * Knows which inodes the watcher has seen at a path: an FsPort (passed as the watcher's `fs`
 * option) that is node:fs, watching the calls made on `path`. A look that finds a new state of
 * the file runs a stat of the path and then its realpath (statFile's check, run whenever the
 * fingerprint moved), and judges that stat's fingerprint; so a realpath that ended after a stat
 * of inode X means the watcher has seen X. (A stat alone is not enough: the first stat of a look
 * only asks whether anything moved, and the stat that counts may come a moment later.)
 * Concurrent looks can blur which stat a realpath belongs to: this is for reporting, not proof.
 * @example const t = lookTracker(path); const m = t.mark(); ... t.sawInode(ino, m)
 */
export interface LookTracker {
  readonly fs: FsPort;
  /** A point in the sequence of stats: every stat begun after it comes later. */
  mark(): number;
  /** Whether the watcher has seen inode `ino` at the path in a look begun after `mark`. */
  sawInode(ino: bigint, mark: number): boolean;
}

/**
 * The tracker of `path` over `fs` (default node:fs).
 * @example rc = new ReloadableConfig(initial, path, undefined, { fs: lookTracker(path).fs });
 */
export function lookTracker(path: string, fs: FsPort = nodeFs): LookTracker {
  let statsBegun = 0;
  let lastStat: { readonly seq: number; readonly ino: bigint } | undefined;
  // For each inode seen, the latest stat (by when it began) a realpath confirmed.
  const seen = new Map<bigint, number>();
  return {
    fs: {
      stat: (p) => {
        if (p !== path) return fs.stat(p);
        const seq = ++statsBegun;
        const result = fs.stat(p);
        result.then(
          (s) => {
            if (lastStat === undefined || seq > lastStat.seq) lastStat = { seq, ino: s.ino };
          },
          () => {},
        );
        return result;
      },
      lstat: (p) => fs.lstat(p),
      realpath: (p) => {
        if (p !== path) return fs.realpath(p);
        const stat = lastStat;
        const result = fs.realpath(p);
        result.then(
          () => {
            if (stat !== undefined) seen.set(stat.ino, Math.max(seen.get(stat.ino) ?? 0, stat.seq));
          },
          () => {},
        );
        return result;
      },
      readFile: (p, options) => fs.readFile(p, options),
      // The fast path goes through as it is, so a tracked watcher still has it.
      ...(fs.watch === undefined ? {} : { watch: fs.watch.bind(fs) }),
      ...(fs.readlink === undefined ? {} : { readlink: fs.readlink.bind(fs) }),
    },
    mark: () => statsBegun,
    sawInode: (ino, mark) => (seen.get(ino) ?? 0) > mark,
  };
}
