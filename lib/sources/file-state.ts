import type { BigIntStats } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { checkConfigPath, type FilePolicy } from './file-policy.js';
import { type FileProblem, fileProblem as problem } from './file-problem.js';
import { type Fingerprint, fingerprintOf } from './fingerprint.js';
import { type FsPort, nodeFs } from './fs-port.js';

export type { FileProblem, FileProblemKind } from './file-problem.js';

/**
 * What one look at a config path found: a usable file, with its real path and fingerprint, or
 * the reason it cannot be used.
 * @example if (s.kind === 'present') console.log(fingerprintKey(s.fingerprint));
 */
export type FileState =
  | {
      readonly kind: 'present';
      readonly path: string;
      readonly realPath: string;
      readonly fingerprint: Fingerprint;
    }
  | { readonly kind: 'problem'; readonly problem: FileProblem };

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether an error means the path no longer leads to a file (`ENOENT`, or `ENOTDIR` when a
 * directory on the way became a file).
 * @example isGone(Object.assign(new Error(), { code: 'ENOENT' })) // true
 */
export function isGone(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Turns a file-system error on `path` into a FileProblem: `ENOENT`/`ENOTDIR` are `missing`,
 * `EACCES`/`EPERM` `denied`, `EISDIR`/`EFTYPE`/`ENXIO` `not-file`, an abort is `io` with message
 * `aborted`, anything else `io` with its code.
 * @example problemFromError('/etc/tor/torrc', Object.assign(new Error(), { code: 'EACCES' })).kind // 'denied'
 */
export function problemFromError(path: string, error: unknown): FileProblem {
  const code = errnoCode(error);
  if (error instanceof Error && error.name === 'AbortError') {
    return problem('io', path, 'aborted', code ?? 'ABORT_ERR');
  }
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return problem('missing', path, `${path}: no such file (${code})`, code);
    case 'EACCES':
    case 'EPERM':
      return problem('denied', path, `${path}: permission denied (${code})`, code);
    case 'EISDIR':
    case 'EFTYPE':
    // open(2) of a socket, or of a device with nothing behind it.
    case 'ENXIO':
      return problem('not-file', path, `${path}: not a regular file (${code})`, code);
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return problem('io', path, `${path}: ${detail}`, code);
    }
  }
}

/**
 * The problem with a file of `size` bytes under a `maxBytes` limit, if any: `too-large` over the
 * limit, `empty` at zero (what a truncate-then-write leaves half-way).
 * @example sizeProblem('/etc/tor/torrc', 0n, 1024)?.kind // 'empty'
 */
export function sizeProblem(path: string, size: bigint, maxBytes: number): FileProblem | undefined {
  if (size > BigInt(maxBytes)) {
    return problem(
      'too-large',
      path,
      `refusing ${path}: ${size} bytes is over the limit of ${maxBytes}`,
    );
  }
  if (size === 0n)
    return problem('empty', path, `${path} is empty (a save may be half-way through)`);
  return undefined;
}

function typeName(stats: BigIntStats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function octal(mode: bigint): string {
  return (Number(mode) & 0o7777).toString(8).padStart(4, '0');
}

const worldWritable = 0o002n;
const sticky = 0o1000n;

/**
 * Whether `path` lies inside `root` (both real, absolute paths): the root itself, or below it.
 * A sibling that only shares the prefix (`/etc/tor-evil` for `/etc/tor`) is outside.
 * @example isInside('/etc/tor', '/etc/tor/torrc.d/a.conf') // true
 */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** How often a path whose symlinks keep moving is looked at again before giving up. */
const symlinkAttempts = 3;

type Resolved =
  | { readonly kind: 'resolved'; readonly stats: BigIntStats; readonly realPath: string }
  | { readonly kind: 'moving' };

/**
 * stat and realpath are two calls; a symlink swapped between them (a ConfigMap update) would
 * pair one file's fingerprint with another file's real path, and the root check would vouch for
 * the wrong file. So when symlinks are involved, the real path must still name the stat'ed inode.
 */
async function resolvePath(abs: string, fs: FsPort): Promise<Resolved | FileProblem> {
  for (let attempt = 1; attempt <= symlinkAttempts; attempt++) {
    const stats = await fs.stat(abs);
    if (!stats.isFile()) {
      return problem('not-file', abs, `${abs}: ${typeName(stats)}, not a regular file`);
    }
    const realPath = await fs.realpath(abs);
    if (realPath === abs) return { kind: 'resolved', stats, realPath };
    let real: BigIntStats;
    try {
      real = await fs.stat(realPath);
    } catch (error) {
      if (isGone(error)) continue; // the old target was removed after the swap: look again
      throw error;
    }
    if (real.dev === stats.dev && real.ino === stats.ino)
      return { kind: 'resolved', stats, realPath };
  }
  return { kind: 'moving' };
}

/**
 * The `insecure` problem of a directory anyone could add entries to or replace entries in:
 * world-writable without the sticky bit (with it, like /tmp, others cannot replace our files).
 * `abs` is the path refused because of it, shown as `shown` (the file living there, or the
 * directory itself when it is %included).
 * @example await insecureDirectory('/etc/tor/torrc', '/etc/tor', nodeFs) // undefined when 0755
 */
export async function insecureDirectory(
  abs: string,
  dir: string,
  fs: FsPort,
  shown: string = abs,
): Promise<FileProblem | undefined> {
  const mode = (await fs.stat(dir)).mode;
  if ((mode & worldWritable) === 0n || (mode & sticky) !== 0n) return undefined;
  return problem(
    'insecure',
    abs,
    `refusing ${shown}: directory ${dir} mode ${octal(mode)} is world-writable without the sticky bit`,
  );
}

/**
 * The `insecure` problem of a file anyone on the host could rewrite, checked for every file that
 * becomes part of a config (the main file and each %include): the file is world-writable
 * (`stats` are the real file's), or a directory it lives in is world-writable without the sticky
 * bit, since whoever can write the directory can replace the file: the real file's directory,
 * and the one holding the name we were given when that is a symlink living elsewhere.
 * Rejects with the errno error when a directory cannot be stat'ed.
 * @example await insecurity('/etc/tor/torrc', '/etc/tor/torrc', await nodeFs.stat('/etc/tor/torrc'), nodeFs)
 */
export async function insecurity(
  abs: string,
  realPath: string,
  stats: Pick<BigIntStats, 'mode'>,
  fs: FsPort,
): Promise<FileProblem | undefined> {
  const shown = realPath === abs ? abs : `${abs} (${realPath})`;
  if ((stats.mode & worldWritable) !== 0n) {
    return problem(
      'insecure',
      abs,
      `refusing ${shown}: mode ${octal(stats.mode)} is world-writable`,
    );
  }
  const dirs = [dirname(realPath)];
  if (realPath !== abs) {
    const linkDir = await fs.realpath(dirname(abs));
    if (linkDir !== dirs[0]) dirs.push(linkDir);
  }
  for (const dir of dirs) {
    const insecure = await insecureDirectory(abs, dir, fs, shown);
    if (insecure !== undefined) return insecure;
  }
  return undefined;
}

async function outsideRoot(
  abs: string,
  realPath: string,
  root: string,
  fs: FsPort,
): Promise<FileProblem | undefined> {
  let realRoot: string;
  try {
    // The root may itself sit behind a symlink (/etc -> /private/etc on macOS).
    realRoot = await fs.realpath(root);
  } catch (error) {
    const code = errnoCode(error);
    return problem(
      'outside-root',
      abs,
      `refusing ${abs}: root ${root} cannot be resolved${code === undefined ? '' : ` (${code})`}`,
      code,
    );
  }
  if (isInside(realRoot, realPath)) return undefined;
  return problem(
    'outside-root',
    abs,
    `refusing ${abs}: its real path ${realPath} is outside the root ${realRoot}`,
  );
}

/**
 * Looks at a config path once, as the poller does every tick: the path is stat'ed afresh every
 * time, following symlinks, never through a held handle, so rename-saves and ConfigMap `..data`
 * swaps are seen (FIELD-NOTES rows 2, 3). The fingerprint is the real target's.
 *
 * Problems, in the order checked: `path` (see checkConfigPath), `missing` (ENOENT/ENOTDIR),
 * `denied` (EACCES/EPERM), `not-file`, `outside-root` (real path outside `policy.root`),
 * `insecure` (world-writable file, or its directory world-writable without the sticky bit),
 * `too-large` (size over `policy.maxBytes`), `empty` (size 0), and `io` for any other errno.
 * Never rejects for I/O.
 *
 * Cost per call: stat + realpath + a stat of the directory (unless insecure modes are allowed);
 * a symlinked path adds a stat of the real path and a realpath of the link's directory, a root
 * one realpath.
 * @example const s = await statFile('/etc/tor/torrc', defaultFilePolicy);
 */
export async function statFile(
  path: string,
  policy: FilePolicy,
  fs: FsPort = nodeFs,
): Promise<FileState> {
  const checked = checkConfigPath(path);
  if (isLeft(checked)) return Object.freeze({ kind: 'problem', problem: checked.left });
  const abs = checked.right;
  const found = await inspect(abs, policy, fs).catch((error: unknown) =>
    problemFromError(abs, error),
  );
  return Object.freeze(found.kind === 'present' ? found : { kind: 'problem', problem: found });
}

async function inspect(
  abs: string,
  policy: FilePolicy,
  fs: FsPort,
): Promise<Extract<FileState, { kind: 'present' }> | FileProblem> {
  const resolved = await resolvePath(abs, fs);
  if (resolved.kind === 'moving') {
    return problem('io', abs, `${abs}: its symlinks kept changing while being checked`, 'EAGAIN');
  }
  if (resolved.kind !== 'resolved') return resolved;
  const { stats, realPath } = resolved;
  if (policy.root !== undefined) {
    const outside = await outsideRoot(abs, realPath, policy.root, fs);
    if (outside !== undefined) return outside;
  }
  if (!policy.allowInsecureMode) {
    const insecure = await insecurity(abs, realPath, stats, fs);
    if (insecure !== undefined) return insecure;
  }
  const sized = sizeProblem(abs, stats.size, policy.maxBytes);
  if (sized !== undefined) return sized;
  return { kind: 'present', path: abs, realPath, fingerprint: fingerprintOf(stats) };
}
