import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import type { SourceState } from '../../lib/pipeline/types.js';
import { defaultFilePolicy } from '../../lib/sources/file-policy.js';
import { type FileSource, fileSource } from '../../lib/sources/file-source.js';

// A quiet period far longer than any test step, so "waits" never turns into "done waiting"
// while a test runs.
const QUIET = 60_000;

describe('sources/file-source', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-file-source-'));
    path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sourceAt = (p: string, now: () => number = Date.now): FileSource =>
    fileSource(p, { policy: defaultFilePolicy, now, writeQuietMs: QUIET });

  const look = (source: FileSource): Promise<SourceState> => firstValueFrom(source.look());

  const waitOf = async (source: FileSource): Promise<number> => {
    const state = await look(source);
    assert.equal(state.kind, 'snapshot', JSON.stringify(state));
    return state.kind === 'snapshot' ? (state.waitMs ?? Number.NaN) : Number.NaN;
  };

  // Decodes the current file, as the pipeline does, so the source tracks its includes.
  const load = async (source: FileSource): Promise<void> => {
    const state = await look(source);
    assert.ok(state.kind === 'snapshot');
    const read = await firstValueFrom(state.read());
    assert.ok(read.kind === 'read');
    const decoded = await firstValueFrom(source.decode(read.bytes, new AbortController().signal));
    assert.ok(decoded._tag === 'Right', JSON.stringify(decoded));
  };

  describe('waitMs: how long a snapshot must hold still before it is read', () => {
    it('is 0 for a rename-save (another inode than the last look saw)', async () => {
      const source = sourceAt(path);
      await look(source);
      await writeFile(`${path}.tmp`, 'LogLevel debug\n');
      await rename(`${path}.tmp`, path);
      assert.equal(await waitOf(source), 0);
      // Still whole at the next look, as long as it has not changed.
      assert.equal(await waitOf(source), 0);
    });

    it('is 0 for a ConfigMap ..data symlink swap', async () => {
      const mount = join(dir, 'configmap');
      await mkdir(join(mount, '..1'), { recursive: true });
      await writeFile(join(mount, '..1', 'torrc'), 'LogLevel info\n');
      await symlink('..1', join(mount, '..data'));
      await symlink('..data/torrc', join(mount, 'torrc'));
      const source = sourceAt(join(mount, 'torrc'));
      await look(source);
      await mkdir(join(mount, '..2'));
      await writeFile(join(mount, '..2', 'torrc'), 'LogLevel warn\n');
      await symlink('..2', join(mount, '..data_tmp'));
      await rename(join(mount, '..data_tmp'), join(mount, '..data'));
      assert.equal(await waitOf(source), 0);
    });

    it('is the rest of the quiet period for a file just changed in place', async () => {
      const source = sourceAt(path);
      await look(source);
      const handle = await open(path, 'w');
      await handle.write('LogLevel debug\n');
      await handle.close();
      const wait = await waitOf(source);
      assert.ok(wait > 0 && wait <= QUIET, String(wait));
    });

    it('is 0 for an in-place change noticed after its quiet period', async () => {
      // A clock more than a quiet period ahead: the change looks as old as it would to a slow
      // poll. (Date.now() floors to the ms; a ctime in the same ms is after it.)
      const source = sourceAt(path, () => Date.now() + QUIET + 1000);
      await look(source);
      await writeFile(path, 'LogLevel debug\n');
      assert.equal(await waitOf(source), 0);
    });

    it('waits for a file that arrived whole and was then changed in place', async () => {
      const source = sourceAt(path);
      await look(source);
      await writeFile(`${path}.tmp`, 'LogLevel debug\n');
      await rename(`${path}.tmp`, path);
      assert.equal(await waitOf(source), 0);
      await writeFile(path, 'LogLevel warn\n', { flag: 'a' });
      assert.ok((await waitOf(source)) > 0);
    });

    it('judges a file that appears after a missing state as written in place', async () => {
      const source = sourceAt(path);
      await look(source);
      await unlink(path);
      assert.equal((await look(source)).kind, 'problem');
      await writeFile(path, 'LogLevel debug\n');
      assert.ok((await waitOf(source)) > 0);
    });

    it('waits for an included file written in place moments ago, though the main file arrived whole', async () => {
      const include = join(dir, 'pools.conf');
      const source = sourceAt(path);
      await look(source);
      await writeFile(include, 'CircuitPoolMaxSize 20\n');
      await writeFile(`${path}.tmp`, `%include ${include}\n`);
      await rename(`${path}.tmp`, path);
      // The main file alone: whole, read at once. Loading it makes the source track the include.
      assert.equal(await waitOf(source), 0);
      await load(source);
      const wait = await waitOf(source);
      assert.ok(wait > 0 && wait <= QUIET, String(wait));
    });
  });
});
