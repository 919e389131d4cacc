import { type BigIntStats, constants, type FSWatcher, statSync, watch } from 'node:fs';
import { lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * A directory being watched (see FsPort.watch). `close()` may be called more than once.
 * @example const w = nodeFs.watch?.('/etc/tor', console.log, console.error); w?.close();
 */
export interface DirectoryWatch {
  close(): void;
}

/**
 * What an event on a directory entry was: `rename` binds or unbinds the name (created, deleted,
 * renamed into or out of the directory), `change` changed the file it names (a write, a chmod).
 * @example const kind: WatchEventKind = 'rename';
 */
export type WatchEventKind = 'rename' | 'change';

/**
 * The only door from `lib/sources/` to the file system, so the engine's marble tests can fake it.
 * Rejections carry Node's errno `code` (`ENOENT`, `EACCES`, ...); aborts reject with an
 * `AbortError`.
 * @example const fs: FsPort = { ...nodeFs, stat: async () => { throw Object.assign(new Error('x'), { code: 'EIO' }); } };
 */
export interface FsPort {
  /** Follows symlinks; bigint stats, so nanosecond times and 64-bit inodes are exact. */
  stat(path: string): Promise<BigIntStats>;
  /** Does not follow a final symlink; bigint stats. */
  lstat(path: string): Promise<BigIntStats>;
  /** The canonical absolute path, every symlink resolved. */
  realpath(path: string): Promise<string>;
  /**
   * The file's bytes, never more than `maxBytes + 1` of them: a file that grew past the limit is
   * detected without reading it whole. Rejects with code `EFTYPE` when the path is not a regular
   * file (a FIFO would block, a device never ends).
   */
  readFile(
    path: string,
    options: { readonly signal?: AbortSignal | undefined; readonly maxBytes: number },
  ): Promise<Buffer>;
  /**
   * Watches the entries of one directory (not its subdirectories): `onEvent` gets the name of
   * the entry that changed, or null when the platform does not say, and the kind of event when
   * known (see WatchEventKind); `onError` is called if the
   * watch dies. Throws with an errno `code` (ENOENT, ENOSPC or EMFILE at the inotify limits,
   * EPERM) when it cannot start. Optional: without it (or `readlink`) a file is polled only.
   */
  watch?(
    directory: string,
    onEvent: (name: string | null, kind?: WatchEventKind) => void,
    onError: (error: unknown) => void,
  ): DirectoryWatch;
  /** The target of a symlink, as stored in it; the fast path follows symlink chains with it. */
  readlink?(path: string): Promise<string>;
}

/**
 * `O_NONBLOCK` makes opening a FIFO return at once instead of parking a libuv thread until some
 * writer shows up (a path swapped for a FIFO between stat and open must not hang us); it changes
 * nothing for regular files, which the handle's fstat then insists on. Windows has neither flag.
 */
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Reads of at most this size: small enough that an abort is noticed between two of them. */
const chunkBytes = 64 * 1024;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

async function readCapped(
  path: string,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const handle = await open(path, openFlags);
  try {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) {
      throw Object.assign(new Error(`EFTYPE: not a regular file, read '${path}'`), {
        code: 'EFTYPE',
        path,
      });
    }
    const cap = maxBytes + 1;
    // Sized from fstat (+1 to see growth) so the usual read is one allocation; zero-filled, since
    // a Buffer's backing store outlives the slice we return.
    let buffer = Buffer.alloc(Math.min(cap, Number(info.size) + 1));
    let filled = 0;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      if (filled === buffer.length) {
        if (buffer.length >= cap) break;
        const grown = Buffer.alloc(Math.min(cap, buffer.length * 2));
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const want = Math.min(chunkBytes, buffer.length - filled);
      const { bytesRead } = await handle.read(buffer, filled, want, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

interface SharedWatch {
  readonly watcher: FSWatcher;
  readonly listeners: Set<{
    readonly onEvent: (name: string | null, kind: WatchEventKind) => void;
    readonly onError: (error: unknown) => void;
  }>;
}

// One fs.watch per directory, whoever watches it: a thousand configs in /etc/tor cost one
// FSWatcher (and its memory), not a thousand. Keyed by path and inode, so a directory deleted
// and made again is watched afresh, never through the watch on the old inode.
const sharedWatches = new Map<string, SharedWatch>();

/**
 * FsPort.watch over `fs.watch` (inotify on Linux): the entries of `directory`, never its
 * subdirectories. Every watch of one directory shares one FSWatcher, closed with the last of
 * them; an error reaches each, and the next watch opens a new one. Persistent, like the poll
 * timer: a watch left open keeps the process up.
 * @example const w = watchDirectory('/etc/tor', (name) => console.log(name), console.error); w.close();
 */
export function watchDirectory(
  directory: string,
  onEvent: (name: string | null, kind?: WatchEventKind) => void,
  onError: (error: unknown) => void,
): DirectoryWatch {
  // Synchronous, as fs.watch itself is (inotify_add_watch); throws ENOENT/ENOTDIR like it.
  const id = statSync(directory, { bigint: true });
  const key = `${id.dev}:${id.ino}:${directory}`;
  let shared = sharedWatches.get(key);
  if (shared === undefined) {
    const created: SharedWatch = {
      listeners: new Set(),
      watcher: watch(directory, { persistent: true }, (event, name) => {
        const entry = typeof name === 'string' ? name : null;
        const kind: WatchEventKind = event === 'change' ? 'change' : 'rename';
        // Named like the directory: Linux's word that the directory itself went (deleted or
        // moved). Whoever watches it from now on gets a watch of their own.
        if (entry === basename(directory) && sharedWatches.get(key) === created) {
          sharedWatches.delete(key);
        }
        for (const l of [...created.listeners]) l.onEvent(entry, kind);
      }),
    };
    created.watcher.on('error', (error: unknown) => {
      if (sharedWatches.get(key) === created) sharedWatches.delete(key);
      created.watcher.close();
      for (const l of [...created.listeners]) l.onError(error);
    });
    sharedWatches.set(key, created);
    shared = created;
  }
  return new SharedWatchListener(shared, key, onEvent, onError);
}

// One watcher's place on a shared watch, itself the handle it closes with (a class: a thousand
// watchers of one directory keep one small object each, not a closure and its context).
class SharedWatchListener implements DirectoryWatch {
  #open = true;
  constructor(
    private readonly shared: SharedWatch,
    private readonly key: string,
    readonly onEvent: (name: string | null, kind: WatchEventKind) => void,
    readonly onError: (error: unknown) => void,
  ) {
    shared.listeners.add(this);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const { shared, key } = this;
    shared.listeners.delete(this);
    if (shared.listeners.size > 0) return;
    if (sharedWatches.get(key) === shared) sharedWatches.delete(key);
    shared.watcher.close();
  }
}

/**
 * The programmer error in a `readFile` cap, if any: every adapter refuses the same caps.
 * @example const bad = badMaxBytes(options.maxBytes); if (bad !== undefined) return Promise.reject(bad);
 */
export function badMaxBytes(maxBytes: number): TypeError | undefined {
  return Number.isSafeInteger(maxBytes) && maxBytes >= 0
    ? undefined
    : new TypeError(`readFile: maxBytes must be a non-negative integer, got ${maxBytes}`);
}

/**
 * The real adapter, over `node:fs/promises`.
 * `readFile` settles as soon as its signal aborts, even when the file system is stuck (a dead NFS
 * server): the read then finishes in the background, and its handle is closed when it does.
 * @example const bytes = await nodeFs.readFile('/etc/tor/torrc', { maxBytes: 1 << 20 });
 */
export const nodeFs: FsPort = Object.freeze({
  stat: (path: string) => stat(path, { bigint: true }),
  lstat: (path: string) => lstat(path, { bigint: true }),
  realpath: (path: string) => realpath(path),
  readlink: (path: string) => readlink(path),
  watch: watchDirectory,
  readFile(
    path: string,
    options: { readonly signal?: AbortSignal | undefined; readonly maxBytes: number },
  ): Promise<Buffer> {
    const { signal, maxBytes } = options;
    const bad = badMaxBytes(maxBytes);
    if (bad !== undefined) return Promise.reject(bad);
    if (signal === undefined) return readCapped(path, maxBytes, undefined);
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<Buffer>((resolve, reject) => {
      const onAbort = (): void => reject(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      // Let go of the signal before settling: a long-lived signal must not collect listeners.
      readCapped(path, maxBytes, signal).then(
        (bytes) => {
          signal.removeEventListener('abort', onAbort);
          resolve(bytes);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  },
});
