import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { readlink, statfs } from 'node:fs/promises';
import { badMaxBytes, type FsPort, nodeFs, watchDirectory } from './fs-port.js';

/**
 * Linux `statfs` magic numbers of file systems whose metadata and cached pages are served by
 * this kernel, never over a network nor by a user-space daemon: a synchronous stat or read of a
 * small file there takes microseconds and cannot hang on a dead server. NFS, SMB/CIFS, FUSE
 * (sshfs, gcsfuse), 9p (some VM shares), Ceph and removable media are not listed: they stay on
 * the asynchronous adapter.
 */
const localMagic: ReadonlySet<number> = new Set([
  0xef53, // ext2, ext3, ext4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x858458f6, // ramfs
  0x794c7630, // overlayfs (containers)
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0xca451a4e, // bcachefs
  0x52654973, // reiserfs
  0x3153464a, // jfs
  0x73717368, // squashfs
]);

/**
 * Whether `path` (a directory or file that exists) lies on a file system from the list above,
 * so `localFs` may serve it. False off Linux (other kernels number file systems otherwise),
 * for any other type, and when `statfs` fails. One `statfs` per path per 5 s, however many ask.
 * Never rejects.
 * @example if (await onLocalDisk('/etc/tor')) fs = localFs;
 */
export function onLocalDisk(path: string): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  const now = Date.now();
  const known = verdicts.get(path);
  if (known !== undefined && now - known.at < verdictMs) return known.local;
  if (verdicts.size >= 1024) verdicts.clear();
  const local = onLocalDiskNow(path);
  verdicts.set(path, { at: now, local });
  return local;
}

/**
 * onLocalDisk asked afresh (one `statfs`, no verdict kept or reused): for a caller that asks
 * because the answer may just have changed, such as a stat that found the path on another
 * device. Never rejects.
 * @example if (stats.dev !== lastDev) local = await onLocalDiskNow('/etc/tor/torrc');
 */
export function onLocalDiskNow(path: string): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  return statfs(path).then(
    ({ type }) => localMagic.has(type >>> 0),
    () => false,
  );
}

// A thousand configs started in one directory ask about it once, not a thousand times. Kept
// briefly: a file system mounted over the directory later is seen by the next question.
const verdictMs = 5000;
const verdicts = new Map<string, { readonly at: number; readonly local: Promise<boolean> }>();

/** A synchronous call as a promise, settled before the caller awaits it. */
function settled<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

// As nodeFs opens: O_NONBLOCK, so a FIFO swapped in returns at once instead of blocking us.
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/**
 * Files up to this size (bytes) are read by `localFs` synchronously; larger ones by nodeFs,
 * asynchronously: a config is kilobytes, and however large `maxBytes` is set, the event loop is
 * never held for longer than a read of this size. A caller can tell from it whether a read
 * through `localFs` can still be running when the caller next gets control (it cannot, up to it).
 * @example const settlesAtOnce = fs === localFs && size <= localSyncReadBytes;
 */
export const localSyncReadBytes = 4 << 20;
const syncReadBytes = localSyncReadBytes;

/**
 * A small regular file's bytes, read synchronously: at most `maxBytes + 1` of them (more than
 * `maxBytes` means the file is larger), or undefined when the file is over localSyncReadBytes
 * and `maxBytes` allows more (too large to read on the event loop). A FIFO, a device (as
 * /dev/zero) or a directory is refused (code EFTYPE) before any byte is read, so no mistaken
 * path can block or fill memory. Throws what open, fstat and read throw.
 * @example const pem = readCappedSync('/etc/hotrc/ca.pem', 1 << 20); // Buffer
 */
export function readCappedSync(path: string, maxBytes: number): Buffer | undefined {
  const fd = openSync(path, openFlags);
  try {
    const info: BigIntStats = fstatSync(fd, { bigint: true });
    if (!info.isFile()) {
      throw Object.assign(new Error(`EFTYPE: not a regular file, read '${path}'`), {
        code: 'EFTYPE',
        path,
      });
    }
    if (info.size > BigInt(syncReadBytes) && maxBytes > syncReadBytes) return undefined;
    return readOpenFile(fd, Number(info.size), maxBytes + 1);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of the open file `fd` from its start to its end, read synchronously, `cap` at most.
 * `size` (what fstat said) plus one is asked first, so a file that grew since is noticed (the
 * result is then longer than `size`). A regular file on a local disk reads short only at its
 * end: once a short read has brought exactly `size` bytes, a further read would only say so (one
 * syscall per save saved). Anything else (a size fstat got wrong, as /proc's 0) is read on until
 * a read gives nothing. Zero-filled, as nodeFs reads: the backing store outlives the view
 * returned. Throws what readSync throws.
 * @example const bytes = readOpenFile(fd, Number(fstatSync(fd).size), maxBytes + 1);
 */
export function readOpenFile(fd: number, size: number, cap: number): Buffer {
  let buffer = Buffer.alloc(Math.min(cap, size + 1));
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      if (buffer.length >= cap) break;
      const grown = Buffer.alloc(Math.min(cap, Math.max(buffer.length * 2, 65_536)));
      buffer.copy(grown, 0, 0, filled);
      buffer = grown;
    }
    const asked = buffer.length - filled;
    const bytesRead = readSync(fd, buffer, filled, asked, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
    if (bytesRead < asked && filled === size) break;
  }
  return buffer.subarray(0, filled);
}

/**
 * The FsPort for files on a local disk (see `onLocalDisk`): the same calls and errors as
 * `nodeFs`, made synchronously and handed back as settled promises. A look and a read then cost
 * microseconds of the event loop instead of ten round trips through libuv's thread pool (each a
 * wake-up of two threads), which is most of the time from a save to its commit. Never use it for
 * a path that may be on a network or FUSE mount: a hung server would block the event loop.
 * `readFile` honours a signal aborted before it starts; once started it runs to its end. A file
 * over 4 MiB (possible only with a `maxBytes` above that) is read by `nodeFs` instead.
 * @example const fs = (await onLocalDisk(dirname(path))) ? localFs : nodeFs;
 */
export const localFs: FsPort = Object.freeze({
  stat: (path: string) => settled(() => statSync(path, { bigint: true })),
  lstat: (path: string) => settled(() => lstatSync(path, { bigint: true })),
  // realpath(3), as nodeFs's: realpathSync without .native walks the path in JavaScript.
  realpath: (path: string) => settled(() => realpathSync.native(path)),
  readlink: (path: string) => readlink(path),
  watch: watchDirectory,
  readFile(
    path: string,
    options: { readonly signal?: AbortSignal | undefined; readonly maxBytes: number },
  ): Promise<Buffer> {
    const { signal, maxBytes } = options;
    const bad = badMaxBytes(maxBytes);
    if (bad !== undefined) return Promise.reject(bad);
    if (signal?.aborted) return Promise.reject(abortError());
    return settled(() => readCappedSync(path, maxBytes)).then(
      (bytes) => bytes ?? nodeFs.readFile(path, options),
    );
  },
});
