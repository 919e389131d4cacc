import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultFilePolicy, resolveFilePolicy } from '../../lib/sources/file-policy.js';
import {
  type FileProblem,
  type FileProblemKind,
  type FileState,
  insecureDirectory,
  insecurity,
  isGone,
  isInside,
  problemFromError,
  sizeProblem,
  statFile,
} from '../../lib/sources/file-state.js';
import { fingerprintOf, sameFingerprint } from '../../lib/sources/fingerprint.js';
import { type FsPort, nodeFs } from '../../lib/sources/fs-port.js';

const errno = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: simulated`), { code });

function problemOf(state: FileState): FileProblem {
  assert.equal(state.kind, 'problem', `expected a problem, got ${JSON.stringify(state, bigints)}`);
  return (state as Extract<FileState, { kind: 'problem' }>).problem;
}

function present(state: FileState): Extract<FileState, { kind: 'present' }> {
  assert.equal(state.kind, 'present', `expected present, got ${JSON.stringify(state, bigints)}`);
  return state as Extract<FileState, { kind: 'present' }>;
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/** The kubelet's ConfigMap layout: dir/torrc -> ..data/torrc, dir/..data -> ..<version>. */
async function configMap(dir: string, version: string, content: string): Promise<void> {
  await mkdir(join(dir, version));
  await writeFile(join(dir, version, 'torrc'), content);
  await symlink(version, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
}

describe('sources/file-state', () => {
  let dir: string;
  let torrc: string;
  beforeEach(async () => {
    // realpath: tmpdir() may itself sit behind a symlink (macOS).
    dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-file-state-')));
    torrc = join(dir, 'torrc');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('statFile on a usable file', () => {
    it('is present with the real path and the fingerprint of a fresh stat', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      const state = present(await statFile(torrc, defaultFilePolicy));
      assert.equal(state.path, torrc);
      assert.equal(state.realPath, torrc);
      assert.deepEqual(state.fingerprint, fingerprintOf(await stat(torrc, { bigint: true })));
      assert.ok(Object.isFrozen(state));
    });

    it('resolves a relative path against the working directory', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      const previous = process.cwd();
      process.chdir(dir);
      try {
        assert.equal(present(await statFile('torrc', defaultFilePolicy)).path, torrc);
        assert.equal(present(await statFile('./torrc', defaultFilePolicy)).realPath, torrc);
      } finally {
        process.chdir(previous);
      }
    });

    it('sees a rename-save: same path, new fingerprint', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      const before = present(await statFile(torrc, defaultFilePolicy));
      await writeFile(`${torrc}.tmp`, 'SocksPort 9150\n');
      await rename(`${torrc}.tmp`, torrc);
      const after = present(await statFile(torrc, defaultFilePolicy));
      assert.notEqual(after.fingerprint.ino, before.fingerprint.ino);
    });

    it('follows a ConfigMap ..data swap: new real path, new fingerprint', async () => {
      await configMap(dir, '..2026_01_01', 'SocksPort 9050\n');
      await symlink(join('..data', 'torrc'), torrc);
      const before = present(await statFile(torrc, defaultFilePolicy));
      assert.equal(before.path, torrc);
      assert.equal(before.realPath, join(dir, '..2026_01_01', 'torrc'));

      await configMap(dir, '..2026_01_02', 'SocksPort 9150\n');
      await rm(join(dir, '..2026_01_01'), { recursive: true });
      const after = present(await statFile(torrc, defaultFilePolicy));
      assert.equal(after.realPath, join(dir, '..2026_01_02', 'torrc'));
      assert.equal(sameFingerprint(after.fingerprint, before.fingerprint), false);
      assert.deepEqual(
        after.fingerprint,
        fingerprintOf(await stat(join(dir, '..2026_01_02', 'torrc'), { bigint: true })),
      );
    });

    it('pairs the real path with the fingerprint even when the swap lands between its calls', async () => {
      await configMap(dir, '..v1', 'SocksPort 9050\n');
      await symlink(join('..data', 'torrc'), torrc);
      let swapped = false;
      // A real swap, forced to happen right after the first stat of the path.
      const racing: FsPort = {
        ...nodeFs,
        async realpath(path) {
          if (!swapped) {
            swapped = true;
            await configMap(dir, '..v2', 'SocksPort 9150\n');
            await rm(join(dir, '..v1'), { recursive: true });
          }
          return nodeFs.realpath(path);
        },
      };
      const state = present(await statFile(torrc, defaultFilePolicy, racing));
      assert.equal(state.realPath, join(dir, '..v2', 'torrc'));
      assert.deepEqual(
        state.fingerprint,
        fingerprintOf(await stat(join(dir, '..v2', 'torrc'), { bigint: true })),
      );
    });

    it('gives up with io EAGAIN when the symlinks never hold still', async () => {
      await configMap(dir, '..v0', 'SocksPort 9050\n');
      await symlink(join('..data', 'torrc'), torrc);
      let version = 0;
      const restless: FsPort = {
        ...nodeFs,
        async realpath(path) {
          if (path === torrc) {
            version += 1;
            await configMap(dir, `..v${version}`, 'SocksPort 9050\n');
          }
          return nodeFs.realpath(path);
        },
      };
      const problem = problemOf(await statFile(torrc, defaultFilePolicy, restless));
      assert.equal(problem.kind, 'io');
      assert.equal(problem.code, 'EAGAIN');
      assert.equal(version, 3);
    });
  });

  describe('statFile problems', () => {
    const expectKind = async (
      path: string,
      kind: FileProblemKind,
      policy = defaultFilePolicy,
      fs: FsPort = nodeFs,
    ): Promise<FileProblem> => {
      const problem = problemOf(await statFile(path, policy, fs));
      assert.equal(problem.kind, kind, problem.message);
      assert.ok(Object.isFrozen(problem));
      return problem;
    };

    it('missing: no such file (ENOENT)', async () => {
      const problem = await expectKind(torrc, 'missing');
      assert.equal(problem.code, 'ENOENT');
      assert.equal(problem.path, torrc);
      assert.equal(problem.message, `${torrc}: no such file (ENOENT)`);
    });

    it('missing: a path under a file (ENOTDIR)', async () => {
      await writeFile(join(dir, 'file'), 'x');
      assert.equal((await expectKind(join(dir, 'file', 'x'), 'missing')).code, 'ENOTDIR');
    });

    it('missing: a dangling symlink, and a file deleted after a good look', async () => {
      await symlink('nowhere', torrc);
      await expectKind(torrc, 'missing');
      await unlink(torrc);
      await writeFile(torrc, 'SocksPort 9050\n');
      present(await statFile(torrc, defaultFilePolicy));
      await unlink(torrc);
      await expectKind(torrc, 'missing');
    });

    it('denied: EACCES and EPERM', async () => {
      // These specs run as root, for whom chmod 000 denies nothing: the errno mapping is checked
      // through a port whose stat fails the way a real one would for another user.
      for (const code of ['EACCES', 'EPERM']) {
        const denying: FsPort = {
          ...nodeFs,
          stat: () => Promise.reject(errno(code)),
        };
        const problem = await expectKind(torrc, 'denied', defaultFilePolicy, denying);
        assert.equal(problem.code, code);
        assert.equal(problem.message, `${torrc}: permission denied (${code})`);
      }
    });

    it('not-file: a directory, a FIFO, a device', async () => {
      await mkdir(torrc);
      assert.match((await expectKind(torrc, 'not-file')).message, /a directory/);
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      assert.match((await expectKind(join(dir, 'fifo'), 'not-file')).message, /a FIFO/);
      assert.match((await expectKind('/dev/null', 'not-file')).message, /a device/);
    });

    it('too-large: over maxBytes, while exactly maxBytes is fine', async () => {
      const policy = resolveFilePolicy({ maxBytes: 10 });
      await writeFile(torrc, '0123456789');
      present(await statFile(torrc, policy));
      await writeFile(torrc, '0123456789A');
      assert.equal(
        (await expectKind(torrc, 'too-large', policy)).message,
        `refusing ${torrc}: 11 bytes is over the limit of 10`,
      );
    });

    it('empty: what a truncate-then-write leaves half-way', async () => {
      await writeFile(torrc, '');
      await expectKind(torrc, 'empty');
    });

    it('insecure: a world-writable file, with its octal mode', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      await chmod(torrc, 0o666);
      assert.equal(
        (await expectKind(torrc, 'insecure')).message,
        `refusing ${torrc}: mode 0666 is world-writable`,
      );
      present(await statFile(torrc, resolveFilePolicy({ allowInsecureMode: true })));
      await chmod(torrc, 0o664);
      present(await statFile(torrc, defaultFilePolicy));
    });

    it('insecure: a world-writable directory without the sticky bit', async () => {
      const shared = join(dir, 'shared');
      await mkdir(shared);
      await writeFile(join(shared, 'torrc'), 'SocksPort 9050\n');
      await chmod(shared, 0o777);
      assert.equal(
        (await expectKind(join(shared, 'torrc'), 'insecure')).message,
        `refusing ${join(shared, 'torrc')}: directory ${shared} mode 0777 is world-writable without the sticky bit`,
      );
      present(
        await statFile(join(shared, 'torrc'), resolveFilePolicy({ allowInsecureMode: true })),
      );
      await chmod(shared, 0o1777); // like /tmp: others cannot replace our file
      present(await statFile(join(shared, 'torrc'), defaultFilePolicy));
    });

    it('insecure: a symlink in a world-writable directory, pointing to a safe file', async () => {
      const safe = join(dir, 'safe');
      const shared = join(dir, 'shared');
      await mkdir(safe);
      await mkdir(shared);
      await writeFile(join(safe, 'torrc'), 'SocksPort 9050\n');
      await symlink(join(safe, 'torrc'), join(shared, 'torrc'));
      present(await statFile(join(shared, 'torrc'), defaultFilePolicy));
      await chmod(shared, 0o777);
      const problem = await expectKind(join(shared, 'torrc'), 'insecure');
      assert.equal(
        problem.message,
        `refusing ${join(shared, 'torrc')} (${join(safe, 'torrc')}): directory ${shared} mode 0777 is world-writable without the sticky bit`,
      );
    });

    it('outside-root: a symlink out of the root; inside is fine', async () => {
      const root = join(dir, 'etc-tor');
      await mkdir(root);
      await writeFile(join(dir, 'secret'), 'HashedControlPassword 16:abc\n');
      await writeFile(join(root, 'torrc'), 'SocksPort 9050\n');
      const policy = resolveFilePolicy({ root });
      present(await statFile(join(root, 'torrc'), policy));
      await symlink(join(dir, 'secret'), join(root, 'escape'));
      assert.equal(
        (await expectKind(join(root, 'escape'), 'outside-root', policy)).message,
        `refusing ${join(root, 'escape')}: its real path ${join(dir, 'secret')} is outside the root ${root}`,
      );
      await expectKind(join(dir, 'secret'), 'outside-root', policy);
    });

    it('outside-root: a sibling that only shares the prefix of the root', async () => {
      await mkdir(join(dir, 'tor'));
      await mkdir(join(dir, 'tor-evil'));
      await writeFile(join(dir, 'tor-evil', 'torrc'), 'SocksPort 9050\n');
      await expectKind(
        join(dir, 'tor-evil', 'torrc'),
        'outside-root',
        resolveFilePolicy({ root: join(dir, 'tor') }),
      );
    });

    it('outside-root: the root itself behind a symlink still contains its files', async () => {
      await mkdir(join(dir, 'real-root'));
      await writeFile(join(dir, 'real-root', 'torrc'), 'SocksPort 9050\n');
      await symlink('real-root', join(dir, 'root-link'));
      const policy = resolveFilePolicy({ root: join(dir, 'root-link') });
      present(await statFile(join(dir, 'root-link', 'torrc'), policy));
      present(await statFile(join(dir, 'real-root', 'torrc'), policy));
    });

    it('outside-root: a root that does not exist', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      const problem = await expectKind(
        torrc,
        'outside-root',
        resolveFilePolicy({ root: join(dir, 'gone') }),
      );
      assert.equal(problem.code, 'ENOENT');
    });

    it('io: a symlink loop keeps its errno code', async () => {
      await symlink('b', join(dir, 'a'));
      await symlink('a', join(dir, 'b'));
      assert.equal((await expectKind(join(dir, 'a'), 'io')).code, 'ELOOP');
    });

    it('io: any other errno, and errors that are not even Errors, never reject', async () => {
      const broken = (thrown: unknown): FsPort => ({
        ...nodeFs,
        stat: () => Promise.reject(thrown),
      });
      const eio = await expectKind(torrc, 'io', defaultFilePolicy, broken(errno('EIO')));
      assert.equal(eio.code, 'EIO');
      assert.equal(eio.message, `${torrc}: EIO: simulated`);
      const odd = await expectKind(torrc, 'io', defaultFilePolicy, broken('a string'));
      assert.equal(odd.code, undefined);
      assert.equal('code' in odd, false);
      assert.equal(odd.message, `${torrc}: a string`);
    });

    it('path: an empty path or a relative one with ..', async () => {
      await expectKind('', 'path');
      assert.equal((await expectKind('../torrc', 'path')).path, '../torrc');
    });
  });

  describe('insecurity, insecureDirectory, isInside (shared with %include expansion)', () => {
    it('insecurity: the same refusals statFile gives, on stats already taken', async () => {
      await writeFile(torrc, 'SocksPort 9050\n');
      assert.equal(await insecurity(torrc, torrc, await nodeFs.stat(torrc), nodeFs), undefined);
      await chmod(torrc, 0o666);
      const open = await insecurity(torrc, torrc, await nodeFs.stat(torrc), nodeFs);
      assert.deepEqual(open, {
        kind: 'insecure',
        path: torrc,
        message: `refusing ${torrc}: mode 0666 is world-writable`,
      });
      assert.equal(open?.message, problemOf(await statFile(torrc, defaultFilePolicy)).message);
    });

    it('insecureDirectory: world-writable without the sticky bit only, shown as asked', async () => {
      const shared = join(dir, 'shared');
      await mkdir(shared);
      assert.equal(await insecureDirectory(shared, shared, nodeFs), undefined);
      await chmod(shared, 0o777);
      assert.deepEqual(await insecureDirectory(shared, shared, nodeFs), {
        kind: 'insecure',
        path: shared,
        message: `refusing ${shared}: directory ${shared} mode 0777 is world-writable without the sticky bit`,
      });
      assert.match(
        (await insecureDirectory(torrc, shared, nodeFs, 'the file'))?.message ?? '',
        /^refusing the file: directory /,
      );
      await chmod(shared, 0o1777);
      assert.equal(await insecureDirectory(shared, shared, nodeFs), undefined);
      await chmod(shared, 0o775);
      assert.equal(await insecureDirectory(shared, shared, nodeFs), undefined);
    });

    it('isInside: the root itself and below it, never a sibling sharing the prefix', () => {
      assert.equal(isInside('/etc/tor', '/etc/tor'), true);
      assert.equal(isInside('/etc/tor', '/etc/tor/torrc.d/a.conf'), true);
      assert.equal(isInside('/etc/tor', '/etc/tor-evil/a.conf'), false);
      assert.equal(isInside('/etc/tor', '/etc'), false);
      assert.equal(isInside('/etc/tor', '/etc/tor/../passwd'), false);
      assert.equal(isInside('/', '/etc/tor/torrc'), true);
    });
  });

  describe('problemFromError, isGone, sizeProblem', () => {
    it('map errno codes to kinds', () => {
      const cases: ReadonlyArray<readonly [string, FileProblemKind]> = [
        ['ENOENT', 'missing'],
        ['ENOTDIR', 'missing'],
        ['EACCES', 'denied'],
        ['EPERM', 'denied'],
        ['EISDIR', 'not-file'],
        ['EFTYPE', 'not-file'],
        ['ENXIO', 'not-file'],
        ['EIO', 'io'],
        ['EMFILE', 'io'],
      ];
      for (const [code, kind] of cases) {
        const p = problemFromError('/etc/tor/torrc', errno(code));
        assert.deepEqual([p.kind, p.code, p.path], [kind, code, '/etc/tor/torrc']);
      }
      assert.equal(isGone(errno('ENOENT')), true);
      assert.equal(isGone(errno('ENOTDIR')), true);
      assert.equal(isGone(errno('EACCES')), false);
      assert.equal(isGone(null), false);
    });

    it('turn an AbortError into io "aborted"', () => {
      const p = problemFromError('/x', AbortSignal.abort().reason);
      assert.deepEqual(p, { kind: 'io', path: '/x', message: 'aborted', code: 'ABORT_ERR' });
    });

    it('size: too large, empty, or fine', () => {
      assert.equal(sizeProblem('/x', 11n, 10)?.kind, 'too-large');
      assert.equal(sizeProblem('/x', 0n, 10)?.kind, 'empty');
      assert.equal(sizeProblem('/x', 10n, 10), undefined);
    });
  });

  it('statFile resolves a relative path the same way checkConfigPath does', async () => {
    const problem = problemOf(await statFile('no-such-torrc-here', defaultFilePolicy));
    assert.equal(problem.path, resolve('no-such-torrc-here'));
  });
});
