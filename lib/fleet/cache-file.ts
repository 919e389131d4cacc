// The last good value a host applied from etcd, kept on its own disk, so that a process that
// starts while etcd is out of reach starts from what it ran before rather than not at all. The
// file holds the config (which may hold secrets): written 0600, atomically (temp, fsync, rename),
// and read back only when it is whole, for this key, and its sha256 matches.
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/**
 * A value from etcd as it was applied: which key, its mod_revision, its sha256, its bytes.
 * @example const cached: CachedValue = { key: '/hotrc/torrc', revision: '42', sha256, bytes, savedAt: new Date().toISOString() };
 */
export interface CachedValue {
  readonly key: string;
  readonly revision: string;
  readonly sha256: string;
  readonly bytes: Uint8Array;
  /** When it was written (ISO 8601). */
  readonly savedAt: string;
}

/** The file's format tag: a file without it is not one hotrc wrote. */
const format = 'hotrc-etcd-cache/1';

const CacheFileJson = t.type({
  format: t.literal(format),
  key: t.string,
  revision: t.string,
  sha256: t.string,
  savedAt: t.string,
  value: t.string,
});

/** A cache file larger than this is not one (the value is at most a few MiB, base64). */
const maxCacheFileBytes = 16 * 1024 * 1024;

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes `value` to `path` atomically: a temporary file beside it (mode 0600), fsync, then a
 * rename over `path`, so a reader sees the old file or the new one, never half of one. The
 * sha256 is checked first: a value whose bytes do not match it is a programmer error.
 * @example await writeCacheFile('/var/lib/hotrc/torrc.cache', { key, revision: '42', sha256, bytes, savedAt: new Date().toISOString() });
 */
export async function writeCacheFile(path: string, value: CachedValue): Promise<void> {
  if (sha256Of(value.bytes) !== value.sha256) {
    throw new TypeError(
      `writeCacheFile: the sha256 given does not match the bytes of ${value.key}`,
    );
  }
  const json = `${JSON.stringify({
    format,
    key: value.key,
    revision: value.revision,
    sha256: value.sha256,
    savedAt: value.savedAt,
    value: Buffer.from(value.bytes).toString('base64'),
  })}\n`;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(json);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Reads a cache file back, for `key`. A Left says why it cannot be used, in one line naming the
 * file: missing (`cause: 'missing'`), not a regular file, world-writable, torn or not JSON, not a
 * hotrc cache, another key's, or bytes whose sha256 does not match (`cause: 'refused'`). Never
 * rejects.
 * @example const cached = await readCacheFile('/var/lib/hotrc/torrc.cache', '/hotrc/torrc');
 */
export async function readCacheFile(
  path: string,
  key: string,
): Promise<
  E.Either<{ readonly cause: 'missing' | 'refused'; readonly message: string }, CachedValue>
> {
  const refused = (why: string) =>
    E.left({ cause: 'refused' as const, message: `cache file ${path} refused: ${why}` });
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) return refused('not a regular file');
    // Anyone could have put any config there.
    if ((info.mode & 0o002) !== 0) return refused('it is world-writable');
    if (info.size > maxCacheFileBytes) return refused(`${info.size} bytes is too large`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return E.left({ cause: 'missing', message: `cache file ${path} does not exist` });
    }
    return refused(`cannot read it (${code ?? String(err)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refused('not whole (torn or not JSON)');
  }
  if (!CacheFileJson.is(parsed)) return refused('not a hotrc etcd cache file');
  if (parsed.key !== key) return refused(`it holds key ${parsed.key}, not ${key}`);
  if (!/^[0-9]+$/.test(parsed.revision)) return refused(`bad revision ${parsed.revision}`);
  const bytes = new Uint8Array(Buffer.from(parsed.value, 'base64'));
  if (sha256Of(bytes) !== parsed.sha256) return refused('its value does not match its sha256');
  return E.right({
    key: parsed.key,
    revision: parsed.revision,
    sha256: parsed.sha256,
    bytes,
    savedAt: parsed.savedAt,
  });
}
