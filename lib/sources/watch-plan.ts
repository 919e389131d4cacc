import type { BigIntStats } from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';
import type { FsPort } from './fs-port.js';

/**
 * Why an entry of a watched directory matters, which decides what an event on it does:
 * - `file`: the file itself (the config, an included file): an event means look
 * - `link`: a symlink on the way to it (a ConfigMap's `torrc` and `..data`): look, and plan again,
 *   since the chain may now lead elsewhere
 * - `missing`: the first part of the path that does not exist (a deleted directory, a missing
 *   %include): look and plan again, since the rest of the path may now be there to watch
 * @example const role: EntryRole = 'link';
 */
export type EntryRole = 'file' | 'link' | 'missing';

/**
 * One directory to watch, and the entries in it that matter.
 * @example const d: WatchedDirectory = { path: '/etc/tor', id: '2049:131', entries: new Map([['torrc', 'file']]), anyEntry: false };
 */
export interface WatchedDirectory {
  readonly path: string;
  /**
   * `dev:ino:birthtime` of the directory when planned. Another id at the same path is another
   * directory (deleted and made again, even with its old inode number): the old watch follows the
   * old inode, so it is opened afresh.
   */
  readonly id: string;
  readonly entries: ReadonlyMap<string, EntryRole>;
  /** Every entry matters: a %included directory, whose files are all part of the config. */
  readonly anyEntry: boolean;
}

/**
 * The directories to watch for a set of paths, each once, in the order first met.
 * @example const plan: WatchPlan = await planWatch([{ path: '/etc/tor/torrc' }], nodeFs);
 */
export type WatchPlan = ReadonlyArray<WatchedDirectory>;

/**
 * A path the fast path must notice changes to. `contents`: when it is a directory, a change to
 * any of its entries matters too (a %included directory).
 * @example const target: WatchTarget = { path: '/etc/tor/torrc.d', contents: true };
 */
export interface WatchTarget {
  readonly path: string;
  readonly contents?: boolean;
}

/**
 * What an event on a watched directory calls for: nothing (another file), a look, or a look
 * and a new plan (the way to the file may have changed).
 * @example judgeEvent(dir, 'torrc') // 'look'
 */
export type EventVerdict = 'ignore' | 'look' | 'replan';

/** A symlink loop longer than this is not followed (Linux's own limit is 40). */
const maxHops = 40;

// ext4 hands a directory deleted and made again in one quick step its old inode number back;
// its birth time (0 where the file system keeps none) tells the two apart.
const idOf = (stats: BigIntStats): string => `${stats.dev}:${stats.ino}:${stats.birthtimeNs}`;

interface Seen {
  readonly dir: string;
  readonly id: string;
  readonly name: string;
  readonly role: EntryRole | 'contents';
}

/**
 * The watch-worthy entries on the way to `target`, resolved as the kernel resolves a path:
 * every symlink met (in the directory that holds it), then the file itself in its real
 * directory, or the first part that is missing in the last directory that exists. Directories
 * passed through that are not symlinks are not watched: replacing one is rare, and polling
 * sees it. Never rejects: an entry that cannot be looked at counts as missing.
 */
async function chainOf(target: WatchTarget, fs: FsPort): Promise<Seen[]> {
  const absolute = resolve(target.path);
  const root = parse(absolute).root;
  if (absolute !== root) {
    // The usual case in two calls made side by side, not one lstat per part of the path: when
    // the path is its own real path, no part of it is a symlink, and the walk would find the
    // file in its own directory.
    const dir = dirname(absolute);
    const [real, id] = await Promise.all([
      fs.realpath(absolute).catch(() => undefined),
      fs.lstat(dir).then(idOf, () => ''),
    ]);
    if (real === absolute) {
      const name = basename(absolute);
      if (target.contents !== true) return [{ dir, id, name, role: 'file' }];
      const stats = await fs.lstat(absolute).catch(() => undefined);
      if (stats !== undefined) {
        const seen: Seen[] = [{ dir, id, name, role: 'file' }];
        if (stats.isDirectory()) {
          seen.push({ dir: absolute, id: idOf(stats), name: '', role: 'contents' });
        }
        return seen;
      }
    }
  }
  return walkChain(target, absolute, root, fs);
}

/** chainOf the long way: one lstat per part of the path, following each symlink met. */
async function walkChain(
  target: WatchTarget,
  absolute: string,
  root: string,
  fs: FsPort,
): Promise<Seen[]> {
  const readlink = fs.readlink;
  const seen: Seen[] = [];
  let pending = absolute.slice(root.length).split(sep).filter(Boolean);
  let dir = root;
  let id = '';
  let hops = 0;
  const enter = async (path: string): Promise<void> => {
    dir = path;
    id = await fs.lstat(path).then(idOf, () => '');
  };
  await enter(root);
  while (pending.length > 0) {
    const [name, ...rest] = pending as [string, ...string[]];
    pending = rest;
    if (name === '.') continue;
    if (name === '..') {
      await enter(dirname(dir));
      continue;
    }
    const path = join(dir, name);
    const stats = await fs.lstat(path).catch(() => undefined);
    if (stats === undefined) {
      seen.push({ dir, id, name, role: 'missing' });
      return seen;
    }
    if (stats.isSymbolicLink()) {
      seen.push({ dir, id, name, role: 'link' });
      const link = await readlink?.call(fs, path).catch(() => undefined);
      if (link === undefined || ++hops > maxHops) return seen;
      if (isAbsolute(link)) await enter(parse(link).root);
      pending = [...link.split(/[\\/]/).filter(Boolean), ...pending];
      continue;
    }
    if (pending.length === 0) {
      seen.push({ dir, id, name, role: 'file' });
      if (target.contents === true && stats.isDirectory()) {
        seen.push({ dir: path, id: idOf(stats), name: '', role: 'contents' });
      }
      return seen;
    }
    if (!stats.isDirectory()) {
      // A file where a directory should be (ENOTDIR): watched as missing until it is one.
      seen.push({ dir, id, name, role: 'missing' });
      return seen;
    }
    dir = path;
    id = idOf(stats);
  }
  return seen;
}

// When two paths meet at one entry, the role that also plans again wins.
const rank: Record<EntryRole, number> = { file: 0, missing: 1, link: 2 };

/**
 * Which directories to watch so that a change to any of `targets` is noticed at once: the
 * directory of each file, each directory along its symlink chain (for the symlink's name there:
 * a ConfigMap's `..data` swap renames a link in the mounted directory), the nearest existing
 * directory of a path that is missing (for the name of its first missing part), and a
 * `contents` target's own directory (for every entry). Not the file itself, whose watch follows
 * its inode and dies when a rename-save replaces it; except a file on another device than its
 * directory (a single-file bind mount), which nothing can rename over and whose writes its
 * directory's watch never hears of.
 *
 * Cost: a realpath and an lstat of the directory, side by side, for a path without symlinks
 * (one more lstat for a `contents` target); otherwise one lstat per part of the path and a
 * readlink per symlink; then an lstat of each file. Run when the way to a file may have changed,
 * not per look. Never rejects.
 * @example const plan = await planWatch([{ path: '/etc/tor/torrc' }, { path: '/etc/tor/torrc.d', contents: true }], nodeFs);
 */
export async function planWatch(
  targets: ReadonlyArray<WatchTarget>,
  fs: FsPort,
): Promise<WatchPlan> {
  const chains = await Promise.all(targets.map((t) => chainOf(t, fs)));
  // A file mounted on its own (Docker's `-v ./torrc:/etc/tor/torrc`, a Kubernetes subPath): a
  // file on another device than its directory is one. Its directory's watch never hears of a
  // write to it, so the file itself is watched too; nothing can rename over it while mounted.
  // (A bind mount from the same file system keeps the device, and is not told apart.)
  const files = chains.flat().filter((s) => s.role === 'file' && s.id !== '');
  const mounted = await Promise.all(
    files.map((s) => fs.lstat(join(s.dir, s.name)).catch(() => undefined)),
  );
  for (const [i, stats] of mounted.entries()) {
    const s = files[i] as Seen;
    if (stats?.isFile() !== true || s.id.startsWith(`${stats.dev}:`)) continue;
    chains.push([{ dir: join(s.dir, s.name), id: idOf(stats), name: s.name, role: 'file' }]);
  }
  const plan = new Map<
    string,
    { id: string; entries: Map<string, EntryRole>; anyEntry: boolean }
  >();
  for (const s of chains.flat()) {
    let d = plan.get(s.dir);
    if (d === undefined) {
      d = { id: s.id, entries: new Map(), anyEntry: false };
      plan.set(s.dir, d);
    }
    if (s.role === 'contents') {
      d.anyEntry = true;
      continue;
    }
    const before = d.entries.get(s.name);
    if (before === undefined || rank[s.role] > rank[before]) d.entries.set(s.name, s.role);
  }
  return [...plan].map(([path, d]) => Object.freeze({ path, ...d }));
}

/**
 * What an event on `dir` calls for. An entry that matters: a look, and for a symlink or a
 * missing part a new plan too. Any entry of a %included directory: a look. An event without a
 * name (the platform did not say): both. An event named like the directory itself is what Linux
 * sends when the watched directory is deleted or moved: both, so the plan finds the new one.
 * Anything else (another file in /etc, an editor's swap file) is ignored: no look, no read.
 * @example judgeEvent({ path: '/etc', id: '', entries: new Map([['torrc', 'file']]), anyEntry: false }, 'passwd') // 'ignore'
 */
export function judgeEvent(dir: WatchedDirectory, name: string | null): EventVerdict {
  if (name === null) return 'replan';
  const role = dir.entries.get(name);
  if (role === 'file') return 'look';
  if (role !== undefined) return 'replan';
  if (name === basename(dir.path)) return 'replan';
  return dir.anyEntry ? 'look' : 'ignore';
}
