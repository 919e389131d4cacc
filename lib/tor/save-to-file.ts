import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatTorrc } from './schema/format-torrc.js';
import type { TorConfig } from './schema/tor-config.js';

/** Where the bytes go, and what the file there is now (undefined: a new file). */
interface Destination {
  readonly target: string;
  readonly existing: Stats | undefined;
}

function saveError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`saveToFile: ${message}`), { code });
}

const codeOf = (err: unknown): unknown =>
  typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;

// The file a write to `path` must replace: the end of its symlink chain (a ConfigMap's
// `torrc -> ..data/torrc`, an /etc/alternatives link), so the links stay and their target changes.
async function destinationOf(path: string): Promise<Destination> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (err) {
    if (codeOf(err) !== 'ENOENT') throw err;
    const link = await lstat(path).catch((e: unknown) => {
      if (codeOf(e) === 'ENOENT') return undefined;
      throw e;
    });
    if (link === undefined) return { target: path, existing: undefined };
    // A dangling link: usually a deployment caught half-way, or a link to a place that is gone.
    // Creating the file it names would write where nobody may look, so this is refused.
    const to = await readlink(path).catch(() => '?');
    throw Object.assign(
      saveError(
        'ENOENT',
        `'${path}' is a dangling symbolic link (to '${to}'); not creating its target`,
      ),
      { path },
    );
  }
  const existing = await stat(target);
  if (!existing.isFile()) {
    const what = target === path ? `'${path}'` : `'${path}' (which is '${target}')`;
    throw Object.assign(
      existing.isDirectory()
        ? saveError('EISDIR', `${what} is a directory`)
        : saveError('EFTYPE', `${what} is not a regular file`),
      { path: target },
    );
  }
  return { target, existing };
}

// fsync of a directory makes the rename itself durable. Some file systems cannot do it.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    if (codeOf(err) !== 'EINVAL' && codeOf(err) !== 'ENOTSUP') throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Writes `formatTorrc(config)` to `path` atomically, so a watcher (hotrc's or Tor's) never sees
 * half a file: a temporary file in the target's directory is written, flushed (fsync) and renamed
 * over the target, then the directory is flushed so the rename survives a crash.
 *
 * - Symbolic links are written through: the file at the end of the chain is replaced and every
 *   link stays as it was. A dangling link is refused (ENOENT), nothing is created.
 * - An existing file keeps its mode (setuid/setgid/sticky bits too) and its owner and group
 *   (which, for another user's file, needs the right to chown: else the save fails with EPERM
 *   and the file is left as it was). A new file is 0644, or 0600 when it holds onion client keys.
 * - A directory or other non-regular file at the target is refused (EISDIR, EFTYPE).
 * - On failure the target is untouched, the temporary file is removed, and the error thrown is
 *   the first one that happened: a cleanup that fails too never replaces it (its temporary file,
 *   `.NAME.HEX.tmp`, may then be left beside the target).
 * @example await saveToFile('/etc/tor/torrc', { ...cfg, LogLevel: 'debug' });
 */
export async function saveToFile(path: string, config: TorConfig): Promise<void> {
  const text = formatTorrc(config);
  const { target, existing } = await destinationOf(path);
  const secret = config.OnionServices.some((s) => s.ClientAuth.length > 0);
  const mode = existing === undefined ? (secret ? 0o600 : 0o644) : existing.mode & 0o7777;
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  // Created 0600 whatever the final mode: nobody reads the keys before the mode is set.
  const handle = await open(temp, 'wx', 0o600);
  let failure: { readonly error: unknown } | undefined;
  try {
    await handle.writeFile(text);
    if (existing !== undefined) {
      const made = await handle.stat();
      // chown before chmod: chown clears the setuid and setgid bits.
      if (made.uid !== existing.uid || made.gid !== existing.gid) {
        await handle.chown(existing.uid, existing.gid);
      }
    }
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    failure = { error: err };
  }
  try {
    await handle.close();
  } catch (err) {
    failure ??= { error: err };
  }
  if (failure === undefined) {
    try {
      await rename(temp, target);
    } catch (err) {
      failure = { error: err };
    }
  }
  if (failure !== undefined) {
    // Best effort: the reason the save failed is what the caller needs, not this.
    await unlink(temp).catch(() => undefined);
    throw failure.error;
  }
  await syncDirectory(dir);
}
