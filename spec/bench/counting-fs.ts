import type { FsPort } from '../../lib/index.js';

/**
 * Calls made through a CountingFs, by method; `statsOf` counts `stat` calls per path, which is
 * how the poll benchmark counts looks (each look stats the config path exactly once).
 * @example counts.readFile // 0 while nothing changed
 */
export interface FsCounts {
  stat: number;
  lstat: number;
  realpath: number;
  readFile: number;
  readonly statsOf: Map<string, number>;
}

/**
 * An FsPort that forwards to `inner` and counts every call, and a way to zero the counts.
 * @example const { fs, counts, reset } = countingFs(nodeFs); new ReloadableConfig(cfg, path, undefined, { fs });
 */
export interface CountingFs {
  readonly fs: FsPort;
  readonly counts: FsCounts;
  reset(): void;
}

/**
 * Wraps an FsPort (the real one: nothing is faked) to count its calls.
 * @example const counting = countingFs(nodeFs); counting.counts.readFile
 */
export function countingFs(inner: FsPort): CountingFs {
  const counts: FsCounts = { stat: 0, lstat: 0, realpath: 0, readFile: 0, statsOf: new Map() };
  const fs: FsPort = {
    stat(path) {
      counts.stat++;
      counts.statsOf.set(path, (counts.statsOf.get(path) ?? 0) + 1);
      return inner.stat(path);
    },
    lstat(path) {
      counts.lstat++;
      return inner.lstat(path);
    },
    realpath(path) {
      counts.realpath++;
      return inner.realpath(path);
    },
    readFile(path, options) {
      counts.readFile++;
      return inner.readFile(path, options);
    },
  };
  return {
    fs,
    counts,
    reset() {
      counts.stat = 0;
      counts.lstat = 0;
      counts.realpath = 0;
      counts.readFile = 0;
      counts.statsOf.clear();
    },
  };
}
