import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  openSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import type { FilePolicy } from '../sources/file-policy.js';
import type { RefusalKind } from '../sources/file-problem.js';
import { insecureDirectory, insecurity, isInside } from '../sources/file-state.js';
import { type FsPort, nodeFs } from '../sources/fs-port.js';
import { localFs, localSyncReadBytes, onLocalDisk, readOpenFile } from '../sources/local-fs.js';
import { compileGlobSegment, hasTorGlob } from './glob-segment.js';
import {
  includeKeyword,
  type ReadEntries,
  readTorrcEntries,
  type TorrcEntry,
  type TorrcError,
} from './torrc.js';
import { decodeTorrcBytes } from './torrc-bytes.js';

/**
 * A torrc with its %includes expanded, and what to watch to notice that it changed.
 * @example const doc: TorrcDocument = { entries: [], files: ['/etc/tor/torrc'], watched: ['/etc/tor/torrc'] };
 */
export interface TorrcDocument {
  /** Every entry, included files spliced in place of their %include line, in Tor's order. */
  readonly entries: ReadonlyArray<TorrcEntry>;
  /** Every file that is part of the config, main file first, absolute paths, each once. */
  readonly files: ReadonlyArray<string>;
  /**
   * Files and directories whose change could change the result: each file in `files`, each
   * directory listed for a directory or glob include, and each path a glob probed, including
   * paths that do not exist yet (their appearance changes the result).
   */
  readonly watched: ReadonlyArray<string>;
}

/**
 * Why a torrc could not be read: the error (file and line), and what a caller watching the
 * files needs besides. `refused` is set when the file policy refused a file (world-writable, in
 * a world-writable directory without the sticky bit, outside the root, over maxBytes): a
 * security refusal, not a broken file. `watched` lists every path looked at up to the failure,
 * as in TorrcDocument, a missing %include and its directory included: a change to one of them
 * may fix the failure.
 * @example const f: TorrcFailure = { file: '/etc/tor/torrc', line: 2, message: '%include "x.conf": /etc/tor/x.conf: does not exist (ENOENT)', watched: ['/etc/tor/torrc', '/etc/tor/x.conf', '/etc/tor'] };
 */
export interface TorrcFailure extends TorrcError {
  readonly refused?: RefusalKind;
  readonly watched: ReadonlyArray<string>;
}

/**
 * Options of readTorrc and resolveTorrc: the file policy, applied to every file read (the main
 * file too, for readTorrc), and a signal.
 * @example await readTorrc('/etc/tor/torrc', { root: '/etc/tor', maxBytes: 65_536 });
 */
export interface ReadOptions extends FilePolicy {
  /** When set, every file read must really (after symlinks) be inside this directory. */
  readonly root: string | undefined;
  /** Largest file read, in bytes, per file. */
  readonly maxBytes: number;
  /**
   * Read a world-writable file, or one in a world-writable directory without the sticky bit
   * (and %include such a directory), which anyone on the host could rewrite.
   */
  readonly allowInsecureMode: boolean;
  /** Aborting makes the read stop at the next file system step with a Left. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Defaults for ReadOptions: no root, 1 MiB per file, insecure modes refused, no signal.
 * @example await readTorrc('/etc/tor/torrc', { ...defaultReadOptions, maxBytes: 4096 });
 */
export const defaultReadOptions: ReadOptions = Object.freeze({
  root: undefined,
  maxBytes: 1_048_576,
  allowInsecureMode: false,
  signal: undefined,
});

/** Tor's MAX_INCLUDE_RECURSION_LEVEL: the main file is level 1, a file at level 32 is refused. */
const maxIncludeLevel = 31;
/** PATH_MAX: a longer %include path cannot name anything, and bounds the glob compiler's work. */
const maxPatternLength = 4096;
/** A single %include expanding to more paths than this is refused rather than read. */
const maxGlobMatches = 10_000;
/**
 * The files one read of a torrc may include in all, across nested %includes, a file included
 * twice counted twice. The byte budget (maxTotalInMaxBytes) never sees empty files, and a
 * directory of 100,000 of them costs a load 2 s and 470 MB, and its watcher a core and a half
 * at a 1 s interval (each included file is stat'ed every tick). A directory is counted by its
 * entries before any is stat'ed, so one too large is refused without a stat or a read.
 */
const maxIncludedFiles = 10_000;
/**
 * What one read of a torrc may take in all, in maxBytes: the main file and every %include, a file
 * included twice counted twice. Tor has no such limit, and a 1 MiB file of `%include big.conf`
 * lines would have it (and us) hold 27,000 copies of big.conf; 16 times the per-file limit is
 * far above any real configuration (the bridge-heavy one of the benchmarks is one maxBytes).
 */
const maxTotalInMaxBytes = 16;
/** Reads of at most this size, so an abort is noticed between two of them. */
const chunkBytes = 65_536;

// O_NONBLOCK: opening a FIFO must not wait for a writer (Tor would block there; we refuse it).
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** A failed file system step: its message, or an abort; the errno code and the policy refusal, if any. */
interface Failure {
  readonly aborted: boolean;
  readonly message: string;
  readonly code?: string;
  readonly refused?: RefusalKind;
}

/** A TorrcError on its way up, with the policy refusal that caused it, if any. */
type Fault = TorrcError & { readonly refused?: RefusalKind };

interface Stack {
  readonly display: string;
  readonly real: string;
}

interface Context {
  readonly options: ReadOptions;
  readonly main: string;
  readonly realRoot: string | undefined;
  readonly files: Set<string>;
  readonly watched: Set<string>;
  /** The bytes admitted so far, every file each time it is read (see maxTotalInMaxBytes). */
  readonly total: { bytes: number };
  /**
   * The files included so far (see maxIncludedFiles), counted when a %include lists them, before
   * they are read: every file listed is read unless the whole read fails first.
   */
  readonly included: { files: number };
}

function resolveReadOptions(options: Partial<ReadOptions> | undefined): ReadOptions {
  if (options === undefined) return defaultReadOptions;
  const o: ReadOptions = {
    root: options?.root ?? defaultReadOptions.root,
    maxBytes: options?.maxBytes ?? defaultReadOptions.maxBytes,
    allowInsecureMode: options?.allowInsecureMode ?? defaultReadOptions.allowInsecureMode,
    signal: options?.signal ?? defaultReadOptions.signal,
  };
  if (o.root !== undefined && (typeof o.root !== 'string' || o.root === '')) {
    throw new TypeError('ReadOptions.root must be a non-empty string or undefined');
  }
  if (!Number.isSafeInteger(o.maxBytes) || o.maxBytes < 1) {
    throw new TypeError('ReadOptions.maxBytes must be a positive integer');
  }
  if (typeof o.allowInsecureMode !== 'boolean') {
    throw new TypeError('ReadOptions.allowInsecureMode must be a boolean');
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError('ReadOptions.signal must be an AbortSignal or undefined');
  }
  return {
    root: o.root === undefined ? undefined : resolve(o.root),
    maxBytes: o.maxBytes,
    allowInsecureMode: o.allowInsecureMode,
    signal: o.signal,
  };
}

const errnoText: ReadonlyMap<string, string> = new Map([
  ['ENOENT', 'does not exist'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['EISDIR', 'is a directory'],
  // What open(2) says of a socket, and of a device with nothing behind it.
  ['ENXIO', 'not a regular file (a socket?)'],
  ['ENOTDIR', 'a component of the path is not a directory'],
  ['ELOOP', 'too many levels of symbolic links'],
  ['ENAMETOOLONG', 'name too long'],
  ['EMFILE', 'too many open files'],
  ['EIO', 'input/output error'],
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function failureOf(path: string, err: unknown): Failure {
  const code = codeOf(err);
  if (code === undefined) return { aborted: false, message: `${path}: ${String(err)}` };
  const text = errnoText.get(code);
  return {
    aborted: false,
    message: text === undefined ? `${path}: ${code}` : `${path}: ${text} (${code})`,
    code,
  };
}

function isGoneCode(code: string | undefined): boolean {
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const aborted: Failure = { aborted: true, message: 'aborted' };

/** Catches a file system call's rejection as a Failure naming the path. */
async function attempt<T>(
  ctx: Context,
  path: string,
  run: () => Promise<T>,
): Promise<Either<Failure, T>> {
  if (ctx.options.signal?.aborted) return left(aborted);
  try {
    const value = await run();
    if (ctx.options.signal?.aborted) return left(aborted);
    return right(value);
  } catch (err) {
    if (ctx.options.signal?.aborted) return left(aborted);
    return left(failureOf(path, err));
  }
}

// Whether cleanPath would give `path` back: absolute, no empty or `.` segment.
function isClean(path: string): boolean {
  return (
    path.charCodeAt(0) === 0x2f &&
    !path.includes('//') &&
    !path.includes('/./') &&
    !path.endsWith('/.') &&
    (path.length === 1 || !path.endsWith('/'))
  );
}

/** Collapses `//` and `/./` (harmless to the kernel); keeps `..`, which symlinks make meaningful. */
function cleanPath(path: string): string {
  if (isClean(path)) return path;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

// The main file's absolute path, as every entry and error names it. A clean absolute POSIX path
// with no `..` is its own resolve(): a save's load does no path work for it.
function mainPath(file: string): string {
  if (sep === '/' && isClean(file) && !file.includes('/../') && !file.endsWith('/..')) {
    return file;
  }
  return cleanPath(resolve(file));
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

// UTF-8 byte order, which is what Tor's strcmp sort gives: UTF-16 order except that surrogate
// pairs (code points above U+FFFF) sort after U+E000..U+FFFF.
function byteOrderKey(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  return c >= 0xe000 ? c - 0x800 : c;
}

function byteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return byteOrderKey(ca) - byteOrderKey(cb);
  }
  return a.length - b.length;
}

function escapeGlob(path: string): string {
  let out = '';
  for (const ch of path) out += '*?[\\'.includes(ch) ? `\\${ch}` : ch;
  return out;
}

/** The policy's `insecure` refusal of a %included directory (world-writable, no sticky bit). */
async function insecureIncludedDirectory(
  ctx: Context,
  dir: string,
): Promise<Either<Failure, void>> {
  if (ctx.options.allowInsecureMode) return right(undefined);
  const real = await attempt(ctx, dir, () => realpath(dir));
  if (isLeft(real)) return real;
  const insecure = await attempt(ctx, dir, () => insecureDirectory(dir, real.right, nodeFs));
  if (isLeft(insecure)) return insecure;
  if (insecure.right === undefined) return right(undefined);
  return left({ aborted: false, message: insecure.right.message, refused: 'insecure' });
}

/**
 * The file policy's verdict on an opened file, from its own fstat (so a file swapped in after a
 * check is not the one read): its size, or why it is refused (not a regular file, anyone could
 * rewrite it, over maxBytes). `fs` stats its directories: localFs on a local disk.
 */
async function admitted(
  ctx: Context,
  path: string,
  shown: string,
  real: string,
  stats: BigIntStats,
  fs: FsPort,
): Promise<Either<Failure, number>> {
  if (!stats.isFile()) {
    const what = stats.isFIFO() ? 'a FIFO (Tor would block reading it)' : 'not a regular file';
    return left({ aborted: false, message: `${path}: ${what}; hotrc refuses it` });
  }
  if (!ctx.options.allowInsecureMode) {
    const insecure = await attempt(ctx, path, () => insecurity(shown, real, stats, fs));
    if (isLeft(insecure)) return insecure;
    if (insecure.right !== undefined) {
      // Making the file or its directory safe is what fixes this: both are worth watching.
      ctx.watched.add(cleanPath(dirname(shown)));
      ctx.watched.add(cleanPath(dirname(real)));
      return left({ aborted: false, message: insecure.right.message, refused: 'insecure' });
    }
  }
  const size = Number(stats.size);
  const { maxBytes } = ctx.options;
  if (size > maxBytes) {
    return left({
      aborted: false,
      message: `${path}: ${size} bytes, over the limit of ${maxBytes} bytes per file`,
      refused: 'too-large',
    });
  }
  const limit = maxTotalInMaxBytes * maxBytes;
  ctx.total.bytes += size;
  if (ctx.total.bytes > limit) {
    return left({
      aborted: false,
      message: `${path}: the configuration and its %includes would be over ${limit} bytes in all (${maxTotalInMaxBytes} times the ${maxBytes} per file), a file included twice counted twice`,
      refused: 'too-large',
    });
  }
  return right(size);
}

/**
 * The bytes of the file `shown` (real path `real`, opened at `path`): refuses non-regular files,
 * and by the file policy, files anyone could rewrite (judged on the opened file's own fstat, so
 * a file swapped in after the check is not the one read) and files over maxBytes, without
 * reading them whole.
 */
async function readCapped(
  ctx: Context,
  path: string,
  shown: string,
  real: string,
): Promise<Either<Failure, Uint8Array>> {
  const { maxBytes } = ctx.options;
  if (ctx.options.signal?.aborted) return left(aborted);
  let fh: FileHandle;
  try {
    fh = await open(path, openFlags);
  } catch (err) {
    return left(failureOf(path, err));
  }
  try {
    const info = await attempt(ctx, path, () => fh.stat({ bigint: true }));
    if (isLeft(info)) return info;
    const checked = await admitted(ctx, path, shown, real, info.right, nodeFs);
    if (isLeft(checked)) return checked;
    const size = checked.right;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One read of the stat'ed length plus one, so a file that grew since the stat is noticed,
      // then chunks for a file that did; the end is a zero-byte read, never a short one (network
      // file systems may read short). One read, not one per chunk: each read is a round trip
      // through libuv's thread pool, and a 1 MiB file in 64 KiB chunks took 17 of them.
      const wanted = total <= size ? size + 1 - total : chunkBytes;
      const buffer = Buffer.allocUnsafe(Math.min(wanted, maxBytes + 1 - total));
      const got = await attempt(ctx, path, () => fh.read(buffer, 0, buffer.length, null));
      if (isLeft(got)) return got;
      const { bytesRead } = got.right;
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) {
        return left(grewPast(path, maxBytes));
      }
    }
    // Mostly one chunk, which needs no copy.
    return right(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
  } finally {
    await fh.close().catch(() => undefined);
  }
}

// A file that grew over maxBytes between its fstat and the end of its read.
function grewPast(path: string, maxBytes: number): Failure {
  return {
    aborted: false,
    message: `${path}: grew past the limit of ${maxBytes} bytes per file while being read`,
    refused: 'too-large',
  };
}

/** A synchronous call's value, or its error as a Failure naming the path (see attempt). */
function attemptSync<T>(ctx: Context, path: string, run: () => T): Either<Failure, T> {
  if (ctx.options.signal?.aborted) return left(aborted);
  try {
    return right(run());
  } catch (err) {
    return left(failureOf(path, err));
  }
}

/**
 * The real path of `path`, and whether its directory is on a local disk (see onLocalDisk): there
 * with a synchronous realpath, as the watcher does; anywhere else (NFS, FUSE), where a call can
 * hang, through the thread pool. The disk is asked per directory at most every few seconds.
 */
async function realPathOf(
  ctx: Context,
  path: string,
): Promise<{ readonly local: boolean; readonly real: Either<Failure, string> }> {
  const local = await onLocalDisk(dirname(path));
  const real = local
    ? attemptSync(ctx, path, () => realpathSync.native(path))
    : await attempt(ctx, path, () => realpath(path));
  return { local, real };
}

/**
 * The bytes of `opened` (named `shown`, really `real`) under the file policy: read with
 * synchronous calls when its directory as named (`local`, from realPathOf) and its real one are
 * both on a local disk and it is not too large for that, else through the thread pool.
 */
async function readUnderPolicy(
  ctx: Context,
  opened: string,
  shown: string,
  real: string,
  local: boolean,
): Promise<Either<Failure, Uint8Array>> {
  const realDir = dirname(real);
  const readLocally = local && (realDir === dirname(shown) || (await onLocalDisk(realDir)));
  return (
    (readLocally ? await readCappedLocal(ctx, opened, shown, real) : undefined) ??
    readCapped(ctx, opened, shown, real)
  );
}

/**
 * readCapped for a file on a local disk (see onLocalDisk), with synchronous calls: the same
 * checks, errors and bytes, without six round trips through libuv's thread pool (open, fstat,
 * the directory's stat, two reads, close), which cost a 1 MiB load more than reading it.
 * Undefined for a file over localSyncReadBytes, which readCapped reads instead, so the event
 * loop is never held for long.
 */
async function readCappedLocal(
  ctx: Context,
  path: string,
  shown: string,
  real: string,
): Promise<Either<Failure, Uint8Array> | undefined> {
  const { maxBytes } = ctx.options;
  const opened = attemptSync(ctx, path, () => openSync(path, openFlags));
  if (isLeft(opened)) return opened;
  const fd = opened.right;
  try {
    const info = attemptSync(ctx, path, () => fstatSync(fd, { bigint: true }));
    if (isLeft(info)) return info;
    const checked = await admitted(ctx, path, shown, real, info.right, localFs);
    if (isLeft(checked)) return checked;
    const size = checked.right;
    if (size > localSyncReadBytes) return undefined;
    const got = attemptSync(ctx, path, () => readOpenFile(fd, size, maxBytes + 1));
    if (isLeft(got)) return got;
    return got.right.length > maxBytes ? left(grewPast(path, maxBytes)) : got;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // As readCapped: a failed close loses nothing that was read.
    }
  }
}

/** Entry names of a directory; a missing directory or a non-directory has none (as in glob(3)). */
async function listForGlob(
  ctx: Context,
  dir: string,
): Promise<Either<Failure, ReadonlyArray<string>>> {
  if (ctx.options.signal?.aborted) return left(aborted);
  try {
    const names = await readdir(dir);
    ctx.watched.add(cleanPath(dir));
    return right(names);
  } catch (err) {
    if (ctx.options.signal?.aborted) return left(aborted);
    const code = codeOf(err);
    if (code === 'ENOTDIR') return right([]);
    if (code === 'ENOENT') {
      ctx.watched.add(cleanPath(dir));
      return right([]);
    }
    // glob(3) with GLOB_ERR, as Tor calls it: an unreadable directory fails the include.
    return left(failureOf(dir, err));
  }
}

/**
 * glibc glob(3) as Tor calls it (GLOB_ERR, no GLOB_PERIOD, escapes on), over readdir: each
 * magic component is matched against the entries of every directory reached so far, `.` and
 * `..` included as readdir returns them; a final literal component must exist (lstat). A trailing
 * slash keeps directories only. Results in byte order, as Tor sorts them.
 */
async function expandGlob(ctx: Context, pattern: string): Promise<Either<Failure, string[]>> {
  let body = pattern;
  let dirOnly = false;
  while (body.length > 1 && body.endsWith('/')) {
    body = body.slice(0, -1);
    dirOnly = true;
  }
  const segments = body.split('/').filter((s) => s !== '');
  let frontier: string[] = ['/'];
  for (let k = 0; k < segments.length; k++) {
    const segment = compileGlobSegment(segments[k] as string);
    const last = k === segments.length - 1;
    const next: string[] = [];
    for (const dir of frontier) {
      if (segment.magic) {
        const names = await listForGlob(ctx, dir);
        if (isLeft(names)) return names;
        for (const name of ['.', '..', ...names.right]) {
          if (segment.match(name)) next.push(joinPath(dir, name));
        }
      } else if (last) {
        const path = joinPath(dir, segment.literal);
        ctx.watched.add(cleanPath(path));
        const found = await attempt(ctx, path, () => lstat(path));
        if (isLeft(found) && found.left.aborted) return found;
        if (!isLeft(found)) next.push(path);
      } else {
        next.push(joinPath(dir, segment.literal));
      }
      if (next.length > maxGlobMatches) {
        return left({
          aborted: false,
          message: `${pattern} matches more than ${maxGlobMatches} paths`,
        });
      }
    }
    frontier = next;
  }
  if (dirOnly) {
    const dirs: string[] = [];
    for (const path of frontier) {
      const info = await attempt(ctx, path, () => stat(path));
      if (isLeft(info) && info.left.aborted) return info;
      if (!isLeft(info) && info.right.isDirectory()) dirs.push(path);
    }
    frontier = dirs;
  }
  return right(frontier.sort(byteOrder));
}

/**
 * The refusal of `count` more included files at `path` (a directory's entries, or one file) when
 * they would take the read past maxIncludedFiles, else undefined. The caller counts what it lists.
 */
function overFileLimit(
  ctx: Context,
  path: string,
  count: number,
  isDirectory: boolean,
): Failure | undefined {
  const before = ctx.included.files;
  if (before + count <= maxIncludedFiles) return undefined;
  const limit = `more than the ${maxIncludedFiles} files a torrc may include in all`;
  const message = !isDirectory
    ? `${path} would be included file ${before + 1}, ${limit} (a file included twice counted twice)`
    : before === 0
      ? `${path} holds ${count} entries, ${limit}`
      : `${path} holds ${count} entries, which with the ${before} files included elsewhere are ${limit} (a file included twice counted twice)`;
  return { aborted: false, message };
}

/** What Tor's config_get_file_list yields for one path: the files to read, in order. */
async function filesOf(
  ctx: Context,
  candidate: string,
  mustBeDir: boolean,
): Promise<Either<Failure, string[]>> {
  const path = cleanPath(candidate);
  ctx.watched.add(path);
  const info = await attempt(ctx, path, () => stat(path));
  if (isLeft(info)) {
    // A missing include is fixed by creating it: its directory shows a rename into place.
    if (isGoneCode(info.left.code)) ctx.watched.add(cleanPath(dirname(path)));
    return info;
  }
  const st = info.right;
  if (st.isDirectory()) {
    const insecure = await insecureIncludedDirectory(ctx, path);
    if (isLeft(insecure)) return insecure;
    const names = await attempt(ctx, path, () => readdir(path));
    if (isLeft(names)) return names;
    const visible = names.right.filter((name) => !name.startsWith('.'));
    // Before the stats: refusing a directory of 100,000 files must not cost 100,000 of them.
    const over = overFileLimit(ctx, path, visible.length, true);
    if (over !== undefined) return left(over);
    const paths = visible.sort(byteOrder).map((name) => joinPath(path, name));
    // The stats are independent: run them together, then judge them in order.
    const entries = await Promise.all(paths.map((full) => attempt(ctx, full, () => stat(full))));
    const files: string[] = [];
    for (const [k, full] of paths.entries()) {
      const entry = entries[k] as Either<Failure, Stats>;
      if (isLeft(entry)) {
        if (entry.left.aborted) return entry;
        continue; // Tor skips what it cannot stat as a file (dangling links, ...)
      }
      if (entry.right.isFIFO()) {
        return left({
          aborted: false,
          message: `${full}: a FIFO (Tor would block reading it); hotrc refuses it`,
        });
      }
      if (!entry.right.isFile()) continue; // subdirectories and the like
      files.push(full);
    }
    ctx.included.files += files.length;
    return right(files);
  }
  if (mustBeDir) return left({ aborted: false, message: `${path}: not a directory` });
  if (st.isFile()) {
    const over = overFileLimit(ctx, path, 1, false);
    if (over !== undefined) return left(over);
    ctx.included.files += 1;
    return right([path]);
  }
  if (st.isFIFO()) {
    return left({
      aborted: false,
      message: `${path}: a FIFO (Tor would block reading it); hotrc refuses it`,
    });
  }
  return left({ aborted: false, message: `${path}: neither a regular file nor a directory` });
}

// A file's entries with its %includes spliced in: the parsed array itself when it has none (a
// 1 MiB file of thousands of lines is not copied entry by entry).
async function expandText(
  ctx: Context,
  text: string,
  file: string,
  including: ReadonlyArray<Stack> | (() => Promise<ReadonlyArray<Stack>>),
): Promise<Either<Fault, ReadonlyArray<TorrcEntry>>> {
  const parsed = readTorrcEntries(text, { file });
  if (isLeft(parsed)) return parsed;
  return expandEntries(ctx, parsed.right, including);
}

async function expandEntries(
  ctx: Context,
  parsed: ReadEntries,
  including: ReadonlyArray<Stack> | (() => Promise<ReadonlyArray<Stack>>),
): Promise<Either<Fault, ReadonlyArray<TorrcEntry>>> {
  const { entries, include: firstInclude } = parsed;
  if (firstInclude === undefined) return right(entries);
  const first = entries.indexOf(firstInclude);
  // Only a file that includes another needs the real paths of the stack (to see a loop).
  const stack = typeof including === 'function' ? await including() : including;
  const out = entries.slice(0, first);
  // An index, not for-of: a loop that awaits keeps its iterator's result objects alive, one per
  // entry, for the collector to copy.
  for (let i = first; i < entries.length; i++) {
    const entry = entries[i] as TorrcEntry;
    if (entry.key !== includeKeyword) {
      out.push(entry);
      continue;
    }
    const done = await include(ctx, entry, stack, out);
    if (isLeft(done)) return done;
  }
  return right(out);
}

async function include(
  ctx: Context,
  entry: TorrcEntry,
  stack: ReadonlyArray<Stack>,
  out: TorrcEntry[],
): Promise<Either<Fault, void>> {
  const fail = (f: Failure): Either<Fault, never> =>
    left(
      f.aborted
        ? { file: ctx.main, line: 0, message: `reading aborted (at ${entry.file}:${entry.line})` }
        : {
            file: entry.file,
            line: entry.line,
            message: `%include ${JSON.stringify(entry.value)}: ${f.message}`,
            ...(f.refused === undefined ? {} : { refused: f.refused }),
          },
    );
  const pattern = entry.value;
  if (pattern === '') return fail({ aborted: false, message: 'no path given' });
  if (pattern.length > maxPatternLength) {
    return fail({ aborted: false, message: `path longer than ${maxPatternLength} characters` });
  }
  // Relative to the including file's directory; Tor uses its working directory (documented).
  const base = dirname(entry.file);
  let candidates: string[];
  if (hasTorGlob(pattern)) {
    const expanded = await expandGlob(
      ctx,
      isAbsolute(pattern) ? pattern : `${escapeGlob(base)}/${pattern}`,
    );
    if (isLeft(expanded)) return fail(expanded.left);
    candidates = expanded.right;
  } else {
    candidates = [isAbsolute(pattern) ? pattern : `${base}/${pattern}`];
  }
  const files: string[] = [];
  for (const candidate of candidates) {
    const found = await filesOf(ctx, candidate, /\/\.?$/.test(candidate) && !hasTorGlob(pattern));
    if (isLeft(found)) return fail(found.left);
    for (const f of found.right) files.push(f); // no spread: a directory may hold many files
  }
  for (const file of files) {
    const { local, real } = await realPathOf(ctx, file);
    if (isLeft(real)) return fail(real.left);
    const loopStart = stack.findIndex((s) => s.real === real.right);
    if (loopStart !== -1) {
      const cycle = [...stack.slice(loopStart).map((s) => s.display), file].join(' -> ');
      return left({ file: entry.file, line: entry.line, message: `%include loop: ${cycle}` });
    }
    ctx.watched.add(file);
    if (ctx.realRoot !== undefined && !isInside(ctx.realRoot, real.right)) {
      return fail({
        aborted: false,
        message: `${file} is really ${real.right}, outside the root ${ctx.options.root}`,
        refused: 'outside-root',
      });
    }
    ctx.files.add(file);
    const opened = ctx.realRoot === undefined ? file : real.right;
    const bytes = await readUnderPolicy(ctx, opened, file, real.right, local);
    if (isLeft(bytes)) return fail(bytes.left);
    // Tor skips empty files without parsing them, so they count toward no nesting level.
    if (bytes.right.length === 0) continue;
    // The stack holds the main file (level 1) and every file including this one.
    const level = stack.length + 1;
    if (level > maxIncludeLevel) {
      return left({
        file: entry.file,
        line: entry.line,
        message: `more than ${maxIncludeLevel} nested %includes (${file} would be level ${level})`,
      });
    }
    const text = decodeTorrcBytes(bytes.right, file);
    if (isLeft(text)) return text;
    const done = await expandText(ctx, text.right, file, [
      ...stack,
      { display: file, real: real.right },
    ]);
    if (isLeft(done)) return done;
    for (const e of done.right) out.push(e); // no spread: an included file may be long
  }
  return right(undefined);
}

async function start(main: string, options: ReadOptions): Promise<Either<Fault, Context>> {
  let realRoot: string | undefined;
  if (options.root !== undefined) {
    if (options.signal?.aborted) return left({ file: main, line: 0, message: 'reading aborted' });
    try {
      realRoot = await realpath(options.root);
    } catch (err) {
      // As for the file source: a root that cannot be resolved confines everything out.
      return left({
        file: main,
        line: 0,
        message: `root ${failureOf(options.root, err).message}`,
        refused: 'outside-root',
      });
    }
  }
  return right({
    options,
    main,
    realRoot,
    files: new Set([main]),
    watched: new Set([main]),
    total: { bytes: 0 },
    included: { files: 0 },
  });
}

/** A Fault with what was watched up to it, as the public Left. */
function failure(fault: Fault, watched: Iterable<string>): TorrcFailure {
  const { file, line, message, refused } = fault;
  return refused === undefined
    ? { file, line, message, watched: [...watched] }
    : { file, line, message, refused, watched: [...watched] };
}

/** Only the error of a failure: what readTorrc and resolveTorrc have always returned. */
function errorOnly<T>(r: Either<TorrcFailure, T>): Either<TorrcError, T> {
  if (!isLeft(r)) return r;
  const { file, line, message } = r.left;
  return left({ file, line, message });
}

async function finish(
  ctx: Context,
  text: string | ReadEntries,
  real: string | (() => Promise<string>),
): Promise<Either<TorrcFailure, TorrcDocument>> {
  const main = ctx.main;
  let parsed: ReadEntries;
  if (typeof text === 'string') {
    const read = readTorrcEntries(text, { file: main });
    if (isLeft(read)) return left(failure(read.left, ctx.watched));
    parsed = read.right;
  } else {
    parsed = text;
  }
  const done = await expandEntries(
    ctx,
    parsed,
    typeof real === 'string'
      ? [{ display: main, real }]
      : async () => [{ display: main, real: await real() }],
  );
  if (isLeft(done)) return left(failure(done.left, ctx.watched));
  return right({ entries: done.right, files: [...ctx.files], watched: [...ctx.watched] });
}

/**
 * Parses a main torrc whose text the caller already read (safely, e.g. stat-read-stat), and
 * expands its %include lines from disk as Tor does: a file, a directory (its files in byte order,
 * skipping dot-files and subdirectories), or a glob (`*`, `?`, `[...]` as glob(3), sorted; only an
 * unescaped `*` or `?` makes a path a glob, as in Tor). Empty files are skipped; no glob match
 * includes nothing; a missing path is a Left.
 *
 * The file policy applies to every included file: `root` confines it (after symlinks), a file
 * over `maxBytes` is refused unread, and unless `allowInsecureMode`, so is a world-writable file
 * or one in a directory world-writable without the sticky bit, and a %included directory that
 * is itself world-writable without the sticky bit. The main file is the caller's to vouch for.
 *
 * Deliberate differences from Tor: a relative %include path is resolved against the including
 * file's directory (Tor uses its working directory); an include loop is a Left naming the files
 * in it (Tor fails only at its depth limit); FIFOs are refused (Tor would block reading one);
 * files over maxBytes, NUL bytes, invalid UTF-8 and a BOM are refused; one %include expanding to
 * more than 10 000 paths or a path over 4096 characters is refused, and so is a read that would
 * include more than 10 000 files in all (a file included twice counted twice, a directory
 * counted by its entries other than dot-files, before any is read).
 *
 * Never rejects for bad input or I/O: every failure is a Left naming the file and, for a failed
 * %include, the line of the %include (`FILE:LINE`), with what was watched up to it and whether
 * the file policy refused a file (TorrcFailure). It rejects only for bad options (TypeError).
 * @example
 * const doc = await resolveTorrcDocument('%include torrc.d/*.conf\n', '/etc/tor/torrc');
 * if (isLeft(doc) && doc.left.refused !== undefined) console.log('refused:', doc.left.message);
 */
export async function resolveTorrcDocument(
  text: string,
  file: string,
  options?: Partial<ReadOptions>,
): Promise<Either<TorrcFailure, TorrcDocument>> {
  const resolved = resolveReadOptions(options);
  const main = mainPath(file);
  let parsed: string | ReadEntries = text;
  // Without a root nothing is looked up before the text is read (a root is resolved first, and
  // its failure comes first): a text with no %include, a save's usual text, is done here.
  if (resolved.root === undefined) {
    const read = readTorrcEntries(text, { file: main });
    if (isLeft(read)) return left(failure(read.left, [main]));
    if (read.right.include === undefined) {
      return right({ entries: read.right.entries, files: [main], watched: [main] });
    }
    parsed = read.right;
  }
  const ctx = await start(main, resolved);
  if (isLeft(ctx)) return left(failure(ctx.left, [main]));
  // Resolved only if the text has a %include (a save is live one round trip sooner without).
  // The main file may be gone by now, or never have been on disk: its path is then its identity.
  return finish(ctx.right, parsed, () => realpath(main).catch(() => main));
}

/**
 * resolveTorrcDocument, with only the error of a failure (file, line, message).
 * @example
 * const doc = await resolveTorrc('%include torrc.d/*.conf\n', '/etc/tor/torrc');
 * // right({ entries: [...], files: ['/etc/tor/torrc', '/etc/tor/torrc.d/a.conf'], watched: [...] })
 */
export async function resolveTorrc(
  text: string,
  file: string,
  options?: Partial<ReadOptions>,
): Promise<Either<TorrcError, TorrcDocument>> {
  return errorOnly(await resolveTorrcDocument(text, file, options));
}

/**
 * Reads a torrc from disk exactly as Tor would read it: at most maxBytes (checked before reading,
 * and again while reading), bytes decoded by decodeTorrcBytes, then parsed and expanded by
 * resolveTorrcDocument. The file policy applies to the main file as to every %include: with a
 * root, it too must really be inside it, and unless `allowInsecureMode` it must not be
 * world-writable nor sit in a directory world-writable without the sticky bit (refused with the
 * message the file source gives, `refusing FILE: mode 0666 is world-writable`).
 *
 * Never rejects for bad input or I/O (ENOENT, EACCES, EISDIR, ...): those are Lefts naming the
 * file (line 0 when no line is to blame), as TorrcFailure. It rejects only for bad options
 * (TypeError).
 * @example
 * const doc = await readTorrcDocument('/etc/tor/torrc', { root: '/etc/tor' });
 * if (isLeft(doc)) console.log(doc.left.refused ?? 'broken', doc.left.message);
 */
export async function readTorrcDocument(
  path: string,
  options?: Partial<ReadOptions>,
): Promise<Either<TorrcFailure, TorrcDocument>> {
  const resolved = resolveReadOptions(options);
  const main = mainPath(path);
  const started = await start(main, resolved);
  if (isLeft(started)) return left(failure(started.left, [main]));
  const ctx = started.right;
  const fail = (f: Failure): Either<TorrcFailure, never> =>
    left(
      failure(
        {
          file: main,
          line: 0,
          // An insecure-mode refusal already reads `refusing FILE: ...`.
          message: f.aborted
            ? 'reading aborted'
            : f.refused === 'insecure'
              ? f.message
              : `cannot read ${f.message}`,
          ...(f.refused === undefined ? {} : { refused: f.refused }),
        },
        ctx.watched,
      ),
    );
  const { local, real } = await realPathOf(ctx, main);
  if (isLeft(real)) return fail(real.left);
  if (ctx.realRoot !== undefined && !isInside(ctx.realRoot, real.right)) {
    const message = `${main} is really ${real.right}, outside the root ${resolved.root}`;
    return left(failure({ file: main, line: 0, message, refused: 'outside-root' }, ctx.watched));
  }
  // With a root, open the path that was checked, so a symlink swapped in meanwhile is not followed.
  const opened = ctx.realRoot === undefined ? main : real.right;
  const bytes = await readUnderPolicy(ctx, opened, main, real.right, local);
  if (isLeft(bytes)) return fail(bytes.left);
  const text = decodeTorrcBytes(bytes.right, main);
  if (isLeft(text)) return left(failure(text.left, ctx.watched));
  return finish(ctx, text.right, real.right);
}

/**
 * readTorrcDocument, with only the error of a failure (file, line, message).
 * @example
 * const doc = await readTorrc('/etc/tor/torrc', { root: '/etc/tor' });
 * if (isRight(doc)) console.log(doc.right.entries.length);
 */
export async function readTorrc(
  path: string,
  options?: Partial<ReadOptions>,
): Promise<Either<TorrcError, TorrcDocument>> {
  return errorOnly(await readTorrcDocument(path, options));
}
