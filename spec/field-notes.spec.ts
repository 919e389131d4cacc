// FIELD-NOTES.md, row by row, against the real file system: real files in a temp directory,
// real timers (a short interval), and the real file source. Each test waits for what it expects
// (with a generous timeout) rather than sleeping a fixed time, and uses `await rc.reload()` as a
// barrier: it answers only after every earlier attempt has ended.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  mkdir,
  mkdtemp,
  open,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { logMessages } from '../lib/engine/log.js';
import { type ReloadOptions, reloadDefaults } from '../lib/engine/reload-options.js';
import { ReloadError } from '../lib/engine/reloadable-config.js';
import type { ConfigChange, Rejection } from '../lib/engine/types.js';
import { ReloadableConfig } from '../lib/reloadable-config.js';
import { type FsPort, nodeFs } from '../lib/sources/fs-port.js';
import { loadFromFile } from '../lib/tor/config-file.js';
import { defaultConfig, type TorConfig } from '../lib/tor/schema/tor-config.js';
import { type LogSink, logSink } from './support/log-sink.js';
import { eventually, sleep, until } from './support/waiting.js';

const run = promisify(execFile);

describe('FIELD-NOTES on a real file system', function () {
  this.timeout(20_000);
  let dir: string;
  let path: string;
  let rc: ReloadableConfig | undefined;
  let log: LogSink;
  let changes: ConfigChange<TorConfig>[];
  let rejections: Rejection[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-field-'));
    path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
  });

  afterEach(async () => {
    await rc?.stop();
    rc = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function watch(
    options: Partial<ReloadOptions<TorConfig>> = {},
    initial?: TorConfig,
  ): Promise<ReloadableConfig> {
    log = logSink();
    // A short quiet period keeps rows that are not about half-written files quick; the tests
    // that are pass the default.
    const r = new ReloadableConfig(initial ?? (await loadFromFile(path)), path, log.logger, {
      settleMs: 30,
      writeQuietMs: 100,
      ...options,
    });
    rc = r;
    changes = [];
    rejections = [];
    r.changes$.subscribe((c) => changes.push(c));
    r.rejections$.subscribe((x) => rejections.push(x));
    r.startWatcher(20);
    return r;
  }

  const level = (r: ReloadableConfig, want: string) =>
    until(r.config$, (c) => c.LogLevel === want, `LogLevel ${want}`);

  it('row 1: one save that fires many events applies once; equal content applies nothing', async () => {
    const r = await watch();
    await writeFile(path, 'LogLevel debug\n');
    await writeFile(path, 'LogLevel debug\n');
    await level(r, 'debug');
    const now = new Date();
    await utimes(path, now, now);
    await r.reload();
    assert.equal(changes.length, 1);
  });

  it('row 2: rename-saves (a temp file renamed over it, sed -i) are seen every time; no handle is held', async () => {
    const r = await watch();
    await writeFile(`${path}.swp`, 'LogLevel debug\n');
    await rename(`${path}.swp`, path);
    await level(r, 'debug');
    await run('sed', ['-i', 's/debug/warn/', path]);
    await level(r, 'warn');
    await writeFile(`${path}.new`, 'LogLevel error\n');
    await rename(`${path}.new`, path);
    await level(r, 'error');
    assert.equal(changes.length, 3);
  });

  it('row 3: a Kubernetes ConfigMap ..data symlink swap is followed', async () => {
    const mount = join(dir, 'configmap');
    await mkdir(join(mount, '..2026_11_25_1'), { recursive: true });
    await writeFile(join(mount, '..2026_11_25_1', 'torrc'), 'LogLevel info\n');
    await symlink('..2026_11_25_1', join(mount, '..data'));
    await symlink('..data/torrc', join(mount, 'torrc'));
    path = join(mount, 'torrc');
    const r = await watch();
    for (const [n, lvl] of [
      [2, 'debug'],
      [3, 'warn'],
    ] as const) {
      // kubelet: write a new timestamped dir, point a temp link at it, rename it over ..data.
      const next = `..2026_11_25_${n}`;
      await mkdir(join(mount, next));
      await writeFile(join(mount, next, 'torrc'), `LogLevel ${lvl}\n`);
      await symlink(next, join(mount, '..data_tmp'));
      await rename(join(mount, '..data_tmp'), join(mount, '..data'));
      await rm(join(mount, `..2026_11_25_${n - 1}`), { recursive: true });
      await level(r, lvl);
    }
    assert.equal(changes.length, 2);
  });

  it('row 4: a write caught half-way is never applied; the finished file is', async () => {
    const r = await watch({ settleMs: 60 });
    const handle = await open(path, 'w');
    await handle.write('CircuitPoolMinSize 4\n');
    await sleep(10);
    await handle.write('CircuitPoolMaxSize 8\nLogLevel debug\n');
    await handle.close();
    await level(r, 'debug');
    await r.reload();
    assert.deepEqual(
      changes.map((c) => c.changes.map((x) => x.field)),
      [['LogLevel', 'CircuitPoolMinSize', 'CircuitPoolMaxSize']],
    );
    assert.deepEqual(rejections, []);
  });

  it('row 4: a writer that pauses mid-line for less than writeQuietMs is not applied half-way', async () => {
    const r = await watch({ settleMs: 20, writeQuietMs: reloadDefaults.writeQuietMs });
    const seen: TorConfig[] = [];
    r.config$.subscribe((c) => seen.push(c));
    const handle = await open(path, 'w');
    // The cut leaves a valid-looking file: an unknown key 'CircuitPool' is only a warning.
    await handle.write('LogLevel debug\nCircuitPool');
    await sleep(300);
    await handle.write('MaxSize 30\nLogLevel warn\n');
    await handle.close();
    await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
    assert.ok(
      seen.every((c) => c.LogLevel !== 'debug'),
      'the half file was applied',
    );
  });

  it('a complete file without a final newline is applied after the quiet period, never first rejected as unstable', async () => {
    // settleMs 10 once made this save "keep changing for 40 settle rounds" before it applied.
    const r = await watch({ settleMs: 10, writeQuietMs: reloadDefaults.writeQuietMs });
    await writeFile(path, 'LogLevel warn');
    await level(r, 'warn');
    await r.reload();
    assert.deepEqual(rejections, []);
    assert.equal(changes.length, 1);
  });

  describe('row 4: half-written files, at the default writeQuietMs', () => {
    const quiet = { writeQuietMs: reloadDefaults.writeQuietMs };
    // The first chunk alone is a valid file: were it applied, CircuitPoolMaxSize would fall back
    // to its default (10) while LogLevel is already debug.
    const firstChunk = 'LogLevel debug\nCircuitPoolMinSize 4\n';
    const rest = 'CircuitPoolMaxSize 30\n';
    const half = (c: TorConfig) => c.LogLevel === 'debug' && c.CircuitPoolMaxSize !== 30;

    // The first look has read the file (and learnt its includes) before a test writes.
    const ready = (r: ReloadableConfig) =>
      until(r.status$, (s) => s.sha256 !== undefined, 'the first read');

    async function slowWriter(pauseMs: number, target = path): Promise<void> {
      const handle = await open(target, 'w');
      await handle.write(firstChunk);
      await sleep(pauseMs);
      await handle.write(rest);
      await handle.close();
    }

    it('an in-place writer pausing 200 ms at a line boundary never gets its half file applied', async () => {
      const r = await watch(quiet);
      await ready(r);
      const seen: TorConfig[] = [];
      r.config$.subscribe((c) => seen.push(c));
      await slowWriter(200);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
      await r.reload();
      assert.ok(!seen.some(half), 'the half file was applied');
      assert.deepEqual(
        changes.map((c) => c.newConfig.CircuitPoolMaxSize),
        [30],
      );
      assert.deepEqual(rejections, []);
    });

    it('with writeQuietMs 0 the same writer does get its half file applied: the quiet period is what keeps it out', async () => {
      const r = await watch({ writeQuietMs: 0 });
      await ready(r);
      const seen: TorConfig[] = [];
      r.config$.subscribe((c) => seen.push(c));
      await slowWriter(200);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
      assert.ok(seen.some(half), 'the half file was not applied');
    });

    it('truncate-then-write with pauses never applies an empty or partial file', async () => {
      await writeFile(path, 'LogLevel warn\nCircuitPoolMaxSize 20\n');
      const r = await watch(quiet);
      await ready(r);
      const seen: TorConfig[] = [];
      r.config$.subscribe((c) => seen.push(c));
      const handle = await open(path, 'w');
      await sleep(150);
      await handle.write(firstChunk);
      await sleep(150);
      await handle.write(rest);
      await handle.close();
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
      assert.deepEqual(
        seen.map((c) => `${c.LogLevel}/${c.CircuitPoolMaxSize}`),
        ['warn/20', 'debug/30'],
      );
      assert.ok(rejections.every((x) => x.cause === 'empty'));
    });

    it('an in-place writer pausing 200 ms in an %included file never gets its half applied', async () => {
      const include = join(dir, 'pools.conf');
      await writeFile(include, 'CircuitPoolMaxSize 20\n');
      await writeFile(path, `%include ${include}\n`);
      const r = await watch(quiet);
      await ready(r);
      // A look after that first load records the include, so its next change is a change.
      await r.reload();
      const seen: TorConfig[] = [];
      r.config$.subscribe((c) => seen.push(c));
      await slowWriter(200, include);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished include');
      assert.ok(!seen.some(half), 'the half include was applied');
    });

    // A quiet period far longer than the test's timeout: a save that waited for it would time
    // out. The watcher's first look must be over before the save: a file it has never seen
    // before has no history, and is judged as written in place. Its second look starts only
    // once the first has ended (polls never overlap), so two stats of the path are the barrier.
    async function endlessQuiet(): Promise<ReloadableConfig> {
      let stats = 0;
      const watched = path;
      const fs: FsPort = {
        ...nodeFs,
        stat: (p) => {
          if (p === watched) stats++;
          return nodeFs.stat(p);
        },
      };
      const r = await watch({ writeQuietMs: 60_000, settleTimeoutMs: 120_000, fs });
      await eventually(() => stats >= 2, 'the first look');
      // A rename-save is read at once on the fast path's word that it was renamed in and not
      // written since: its watch must be open before the save.
      await eventually(() => r.status().fastPath === 'watching', 'the fast path');
      return r;
    }

    it('a rename-save is applied without waiting for the quiet period; the in-place save it replaced never is', async () => {
      const r = await endlessQuiet();
      // In place: waits for a minute of quiet. Renamed over it: read at once.
      await writeFile(path, 'LogLevel warn\n');
      await sleep(50);
      await writeFile(`${path}.tmp`, 'LogLevel error\n');
      await rename(`${path}.tmp`, path);
      await level(r, 'error');
      assert.deepEqual(
        changes.map((c) => c.newConfig.LogLevel),
        ['error'],
      );
      // Again, as sed -i does it.
      await run('sed', ['-i', 's/error/debug/', path]);
      await level(r, 'debug');
    });

    it('a ConfigMap ..data swap is applied once its file has been quiet, and an in-place save into it after the swap never half-way', async () => {
      const mount = join(dir, 'configmap');
      await mkdir(join(mount, '..v1'), { recursive: true });
      await writeFile(join(mount, '..v1', 'torrc'), 'LogLevel info\n');
      await symlink('..v1', join(mount, '..data'));
      await symlink('..data/torrc', join(mount, 'torrc'));
      path = join(mount, 'torrc');
      const r = await watch(quiet);
      await ready(r);
      const seen: TorConfig[] = [];
      r.config$.subscribe((c) => seen.push(c));
      // The swapped-in file was never renamed itself: nothing shows it is done, so it waits.
      await mkdir(join(mount, '..v2'));
      await writeFile(join(mount, '..v2', 'torrc'), 'LogLevel warn\n');
      await symlink('..v2', join(mount, '..data_tmp'));
      await rename(join(mount, '..data_tmp'), join(mount, '..data'));
      await level(r, 'warn');
      await mkdir(join(mount, '..v3'));
      await writeFile(join(mount, '..v3', 'torrc'), 'LogLevel notice\n');
      await symlink('..v3', join(mount, '..data_tmp'));
      await rename(join(mount, '..data_tmp'), join(mount, '..data'));
      await slowWriter(200);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
      assert.ok(!seen.some(half), 'the half file was applied');
    });

    // The new-inode gap: the path gets another inode, and is then written in place before a
    // look has seen that inode. Another inode alone is no proof the file is whole.
    for (const fsWatch of [false, true]) {
      const mode = fsWatch ? 'fast path on' : 'polling only';
      it(`${mode}: an in-place save into a file just renamed into place never gets its half applied`, async () => {
        const r = await watch({ ...quiet, fsWatch });
        await ready(r);
        const seen: TorConfig[] = [];
        r.config$.subscribe((c) => seen.push(c));
        await writeFile(`${path}.tmp`, 'LogLevel warn\nCircuitPoolMaxSize 20\n');
        await rename(`${path}.tmp`, path);
        await slowWriter(200);
        await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
        await r.reload();
        assert.ok(!seen.some(half), 'the half file was applied');
      });

      it(`${mode}: a delete-and-recreate written in two chunks never gets its half applied`, async () => {
        const r = await watch({ ...quiet, fsWatch });
        await ready(r);
        const seen: TorConfig[] = [];
        r.config$.subscribe((c) => seen.push(c));
        await unlink(path);
        await slowWriter(200);
        await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
        await r.reload();
        assert.ok(!seen.some(half), 'the half file was applied');
      });
    }
  });

  it('row 4: the empty file of a truncate-then-write is never applied, however long it stays empty', async () => {
    await writeFile(path, 'LogLevel debug\nCircuitPoolMaxSize 20\n');
    const r = await watch();
    const seen: TorConfig[] = [];
    r.config$.subscribe((c) => seen.push(c));
    const handle = await open(path, 'w');
    await sleep(250);
    await handle.write('LogLevel debug\nCircuitPoolMaxSize 30\n');
    await handle.close();
    await until(r.config$, (c) => c.CircuitPoolMaxSize === 30, 'the finished file');
    assert.ok(
      seen.every((c) => c.LogLevel === 'debug'),
      'an empty file would have reset LogLevel',
    );
    assert.ok(rejections.every((x) => x.cause === 'empty'));
  });

  it('row 5: two saves inside one timestamp tick with equal size are both seen', async () => {
    const r = await watch();
    await writeFile(path, 'LogLevel debug\n');
    await level(r, 'debug');
    const { mtime } = await stat(path);
    await writeFile(path, 'LogLevel error\n');
    // Pin the mtime as a coarse-grained file system would have left it.
    await utimes(path, mtime, mtime);
    await level(r, 'error');
  });

  it('row 6: an mtime moved backwards (rsync --times, a restore) is a change', async () => {
    const r = await watch();
    await writeFile(path, 'LogLevel debug\n');
    const past = new Date(Date.now() - 86_400_000);
    await utimes(path, past, past);
    await level(r, 'debug');
  });

  it('row 7: a deleted file is a state: warned once, polled on, and reloaded when it comes back', async () => {
    const r = await watch();
    await unlink(path);
    await until(r.rejections$, (x) => x.cause === 'missing', 'the missing rejection');
    await sleep(150);
    await writeFile(path, 'LogLevel warn\n');
    await level(r, 'warn');
    assert.equal(log.find(logMessages.disappeared).length, 1);
    assert.equal(log.find(logMessages.recovered).length, 1);
    await assert.doesNotReject(r.reload());
  });

  it('row 8: an invalid file never replaces the last good config', async () => {
    const r = await watch();
    await writeFile(path, 'LogLevel debug\n');
    await level(r, 'debug');
    await writeFile(path, 'LogLevel debug\nCircuitBuildTimeout 10 min\nUseBridges maybe\n');
    const rejected = await until(r.rejections$, () => true, 'a rejection');
    assert.equal(r.get().LogLevel, 'debug');
    assert.deepEqual(
      rejected.problems.map((p) => `${p.file}:${p.line}`),
      [`${path}:2`, `${path}:3`],
    );
  });

  it('row 8: garbage bytes are an invalid file with a line, not a crash', async () => {
    const r = await watch();
    await writeFile(path, Buffer.from([0x4c, 0x6f, 0x67, 0x0a, 0xff, 0xfe, 0x00, 0x01, 0x0a]));
    const rejected = await until(r.rejections$, () => true, 'a rejection');
    assert.equal(rejected.kind, 'invalid');
    assert.equal(rejected.problems[0]?.line, 2);
    assert.equal(r.get().LogLevel, 'info');
  });

  it('row 9: reload errors have a channel: rejections$ and a rejecting reload()', async () => {
    const r = await watch();
    await writeFile(path, 'ConnLimit 0\n');
    const err = await r.reload().catch((e: unknown) => e);
    assert.ok(err instanceof ReloadError);
    assert.equal(err.rejection.kind, 'invalid');
    assert.match(err.message, /ConnLimit must be at least 1/);
  });

  it('row 10: readers only ever see whole, frozen, valid configs', async () => {
    const r = await watch();
    const seen: TorConfig[] = [];
    r.config$.subscribe((c) => seen.push(c));
    for (let i = 1; i <= 5; i++) {
      await writeFile(path, `CircuitPoolMinSize ${i}\nCircuitPoolMaxSize ${i * 2}\n`);
      await until(r.config$, (c) => c.CircuitPoolMinSize === i, `pool ${i}`);
    }
    for (const c of seen) {
      assert.ok(Object.isFrozen(c) && Object.isFrozen(c.OnionServices));
      assert.ok(c.CircuitPoolMaxSize >= c.CircuitPoolMinSize);
    }
  });

  it('row 11: a key deleted from the file returns to its default, and the diff reports it', async () => {
    await writeFile(path, 'LogLevel debug\nMaxCircuitDirtiness 15 minutes\n');
    const r = await watch();
    await writeFile(path, 'LogLevel debug\n');
    await until(r.config$, (c) => c.MaxCircuitDirtiness === 600_000, 'the default back');
    assert.deepEqual(
      changes.at(-1)?.changes.map((c) => c.text),
      ['MaxCircuitDirtiness: 15m0s -> 10m0s'],
    );
  });

  it('rows 12-13: a late veto reverts earlier callbacks; a throwing callback never stops the watcher', async () => {
    const r = await watch();
    const pool: number[] = [];
    r.onReload((o, n) => {
      if (o.CircuitPoolMaxSize !== n.CircuitPoolMaxSize) pool.push(n.CircuitPoolMaxSize);
    });
    r.onReload((_o, n) => {
      if (n.CircuitPoolMaxSize > 100)
        throw new Error('CircuitPoolMaxSize too high for this deployment');
    });
    await writeFile(path, 'CircuitPoolMaxSize 500\n');
    const vetoed = await until(r.rejections$, () => true, 'the veto');
    assert.equal(vetoed.kind, 'vetoed');
    assert.deepEqual(pool, [500, 10]);
    await writeFile(path, 'CircuitPoolMaxSize 50\n');
    await until(r.config$, (c) => c.CircuitPoolMaxSize === 50, 'the next change');
    assert.deepEqual(pool, [500, 10, 50]);
  });

  it('row 14: listeners hear of a change only once get() returns it', async () => {
    const r = await watch();
    const live: boolean[] = [];
    r.changes$.subscribe((c) => live.push(r.get() === c.newConfig));
    await writeFile(path, 'LogLevel warn\n');
    await level(r, 'warn');
    await r.reload();
    assert.deepEqual(live, [true]);
  });

  it('row 15: a save that changes only comments is silent', async () => {
    const r = await watch();
    const text = '# reviewed 2026-11-25\nLogLevel info   # same as before\n';
    await writeFile(path, text);
    const sha = createHash('sha256').update(text).digest('hex');
    await eventually(
      () => log.find(logMessages.attempt).some((l) => l.sha256 === sha),
      'the poll to read it',
    );
    await r.reload();
    assert.deepEqual(changes, []);
    assert.deepEqual(rejections, []);
  });

  it('an edit to an %included file is a change too', async () => {
    await mkdir(join(dir, 'torrc.d'));
    await writeFile(join(dir, 'torrc.d', 'pools.conf'), 'CircuitPoolMaxSize 12\n');
    await writeFile(path, 'LogLevel info\n%include torrc.d\n');
    const r = await watch();
    assert.equal(r.get().CircuitPoolMaxSize, 12);
    await writeFile(join(dir, 'torrc.d', 'pools.conf'), 'CircuitPoolMaxSize 14\n');
    await until(r.config$, (c) => c.CircuitPoolMaxSize === 14, 'the included edit');
    await writeFile(join(dir, 'torrc.d', 'more.conf'), 'CircuitPoolMinSize 3\n');
    await until(
      r.config$,
      (c) => c.CircuitPoolMinSize === 3,
      'a new file in the included directory',
    );
  });

  describe('security', () => {
    it('refuses a world-writable file, naming the mode, and keeps the config', async () => {
      const r = await watch();
      await writeFile(path, 'LogLevel debug\n');
      await chmod(path, 0o666);
      const refused = await until(r.rejections$, () => true, 'the refusal');
      assert.deepEqual([refused.kind, refused.cause], ['security', 'insecure']);
      assert.match(refused.reason, /0666 is world-writable/);
      assert.equal(r.get().LogLevel, 'info');
    });

    it('refuses a file over the size limit without reading it', async () => {
      const r = await watch({ maxBytes: 64 });
      await writeFile(path, `# ${'x'.repeat(100)}\nLogLevel debug\n`);
      const refused = await until(r.rejections$, () => true, 'the refusal');
      assert.deepEqual([refused.kind, refused.cause], ['security', 'too-large']);
    });

    it('confines the real path to a root: a symlink pointing outside is refused', async () => {
      const outside = await mkdtemp(join(tmpdir(), 'hotrc-outside-'));
      try {
        await writeFile(join(outside, 'torrc'), 'LogLevel debug\n');
        const r = await watch({ root: dir });
        await unlink(path);
        await symlink(join(outside, 'torrc'), path);
        const refused = await until(r.rejections$, () => true, 'the refusal');
        assert.deepEqual([refused.kind, refused.cause], ['security', 'outside-root']);
        assert.equal(r.get().LogLevel, 'info');
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('never logs an onion client key', async () => {
      const r = await watch();
      await writeFile(
        path,
        'HiddenServiceDir /var/lib/tor/hs\nHiddenServicePort 80\nHiddenServiceClientAuth alice descriptor:x25519:SUPERSECRETKEYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n',
      );
      await r.reload();
      await writeFile(
        path,
        'HiddenServiceDir /var/lib/tor/hs\nHiddenServicePort 80\nHiddenServiceClientAuth alice descriptor:x25519:OTHERSECRETAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nLogLevel debug\n',
      );
      await r.reload();
      const all = JSON.stringify(log.lines);
      assert.ok(!all.includes('SUPERSECRETKEY') && !all.includes('OTHERSECRET'));
      assert.ok(log.find(logMessages.restartRequired).length > 0);
    });
  });

  it('row 16: stop() tears everything down; a process that stops exits by itself', async () => {
    const script = join(dir, 'stop.mts');
    await writeFile(
      script,
      `import { defaultConfig, ReloadableConfig } from ${JSON.stringify(new URL('../lib/index.ts', import.meta.url).pathname)};
const rc = new ReloadableConfig(defaultConfig(), ${JSON.stringify(path)}, undefined, { reloadOnSignal: 'SIGHUP' });
rc.startWatcher(10);
await rc.reload();
await new Promise((r) => setTimeout(r, 100));
console.log(rc.status().fastPath);
await rc.stop();
console.log('stopped');
`,
    );
    // The child must exit on its own once stop() resolved: a leaked timer, handle or listener
    // would keep it alive until execFile's guard kills it, and the call would reject.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      timeout: 15_000,
    });
    // With the fs.watch fast path on (the default): its watches are handles too.
    assert.equal(stdout, 'watching\nstopped\n');
  });

  describe('with the fs.watch fast path, polling once a minute', () => {
    const minute = 60_000;
    // Every directory the fast path watches, and whether it is still open.
    let watched: Map<string, number>;
    const counting: FsPort = {
      ...nodeFs,
      watch(d, onEvent, onError) {
        const real = nodeFs.watch?.(d, onEvent, onError);
        assert.ok(real !== undefined);
        watched.set(d, (watched.get(d) ?? 0) + 1);
        return {
          close: () => {
            watched.set(d, (watched.get(d) ?? 1) - 1);
            real.close();
          },
        };
      },
    };

    beforeEach(() => {
      watched = new Map();
    });

    async function fast(
      options: Partial<ReloadOptions<TorConfig>> = {},
    ): Promise<ReloadableConfig> {
      const r = await watch({ fs: counting, ...options });
      r.startWatcher(minute);
      await until(r.status$, (s) => s.fastPath === 'watching', 'the watches armed');
      await until(r.status$, (s) => s.sha256 !== undefined, 'the first read');
      return r;
    }

    it('row 2: rename-saves and sed -i are seen as they land; only directories are watched, never the file', async () => {
      const r = await fast();
      await writeFile(`${path}.swp`, 'LogLevel debug\n');
      await rename(`${path}.swp`, path);
      await level(r, 'debug');
      await run('sed', ['-i', 's/debug/warn/', path]);
      await level(r, 'warn');
      assert.deepEqual(
        changes.map((c) => c.trigger),
        ['watch', 'watch'],
      );
      assert.deepEqual([...watched.keys()], [dir]);
    });

    it('row 3: a ConfigMap ..data swap is seen as it lands', async () => {
      const mount = join(dir, 'configmap');
      await mkdir(join(mount, '..1'), { recursive: true });
      await writeFile(join(mount, '..1', 'torrc'), 'LogLevel info\n');
      await symlink('..1', join(mount, '..data'));
      await symlink('..data/torrc', join(mount, 'torrc'));
      path = join(mount, 'torrc');
      const r = await fast();
      await mkdir(join(mount, '..2'));
      await writeFile(join(mount, '..2', 'torrc'), 'LogLevel debug\n');
      await symlink('..2', join(mount, '..data_tmp'));
      await rename(join(mount, '..data_tmp'), join(mount, '..data'));
      await rm(join(mount, '..1'), { recursive: true });
      await level(r, 'debug');
      assert.deepEqual(
        changes.map((c) => c.trigger),
        ['watch'],
      );
      await until(
        r.status$,
        () => (watched.get(join(mount, '..1')) ?? 0) === 0,
        'the old dir let go',
      );
    });

    it('row 7: a file deleted and recreated is reported and reloaded as it happens', async () => {
      const r = await fast();
      await unlink(path);
      await until(r.rejections$, (x) => x.cause === 'missing' && x.trigger === 'watch', 'missing');
      await writeFile(path, 'LogLevel error\n');
      await level(r, 'error');
      assert.equal(log.find(logMessages.disappeared).length, 1);
    });

    it('row 16: stop() closes every watch', async () => {
      const r = await fast();
      assert.ok([...watched.values()].some((n) => n > 0));
      await r.stop();
      assert.ok(
        [...watched.values()].every((n) => n === 0),
        JSON.stringify([...watched]),
      );
    });

    it('row 18: where fs.watch is silent (NFS, FUSE, VM mounts), polling still finds the save', async () => {
      // A watch that opens fine and never fires, as on a network mount changed by another host.
      const silent: FsPort = { ...nodeFs, watch: () => ({ close: () => {} }) };
      const r = await watch({ fs: silent });
      await until(r.status$, (s) => s.fastPath === 'watching', 'the (silent) watches armed');
      await writeFile(`${path}.tmp`, 'LogLevel debug\n');
      await rename(`${path}.tmp`, path);
      await level(r, 'debug');
      assert.deepEqual(
        changes.map((c) => c.trigger),
        ['poll'],
      );
    });
  });

  it('permission denied is an error, logged once, and reload() rejects', async () => {
    // Root reads any file, so EACCES comes from a wrapped FsPort; the file itself is real.
    let denied = false;
    const fs: FsPort = {
      ...nodeFs,
      stat: (p) =>
        denied && p === path
          ? Promise.reject(
              Object.assign(new Error(`EACCES: permission denied, stat '${p}'`), {
                code: 'EACCES',
              }),
            )
          : nodeFs.stat(p),
    };
    const r = await watch({ fs });
    denied = true;
    const refused = await until(r.rejections$, () => true, 'the refusal');
    assert.deepEqual([refused.kind, refused.cause], ['io', 'denied']);
    await sleep(100); // five more polls see the same state: it is not logged again
    assert.equal(log.find(logMessages.unreadable).length, 1);
    await assert.rejects(
      r.reload(),
      (e: unknown) => e instanceof ReloadError && e.rejection.cause === 'denied',
    );
    denied = false;
    await writeFile(path, 'LogLevel warn\n');
    await level(r, 'warn');
  });

  it('a missing file at start is reported, and reload() rejects until it exists', async () => {
    await unlink(path);
    const r = await watch({}, defaultConfig());
    await until(r.rejections$, (x) => x.cause === 'missing', 'missing');
    await assert.rejects(
      r.reload(),
      (e: unknown) => e instanceof ReloadError && e.rejection.cause === 'missing',
    );
    await writeFile(path, 'LogLevel error\n');
    await level(r, 'error');
  });
});
