import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LookTracker } from './look-tracker.js';
import type { Prng } from './prng.js';
import type { StormConfig } from './storm-configs.js';

/**
 * How a content reaches the watched file. Every mode ends with the file holding the whole
 * content; only the way there differs, each a way real writers save:
 * - `chunks-truncate`: opened with O_TRUNC, written in two chunks with a pause under the quiet
 *   period between them (an editor saving in place, a slow `echo >`).
 * - `chunks-overwrite`: the same without truncating: the first chunk overwrites the head of the
 *   old content in place (the file is new head + old tail until the second chunk lands).
 * - `truncate-then-write`: truncated to 0, a gap, then written whole.
 * - `rename`: written to a temp file in the same directory and renamed over the path.
 * - `symlink-swap`: a Kubernetes ConfigMap update: a new timestamped directory holds the file,
 *   a `..data` link is swapped to it by rename, the path is a link through `..data`, and the
 *   old directory is removed.
 * - `delete-recreate`: unlinked, a gap, created and written whole.
 * - `same-size-tick`: two contents of equal length back to back, the second overwriting the
 *   first in place at once, so both may land in one timestamp tick (two writes).
 * - `utimes-back`: written, then its mtime set back (to the previous mtime, or years ago).
 * @example const mode: WriteMode = 'rename';
 */
export type WriteMode =
  | 'chunks-truncate'
  | 'chunks-overwrite'
  | 'truncate-then-write'
  | 'rename'
  | 'symlink-swap'
  | 'delete-recreate'
  | 'same-size-tick'
  | 'utimes-back';

/** Every mode, in the order the generator picks from. */
export const writeModes: ReadonlyArray<WriteMode> = [
  'chunks-truncate',
  'chunks-overwrite',
  'truncate-then-write',
  'rename',
  'symlink-swap',
  'delete-recreate',
  'same-size-tick',
  'utimes-back',
];

/** One complete content written to the file, in the order written. */
export interface Written {
  readonly n: number;
  readonly text: string;
  readonly valid: boolean;
  /** How it was written; `initial` for the content the file held before it was watched. */
  readonly mode: WriteMode | 'initial';
  /**
   * For the in-place modes with a gap inside the save (chunked, truncate-then-write): the
   * longest time a partial state stood on disk, from the file's own ctimes (ms), which is what
   * the quiet rule measures; the timer-measured pause leaves out how late the thread pool ran
   * the next write.
   */
  readonly pauseMs?: number;
  /**
   * That gap was planned under the quiet period but the machine ran it to the quiet period or
   * past it: the documented rule then allows the partial state to be read (see WriterNotes).
   */
  readonly overran?: boolean;
  /**
   * For the chunked modes, when looks are tracked: the save before this one gave the path
   * another inode (rename, symlink swap, delete-recreate), and the watcher had not looked at the
   * path since when this save began writing into it in place (the new-inode gap).
   */
  readonly intoUnlookedInode?: boolean;
}

/**
 * What a writer may do: the longest pause inside an in-place save, the longest gap between two
 * saves, and how often a content is invalid.
 * @example const t: WriterTiming = { maxPauseMs: 100, maxGapMs: 20, invalidRate: 0.15 };
 */
export interface WriterTiming {
  readonly maxPauseMs: number;
  readonly maxGapMs: number;
  readonly invalidRate: number;
}

/**
 * What a writer saw besides what it wrote: gaps inside an in-place save, planned under
 * `quietMs`, that a late machine ran to `quietMs` or past it (a read of the partial state is
 * then allowed by the documented rule: a writer that pauses longer than `writeQuietMs` can be
 * read half-way).
 */
export interface WriterNotes {
  pauseOverruns: number;
}

/**
 * How far short of the quiet period a gap, measured between two of the file's ctimes, may fall
 * and still count as having run it out: file times come from the kernel's coarse clock, up to a
 * tick (10 ms at HZ=100) behind the clock the watcher compares them with.
 */
export const ctimeSlackMs = 10;

/**
 * One watched file and the writer that storms it: `write(n)` picks a mode and a validity from
 * the seeded generator and saves content `n`; `written` is everything saved, in order.
 * @example const w = stormWriter(dir, stormConfigs.torrc, prng(seed), timing, 250, undefined); await w.write(100_001, false);
 */
export interface StormWriter {
  readonly path: string;
  readonly config: StormConfig;
  readonly written: Written[];
  readonly notes: WriterNotes;
  /** The save under way now (number, mode), if any: what a torn read was most likely of. */
  readonly pending: () => Pick<Written, 'n' | 'mode' | 'valid'> | undefined;
  /** Writes the file's first content (valid, plain), before anything watches it. */
  init(n: number): Promise<void>;
  /** Saves content `n` (and `n + 1` for `same-size-tick`); returns the next free number. */
  write(n: number, mustBeValid: boolean): Promise<number>;
  /** The gap before the next save, drawn from the generator (ms). */
  gap(): Promise<void>;
}

/**
 * The writer for one file in `dir`. Every draw from `rng` happens in an order fixed by the seed
 * alone, so the same seed writes the same contents in the same modes with the same pauses (when
 * the watcher looks, and so what it reads, depends on timing). `tracker`, when given, tells which
 * inodes the watcher has seen, for `intoUnlookedInode`.
 * @example const w = stormWriter(dir, stormConfigs.yaml, prng(1), stormSettings, 250, lookTracker(path));
 */
export function stormWriter(
  dir: string,
  config: StormConfig,
  rng: Prng,
  timing: WriterTiming,
  quietMs: number,
  tracker: LookTracker | undefined,
): StormWriter {
  const path = join(dir, config.fileName);
  const written: Written[] = [];
  const notes: WriterNotes = { pauseOverruns: 0 };
  let dataDir: string | undefined;
  let temps = 0;
  let pending: Pick<Written, 'n' | 'mode' | 'valid'> | undefined;
  // The inode the path last got by a rename, swap or recreate, and where the watcher's stats
  // stood when that save began.
  let replacedBy: { readonly ino: bigint; readonly mark: number } | undefined;
  let saveBegan = 0;
  const replaced = async (): Promise<void> => {
    replacedBy = { ino: (await stat(path, { bigint: true })).ino, mark: saveBegan };
  };

  const pause = (): Promise<void> => sleep(rng.int(1, timing.maxPauseMs));
  // The file's ctime now, through its descriptor.
  const ctimeOf = async (fh: FileHandle): Promise<bigint> =>
    (await fh.stat({ bigint: true })).ctimeNs;
  // The longest of the gaps between consecutive ctimes (ms), and whether the machine ran out to
  // the quiet period a gap planned (at most `plannedMs`) under it.
  const gaps = (
    ctimes: ReadonlyArray<bigint>,
    plannedMs: number,
  ): { pauseMs: number; overran: boolean } => {
    let pauseMs = 0;
    ctimes.reduce((before, at) => {
      pauseMs = Math.max(pauseMs, Number(at - before) / 1e6);
      return at;
    });
    const overran = plannedMs < quietMs && pauseMs >= quietMs - ctimeSlackMs;
    if (overran) notes.pauseOverruns++;
    return { pauseMs, overran };
  };

  const inTwoChunks = async (
    text: string,
    truncating: boolean,
  ): Promise<{ pauseMs: number; overran: boolean }> => {
    const bytes = Buffer.from(text);
    const cut = rng.int(1, bytes.length - 1);
    const fh = await open(path, truncating ? 'w' : 'r+');
    try {
      // Opened with O_TRUNC, the empty file is the first partial state.
      const ctimes = truncating ? [await ctimeOf(fh)] : [];
      await fh.write(bytes, 0, cut, 0);
      ctimes.push(await ctimeOf(fh));
      await pause();
      await fh.write(bytes, cut, bytes.length - cut, cut);
      ctimes.push(await ctimeOf(fh));
      if (!truncating) {
        // Until the truncate, the new content is followed by the old one's tail.
        await fh.truncate(bytes.length);
        ctimes.push(await ctimeOf(fh));
      }
      return gaps(ctimes, timing.maxPauseMs);
    } finally {
      await fh.close();
    }
  };

  const truncateThenWrite = async (
    text: string,
  ): Promise<{ pauseMs: number; overran: boolean }> => {
    const fh = await open(path, 'r+');
    try {
      await fh.truncate(0);
      const ctimes = [await ctimeOf(fh)];
      await sleep(rng.int(0, timing.maxGapMs));
      await fh.write(Buffer.from(text), 0, undefined, 0);
      ctimes.push(await ctimeOf(fh));
      return gaps(ctimes, timing.maxGapMs);
    } finally {
      await fh.close();
    }
  };

  const overwrite = async (text: string): Promise<void> => {
    const bytes = Buffer.from(text);
    const fh = await open(path, 'r+');
    try {
      await fh.write(bytes, 0, bytes.length, 0);
      await fh.truncate(bytes.length);
    } finally {
      await fh.close();
    }
  };

  const byRename = async (text: string): Promise<void> => {
    const temp = join(dir, `.${config.fileName}.tmp-${temps++}`);
    await writeFile(temp, text);
    await rename(temp, path);
  };

  const bySymlinkSwap = async (text: string): Promise<void> => {
    const fresh = `..${Date.now()}_${temps++}`;
    await mkdir(join(dir, fresh));
    await writeFile(join(dir, fresh, config.fileName), text);
    await symlink(fresh, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    const link = join('..data', config.fileName);
    const current = await lstat(path).catch(() => undefined);
    if (current?.isSymbolicLink() !== true || (await readlink(path)) !== link) {
      const temp = join(dir, `.${config.fileName}.link-${temps++}`);
      await symlink(link, temp);
      await rename(temp, path);
    }
    if (dataDir !== undefined) await rm(join(dir, dataDir), { recursive: true, force: true });
    dataDir = fresh;
  };

  const save = async (n: number, valid: boolean): Promise<number> => {
    const text = valid ? config.valid(n) : config.invalid(n, rng);
    const mode = rng.pick(writeModes);
    pending = { n, mode, valid };
    saveBegan = tracker?.mark() ?? 0;
    const record = (m: Written): void => {
      written.push(m);
      pending = undefined;
    };
    switch (mode) {
      case 'chunks-truncate':
      case 'chunks-overwrite': {
        const unlooked =
          tracker !== undefined &&
          replacedBy !== undefined &&
          !tracker.sawInode(replacedBy.ino, replacedBy.mark);
        const gap = await inTwoChunks(text, mode === 'chunks-truncate');
        record({ n, text, valid, mode, ...gap, intoUnlookedInode: unlooked });
        return n + 1;
      }
      case 'truncate-then-write':
        record({ n, text, valid, mode, ...(await truncateThenWrite(text)) });
        return n + 1;
      case 'rename':
        await byRename(text);
        await replaced();
        break;
      case 'symlink-swap':
        await bySymlinkSwap(text);
        await replaced();
        break;
      case 'delete-recreate':
        await unlink(path);
        await sleep(rng.int(0, timing.maxGapMs));
        await writeFile(path, text);
        await replaced();
        break;
      case 'same-size-tick': {
        // Both valid and of one length: the second is the edit a size check cannot see.
        const first = config.valid(n);
        const second = config.valid(n + 1);
        pending = { n, mode, valid: true };
        await writeFile(path, first);
        record({ n, text: first, valid: true, mode });
        // No stat in between: a kernel that takes file times from a coarse clock (multigrain
        // Linux: unless someone stat'ed the file since its last change) then gives both writes
        // one tick, so the two fingerprints are equal and only the racy re-read can tell.
        pending = { n: n + 1, mode, valid: true };
        await overwrite(second);
        record({ n: n + 1, text: second, valid: true, mode });
        return n + 2;
      }
      case 'utimes-back': {
        const previous = await stat(path);
        if (rng.chance(0.5)) {
          await byRename(text);
          await replaced();
        } else {
          await writeFile(path, text);
        }
        const back = rng.chance(0.5) ? previous.mtime : new Date(Date.UTC(2001, 0, 1));
        await utimes(path, back, back);
        break;
      }
    }
    record({ n, text, valid, mode });
    return n + 1;
  };

  return {
    path,
    config,
    written,
    notes,
    pending: () => pending,
    init: async (n) => {
      const text = config.valid(n);
      await writeFile(path, text);
      written.push({ n, text, valid: true, mode: 'initial' });
    },
    write: (n, mustBeValid) => save(n, mustBeValid || !rng.chance(timing.invalidRate)),
    gap: async () => {
      await sleep(rng.int(0, timing.maxGapMs));
    },
  };
}
