import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadFromFile } from '../../lib/tor/config-file.js';
import { saveToFile } from '../../lib/tor/save-to-file.js';
import { formatTorrc } from '../../lib/tor/schema/format-torrc.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';

const run = promisify(execFile);
const config: TorConfig = { ...defaultConfig(), LogLevel: 'debug', ExcludeNodes: ['{us}'] };
const key = `descriptor:x25519:${'A'.repeat(52)}`;
const svc = { ServiceDir: '/hs', VirtualPort: 80, TargetAddr: '127.0.0.1:80', MaxStreams: 0 };

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;
const isRoot = process.getuid?.() === 0;

/** `chattr` flags on a real file (ext4 and most Linux file systems), or false if unsupported. */
async function chattr(flags: string, path: string): Promise<boolean> {
  try {
    await run('chattr', [flags, path]);
    return true;
  } catch {
    return false;
  }
}

describe('saveToFile', () => {
  let dir: string;
  const attributed: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-save-'));
  });
  afterEach(async () => {
    for (const p of attributed.splice(0)) {
      await chattr('-ai', p);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a torrc that loads back to the same config, atomically, keeping the mode', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n', { mode: 0o640 });
    await chmod(path, 0o640);
    await saveToFile(path, config);
    assert.deepEqual(await loadFromFile(path), config);
    assert.equal(await modeOf(path), 0o640);
    assert.deepEqual(await readdir(dir), ['torrc']);
  });

  it('replaces the file by rename: a reader holding the old file still reads it whole', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    const before = await stat(path);
    const reader = await open(path, 'r');
    try {
      await saveToFile(path, config);
      assert.equal(await reader.readFile('utf8'), 'LogLevel info\n');
    } finally {
      await reader.close();
    }
    assert.notEqual((await stat(path)).ino, before.ino);
    assert.equal(await readFile(path, 'utf8'), formatTorrc(config));
  });

  it('creates a new file 0644, or 0600 when it holds onion client keys', async () => {
    const plain = join(dir, 'plain-torrc');
    await saveToFile(plain, config);
    assert.equal(await modeOf(plain), 0o644);
    const secret = join(dir, 'secret-torrc');
    await saveToFile(secret, {
      ...defaultConfig(),
      OnionServices: [{ ...svc, ClientAuth: [{ Name: 'a', Key: key }] }],
    });
    assert.equal(await modeOf(secret), 0o600);
    assert.match(
      await readFile(secret, 'utf8'),
      new RegExp(`^HiddenServiceClientAuth a ${key}$`, 'm'),
    );
  });

  it('writes through a chain of symlinks: the links stay, their final target changes', async () => {
    await mkdir(join(dir, 'real'));
    await mkdir(join(dir, 'alternatives'));
    const real = join(dir, 'real', 'torrc.conf');
    await writeFile(real, 'LogLevel info\n');
    await chmod(real, 0o640);
    await symlink('../real/torrc.conf', join(dir, 'alternatives', 'torrc'));
    const path = join(dir, 'torrc');
    await symlink('alternatives/torrc', path);

    await saveToFile(path, config);

    assert.ok((await lstat(path)).isSymbolicLink());
    assert.equal(await readlink(path), 'alternatives/torrc');
    assert.ok((await lstat(join(dir, 'alternatives', 'torrc'))).isSymbolicLink());
    assert.equal(await readlink(join(dir, 'alternatives', 'torrc')), '../real/torrc.conf');
    assert.equal(await readFile(real, 'utf8'), formatTorrc(config));
    assert.equal(await modeOf(real), 0o640);
    // The temporary file was made beside the target (one rename, one file system), and is gone.
    assert.deepEqual(await readdir(join(dir, 'real')), ['torrc.conf']);
    assert.deepEqual((await readdir(dir)).sort(), ['alternatives', 'real', 'torrc']);
  });

  it("writes through a Kubernetes ConfigMap's ..data symlink to the current version", async () => {
    await mkdir(join(dir, '..2026_12_01_v1'));
    await writeFile(join(dir, '..2026_12_01_v1', 'torrc'), 'LogLevel info\n');
    await symlink('..2026_12_01_v1', join(dir, '..data'));
    await symlink('..data/torrc', join(dir, 'torrc'));

    await saveToFile(join(dir, 'torrc'), config);

    assert.equal(await readlink(join(dir, 'torrc')), '..data/torrc');
    assert.equal(await readlink(join(dir, '..data')), '..2026_12_01_v1');
    assert.deepEqual(await loadFromFile(join(dir, '..2026_12_01_v1', 'torrc')), config);
  });

  it('keeps the owner, the group and special mode bits (chown comes before chmod)', async function () {
    if (!isRoot) this.skip(); // only root can give a file to another user
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    await chown(path, 1234, 5678);
    // setuid is what chown clears: it survives only if the mode is set after the owner.
    await chmod(path, 0o4750);
    await saveToFile(path, config);
    const after = await stat(path);
    assert.deepEqual([after.uid, after.gid, after.mode & 0o7777], [1234, 5678, 0o4750]);
    assert.equal(await readFile(path, 'utf8'), formatTorrc(config));
  });

  it('refuses a dangling symlink and creates nothing (ENOENT)', async () => {
    const path = join(dir, 'torrc');
    await symlink('gone/torrc', path);
    await assert.rejects(saveToFile(path, config), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(
        err.message,
        `saveToFile: '${path}' is a dangling symbolic link (to 'gone/torrc'); not creating its target`,
      );
      return true;
    });
    assert.equal(await readlink(path), 'gone/torrc');
    assert.deepEqual(await readdir(dir), ['torrc']);
  });

  it('refuses a directory at the target, through a link too (EISDIR), leaving nothing behind', async () => {
    const real = join(dir, 'torrc.d');
    await mkdir(real);
    await symlink('torrc.d', join(dir, 'torrc'));
    await assert.rejects(saveToFile(join(dir, 'torrc'), config), {
      code: 'EISDIR',
      message: `saveToFile: '${join(dir, 'torrc')}' (which is '${real}') is a directory`,
    });
    await assert.rejects(saveToFile(real, config), { code: 'EISDIR' });
    assert.deepEqual((await readdir(dir)).sort(), ['torrc', 'torrc.d']);
    assert.deepEqual(await readdir(real), []);
  });

  it('rejects a symlink loop with ELOOP', async () => {
    await symlink('b', join(dir, 'a'));
    await symlink('a', join(dir, 'b'));
    await assert.rejects(saveToFile(join(dir, 'a'), config), { code: 'ELOOP' });
  });

  it('leaves an immutable target as it was and removes its temporary file', async function () {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    if (!(await chattr('+i', path))) this.skip(); // needs root and a file system with chattr
    attributed.push(path);
    await assert.rejects(saveToFile(path, config), { code: 'EPERM', syscall: 'rename' });
    assert.equal(await readFile(path, 'utf8'), 'LogLevel info\n');
    assert.deepEqual(await readdir(dir), ['torrc']);
  });

  it('throws the first error when the cleanup fails too', async function () {
    // An append-only directory takes new files but refuses renames and unlinks in it: the rename
    // fails, and then so does removing the temporary file.
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    if (!(await chattr('+a', dir))) this.skip(); // needs root and a file system with chattr
    attributed.push(dir);
    await assert.rejects(saveToFile(path, config), { code: 'EPERM', syscall: 'rename' });
    assert.equal(await readFile(path, 'utf8'), 'LogLevel info\n');
    // The cleanup really failed: its temporary file is still there, as documented.
    const left = (await readdir(dir)).filter((n) => n !== 'torrc');
    assert.equal(left.length, 1);
    assert.match(left[0] ?? '', /^\.torrc\.[0-9a-f]{12}\.tmp$/);
  });
});
