// The file source on real files in a temp directory: its looks, reads and decodes on their own,
// then the same behaviour through the real ReloadableConfig with real timers (a short interval).
// Tests wait for what they expect rather than sleeping, except where the point is that time
// passes (an %include that appears seconds after the failed load).
import assert from 'node:assert/strict';
import {
  chmod,
  mkdir,
  mkdtemp,
  open,
  realpath,
  rename,
  rm,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler, firstValueFrom, lastValueFrom, type Subscription, toArray } from 'rxjs';
import { invalidRejection, loadRejection } from '../../lib/engine/load-document.js';
import { loadForSource } from '../../lib/engine/load-for-source.js';
import type { ReloadOptions } from '../../lib/engine/reload-options.js';
import type {
  ReadResult,
  Rejection,
  RejectionFields,
  SourceState,
} from '../../lib/engine/types.js';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { defaultFilePolicy, resolveFilePolicy } from '../../lib/sources/file-policy.js';
import { type FileSource, fileSource, rejectionOf } from '../../lib/sources/file-source.js';
import { clockStepMs } from '../../lib/sources/fingerprint.js';
import { type FsPort, nodeFs } from '../../lib/sources/fs-port.js';
import { ConfigError, type Loaded, loadFromFile } from '../../lib/tor/config-file.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { type LogSink, logSink } from '../support/log-sink.js';
import { eventually, sleep, until, WAIT } from '../support/waiting.js';

type Snapshot = Extract<SourceState, { kind: 'snapshot' }>;

function snapshot(state: SourceState): Snapshot {
  if (state.kind !== 'snapshot') assert.fail(`expected a snapshot, got ${state.rejection.reason}`);
  return state;
}

function problem(state: SourceState): RejectionFields {
  if (state.kind !== 'problem') assert.fail(`expected a problem, got version ${state.version}`);
  return state.rejection;
}

async function readAll(s: Snapshot): Promise<ReadResult[]> {
  return lastValueFrom(s.read().pipe(toArray()));
}

// The engine's load for this source (the Tor profile's format, decode and validate), as the
// pipeline runs it after a read: it tells the source what the load depended on.
const loadFor = (source: FileSource) =>
  loadForSource(source, torProfile, {
    policy: source.policy,
    base: defaultConfig(),
    strict: false,
  });

async function decode(
  source: FileSource,
  text: string,
  signal = new AbortController().signal,
): Promise<E.Either<RejectionFields, Loaded>> {
  return firstValueFrom(loadFor(source)(Buffer.from(text), signal));
}

function rejected(r: E.Either<RejectionFields, Loaded>): RejectionFields {
  if (E.isRight(r)) assert.fail(`expected a rejection, got ${JSON.stringify(r.right.config)}`);
  return r.left;
}

function loaded(r: E.Either<RejectionFields, Loaded>): Loaded {
  if (E.isLeft(r)) assert.fail(`expected a config, got ${r.left.kind}: ${r.left.reason}`);
  return r.right;
}

describe('sources/file-source', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    // realpath: tmpdir() may itself sit behind a symlink (macOS).
    dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-file-source-')));
    path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('on its own', () => {
    const policy = resolveFilePolicy();
    const source = (p = path, o: Partial<Parameters<typeof fileSource>[1]> = {}) =>
      fileSource(p, { policy, ...o });
    const look = (s: FileSource) => firstValueFrom(s.look());

    it('looks: a file is a snapshot whose version holds while it does, and moves when it changes', async () => {
      const s = source();
      assert.equal(s.name, path);
      const first = snapshot(await look(s));
      assert.equal(snapshot(await look(s)).version, first.version);
      await writeFile(path, 'LogLevel debug\n# longer\n');
      assert.notEqual(snapshot(await look(s)).version, first.version);
    });

    it('reads the bytes with their sha256', async () => {
      const [result] = await readAll(snapshot(await look(source())));
      assert.equal(result?.kind, 'read');
      if (result?.kind !== 'read') return;
      assert.equal(Buffer.from(result.bytes).toString(), 'LogLevel info\n');
      assert.match(result.sha256, /^[0-9a-f]{64}$/);
    });

    it('reports a missing file as io, a world-writable one as security', async () => {
      const gone = problem(await look(source(join(dir, 'nope'))));
      assert.deepEqual([gone.kind, gone.cause], ['io', 'missing']);
      await chmod(path, 0o666);
      const open = problem(await look(source()));
      assert.deepEqual([open.kind, open.cause, open.path], ['security', 'insecure', path]);
      assert.equal(open.reason, `refusing ${path}: mode 0666 is world-writable`);
    });

    it('decodes text into a config, and bad text into an invalid rejection with FILE:LINE', async () => {
      const s = source();
      assert.equal(loaded(await decode(s, 'LogLevel warn\n')).config.LogLevel, 'warn');
      const bad = rejected(await decode(s, 'LogLevel info\nConnLimit 0\n'));
      assert.deepEqual([bad.kind, bad.cause, bad.path], ['invalid', 'invalid', path]);
      assert.equal(bad.reason, `${path}:2: ConnLimit must be at least 1`);
      const bytes = rejected(
        await firstValueFrom(loadFor(s)(Buffer.from([0xff]), new AbortController().signal)),
      );
      assert.deepEqual(
        [bytes.kind, bytes.reason],
        [
          'invalid',
          `${path}:1: invalid UTF-8 (byte 0xff): Tor would read the raw bytes; hotrc refuses them`,
        ],
      );
    });

    it('says its read verifies the version only while no include is tracked: the read checks the main file alone', async () => {
      const s = source();
      const alone = snapshot(await look(s));
      assert.equal(alone.readVerifies, true);
      // Changed since the look: the read answers moved, which is what readVerifies promises.
      await writeFile(path, 'LogLevel debug\n# longer\n');
      assert.deepEqual(await readAll(alone), [{ kind: 'moved' }]);
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 12\n');
      loaded(await decode(s, `%include ${inc}\n`));
      assert.equal(snapshot(await look(s)).readVerifies, false);
    });

    it('tracks what a load included: an edit to an included file moves the version', async () => {
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 12\n');
      const s = source();
      const before = snapshot(await look(s)).version;
      loaded(await decode(s, `%include ${inc}\n`));
      assert.deepEqual(s.tracked(), [path, inc]);
      // Recorded by the load itself, so the next look is no change.
      assert.equal(snapshot(await look(s)).version, before);
      await writeFile(inc, 'CircuitPoolMaxSize 14\n# edited\n');
      assert.notEqual(snapshot(await look(s)).version, before);
    });

    it('keeps watching a missing %include and its directory after the failed load', async () => {
      const inc = join(dir, 'later', 'extra.conf');
      const s = source();
      const before = snapshot(await look(s)).version;
      const failed = rejected(await decode(s, '%include later/extra.conf\n'));
      assert.equal(failed.kind, 'invalid');
      assert.match(failed.reason, new RegExp(`^${path}:1: %include "later/extra.conf": .*ENOENT`));
      assert.deepEqual(s.tracked(), [path, inc, join(dir, 'later')]);
      assert.equal(snapshot(await look(s)).version, before);
      await mkdir(join(dir, 'later'));
      await writeFile(inc, 'LogLevel warn\n');
      assert.notEqual(snapshot(await look(s)).version, before);
      assert.equal(loaded(await decode(s, '%include later/extra.conf\n')).config.LogLevel, 'warn');
      assert.deepEqual(s.tracked(), [path, inc]);
    });

    it('refuses a world-writable %included file as security, at the %include line', async () => {
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 12\n');
      await chmod(inc, 0o666);
      const s = source();
      const refused = rejected(await decode(s, `LogLevel info\n%include ${inc}\n`));
      assert.deepEqual([refused.kind, refused.cause, refused.path], ['security', 'insecure', path]);
      assert.equal(
        refused.reason,
        `${path}:2: %include "${inc}": refusing ${inc}: mode 0666 is world-writable`,
      );
      assert.deepEqual(
        refused.problems.map((p) => [p.file, p.line]),
        [[path, 2]],
      );
      // The refused file is watched, so making it safe is a change.
      assert.ok(s.tracked().includes(inc));
      const allowed = source(path, { policy: resolveFilePolicy({ allowInsecureMode: true }) });
      assert.equal(
        loaded(await decode(allowed, `%include ${inc}\n`)).config.CircuitPoolMaxSize,
        12,
      );
    });

    it('a superseded decode does not change what is tracked', async () => {
      await writeFile(join(dir, 'a.conf'), 'LogLevel warn\n');
      const s = source();
      const controller = new AbortController();
      const pending = decode(s, '%include a.conf\n', controller.signal);
      controller.abort();
      assert.equal(rejected(await pending).kind, 'invalid');
      assert.deepEqual(s.tracked(), []);
    });
  });

  describe('the fast path it offers', () => {
    const policy = resolveFilePolicy();
    // The real file system, with watches that record where they are and never fire by themselves.
    let open: Map<string, number>;
    const recording: FsPort = {
      ...nodeFs,
      watch(d) {
        open.set(d, (open.get(d) ?? 0) + 1);
        return { close: () => open.set(d, (open.get(d) ?? 1) - 1) };
      },
    };
    const openDirs = () => [...open].filter(([, n]) => n > 0).map(([d]) => d);
    let subscription: Subscription | undefined;

    beforeEach(() => {
      open = new Map();
    });

    afterEach(() => {
      subscription?.unsubscribe();
      subscription = undefined;
    });

    const arm = async (s: FileSource) => {
      const hints: string[] = [];
      subscription = s.changeHints?.(asyncScheduler).subscribe((h) => hints.push(h.kind));
      await eventually(() => hints.includes('armed'));
      return hints;
    };

    const eventually = async (check: () => boolean) => {
      const deadline = Date.now() + WAIT;
      while (!check()) {
        if (Date.now() > deadline) assert.fail('timed out');
        await sleep(2);
      }
    };

    it('plans the file’s directory, then its includes’ once a load has tracked them', async () => {
      const conf = join(dir, 'torrc.d');
      await mkdir(conf);
      await writeFile(join(conf, 'a.conf'), 'LogLevel debug\n');
      const s = fileSource(path, { policy, fs: recording });
      const before = await s.watchPlan();
      assert.deepEqual(
        before.map((d) => [d.path, [...d.entries.keys()], d.anyEntry]),
        [[dir, ['torrc'], false]],
      );
      await arm(s);
      assert.deepEqual(openDirs(), [dir]);
      loaded(await decode(s, `%include ${conf}\n`));
      const after = await s.watchPlan();
      assert.deepEqual(
        after.map((d) => [d.path, [...d.entries.keys()], d.anyEntry]),
        [
          [dir, ['torrc', 'torrc.d'], false],
          [conf, ['a.conf'], true],
        ],
      );
      // The load's track re-armed the watches: the included directory is watched now.
      await eventually(() => openDirs().length === 2);
      assert.deepEqual(openDirs(), [dir, conf]);
    });

    it('re-arms when a look finds the file at another real path (a symlink moved)', async () => {
      const a = join(dir, 'a');
      const b = join(dir, 'b');
      await mkdir(a);
      await mkdir(b);
      await writeFile(join(a, 'torrc'), 'LogLevel info\n');
      await writeFile(join(b, 'torrc'), 'LogLevel debug\n');
      const link = join(dir, 'current');
      await symlink(a, link);
      const s = fileSource(join(link, 'torrc'), { policy, fs: recording });
      await look(s);
      await arm(s);
      assert.deepEqual(openDirs(), [dir, a]);
      await symlink(b, `${link}.new`);
      await rename(`${link}.new`, link);
      // No event came (these watches never fire): the look alone shows the new real path.
      await look(s);
      await eventually(() => openDirs().includes(b));
      assert.deepEqual(openDirs(), [dir, b]);
    });

    it('closes its watches when unsubscribed, and gives no hints over a port that cannot watch', async () => {
      const s = fileSource(path, { policy, fs: recording });
      await arm(s);
      subscription?.unsubscribe();
      assert.deepEqual(openDirs(), []);
      const { watch: _w, ...blind } = nodeFs;
      assert.equal(fileSource(path, { policy, fs: blind }).changeHints, undefined);
      assert.ok(fileSource(path, { policy }).changeHints !== undefined);
    });

    const look = (s: FileSource) => firstValueFrom(s.look());
  });

  describe('rejections', () => {
    it('rejectionOf: policy refusals are security, the rest io', () => {
      const io = rejectionOf({ kind: 'missing', path: '/x', message: '/x: no such file (ENOENT)' });
      assert.deepEqual(io, {
        kind: 'io',
        cause: 'missing',
        reason: '/x: no such file (ENOENT)',
        path: '/x',
        problems: [{ severity: 'error', message: '/x: no such file (ENOENT)', file: '/x' }],
      });
      for (const kind of ['insecure', 'outside-root', 'too-large', 'path'] as const) {
        assert.equal(rejectionOf({ kind, path: '/x', message: 'm' }).kind, 'security');
      }
    });

    it('loadRejection: security with the refusal as cause, invalid otherwise', () => {
      const problems = [{ severity: 'error' as const, message: 'bad', file: '/t', line: 2 }];
      const refused = loadRejection(new ConfigError('/t', problems, { refused: 'outside-root' }));
      assert.deepEqual(refused, {
        kind: 'security',
        cause: 'outside-root',
        reason: '/t:2: bad',
        path: '/t',
        problems,
      });
      assert.deepEqual(
        loadRejection(new ConfigError('/t', problems)),
        invalidRejection('/t', problems),
      );
    });
  });

  describe('through ReloadableConfig', function () {
    this.timeout(20_000);
    let rc: ReloadableConfig | undefined;
    let log: LogSink;
    let rejections: Rejection[];

    afterEach(async () => {
      await rc?.stop();
      rc = undefined;
    });

    async function watch(
      options: Partial<ReloadOptions<TorConfig>> = {},
    ): Promise<ReloadableConfig> {
      log = logSink();
      const r = new ReloadableConfig(
        await loadFromFile(path, undefined, options),
        path,
        log.logger,
        { settleMs: 10, ...options },
      );
      rc = r;
      rejections = [];
      r.rejections$.subscribe((x) => rejections.push(x));
      r.startWatcher(20);
      return r;
    }

    const refusal = (r: ReloadableConfig) => until(r.rejections$, () => true, 'the refusal');

    it('refuses a world-writable %included file, keeps the last good config, applies it once safe', async () => {
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 12\n');
      await writeFile(path, 'LogLevel info\n%include pools.conf\n');
      const r = await watch();
      assert.equal(r.get().CircuitPoolMaxSize, 12);
      const refused = refusal(r);
      await writeFile(inc, 'CircuitPoolMaxSize 20\n');
      await chmod(inc, 0o666);
      const x = await refused;
      assert.deepEqual([x.kind, x.cause], ['security', 'insecure']);
      assert.equal(
        x.reason,
        `${path}:2: %include "pools.conf": refusing ${inc}: mode 0666 is world-writable`,
      );
      assert.equal(r.get().CircuitPoolMaxSize, 12);
      assert.equal(r.status().lastError?.cause, 'insecure');
      await chmod(inc, 0o644);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 20, 'the include once safe');
      assert.equal(r.status().lastError, undefined);
    });

    it('refuses a %included directory world-writable without the sticky bit, accepts it with', async () => {
      const d = join(dir, 'torrc.d');
      await mkdir(d);
      await writeFile(join(d, 'pools.conf'), 'CircuitPoolMaxSize 12\n');
      await writeFile(path, 'LogLevel info\n%include torrc.d\n');
      const r = await watch();
      const refused = refusal(r);
      await chmod(d, 0o777);
      const x = await refused;
      assert.deepEqual([x.kind, x.cause], ['security', 'insecure']);
      assert.equal(
        x.reason,
        `${path}:2: %include "torrc.d": refusing ${d}: directory ${d} mode 0777 is world-writable without the sticky bit`,
      );
      await chmod(d, 0o1777); // like /tmp: others cannot replace our files
      await writeFile(join(d, 'pools.conf'), 'CircuitPoolMaxSize 14\n');
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 14, 'the sticky directory');
      assert.equal(r.status().lastError, undefined);
    });

    it('refuses a file %included from a world-writable directory, naming the directory', async () => {
      const shared = join(dir, 'shared');
      await mkdir(shared);
      await writeFile(join(shared, 'pools.conf'), 'CircuitPoolMaxSize 12\n');
      await writeFile(path, 'LogLevel info\n%include shared/pools.conf\n');
      const r = await watch();
      const refused = refusal(r);
      await chmod(shared, 0o777);
      await writeFile(join(shared, 'pools.conf'), 'CircuitPoolMaxSize 14\n');
      const x = await refused;
      assert.deepEqual([x.kind, x.cause], ['security', 'insecure']);
      assert.match(
        x.reason,
        new RegExp(
          `^${path}:2: .*directory ${shared} mode 0777 is world-writable without the sticky bit$`,
        ),
      );
      assert.equal(r.get().CircuitPoolMaxSize, 12);
      // Fixing the directory alone is noticed: the refusal watches it.
      await chmod(shared, 0o755);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 14, 'the directory once safe');
    });

    it('accepts world-writable includes with allowInsecureMode', async () => {
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 12\n');
      await chmod(inc, 0o666);
      await writeFile(path, 'LogLevel info\n%include pools.conf\n');
      const r = await watch({ allowInsecureMode: true });
      assert.equal(r.get().CircuitPoolMaxSize, 12);
      await writeFile(inc, 'CircuitPoolMaxSize 16\n');
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 16, 'the insecure include');
    });

    it('refuses an %include outside the root as security', async () => {
      const outside = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-outside-')));
      try {
        await writeFile(join(outside, 'secret.conf'), 'CircuitPoolMaxSize 30\n');
        const r = await watch({ root: dir });
        const refused = refusal(r);
        await symlink(join(outside, 'secret.conf'), join(dir, 'secret.conf'));
        await writeFile(path, 'LogLevel info\n%include secret.conf\n');
        const x = await refused;
        assert.deepEqual([x.kind, x.cause], ['security', 'outside-root']);
        assert.match(x.reason, new RegExp(`^${path}:2: .*secret\\.conf, outside the root ${dir}$`));
        assert.equal(r.get().CircuitPoolMaxSize, defaultConfig().CircuitPoolMaxSize);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('refuses an %include over maxBytes as security', async () => {
      await writeFile(join(dir, 'big.conf'), `# ${'x'.repeat(200)}\nCircuitPoolMaxSize 30\n`);
      const r = await watch({ maxBytes: 100 });
      const refused = refusal(r);
      await writeFile(path, 'LogLevel info\n%include big.conf\n');
      const x = await refused;
      assert.deepEqual([x.kind, x.cause], ['security', 'too-large']);
      const big = join(dir, 'big.conf');
      assert.equal(
        x.reason,
        `${path}:2: %include "big.conf": ${big}: 225 bytes, over the limit of 100 bytes per file`,
      );
      assert.equal(r.get().CircuitPoolMaxSize, defaultConfig().CircuitPoolMaxSize);
    });

    it('loads a missing %include that appears 3 s after the failed load, and clears lastError', async function () {
      this.timeout(10_000);
      const r = await watch();
      const failed = refusal(r);
      await writeFile(path, 'LogLevel info\n%include extra.conf\n');
      const x = await failed;
      assert.deepEqual([x.kind, x.path], ['invalid', path]);
      assert.match(x.reason, /extra\.conf.*ENOENT/);
      assert.equal(r.status().lastError?.reason, x.reason);
      // Past the racy window (2 s), so only watching the include itself can notice it.
      await sleep(3000);
      assert.equal(r.get().CircuitPoolMaxSize, defaultConfig().CircuitPoolMaxSize);
      await writeFile(join(dir, 'extra.conf'), 'CircuitPoolMaxSize 25\n');
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 25, 'the include that appeared');
      assert.equal(r.status().lastError, undefined);
      // The save, and maybe its racy re-read: every rejected attempt is heard, all of this one.
      assert.ok(rejections.length >= 1);
      assert.ok(rejections.every((y) => y.reason === x.reason));
    });

    it('keeps watching an included file whose mtime is kept (rsync --times): any difference is a change', async () => {
      const inc = join(dir, 'pools.conf');
      await writeFile(inc, 'CircuitPoolMaxSize 12\n');
      await writeFile(path, 'LogLevel info\n%include pools.conf\n');
      const r = await watch();
      const old = new Date(Date.now() - 60_000);
      await writeFile(inc, 'CircuitPoolMaxSize 13\n');
      await utimes(inc, old, old);
      await until(r.config$, (c) => c.CircuitPoolMaxSize === 13, 'the edit with an old mtime');
    });
  });
});

// A quiet period far longer than any test step, so "waits" never turns into "done waiting"
// while a test runs.
const QUIET = 60_000;

describe('sources/file-source: how long a snapshot waits', () => {
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
    const decoded = await firstValueFrom(loadFor(source)(read.bytes, new AbortController().signal));
    assert.ok(decoded._tag === 'Right', JSON.stringify(decoded));
  };

  describe('waitMs: how long a snapshot must hold still before it is read', () => {
    // Longer than a tick of any file clock, so a rename after it leaves ctime after mtime.
    const nextTick = () => sleep(25);

    it('is 0 for a rename-save the fast path saw renamed in, however soon after its last write', async () => {
      const source = sourceAt(path);
      await look(source);
      const hints: string[] = [];
      const watching = source.changeHints?.(asyncScheduler).subscribe((h) => hints.push(h.kind));
      try {
        await eventually(() => hints.includes('armed'), 'the watches armed');
        const before = hints.length;
        await writeFile(`${path}.tmp`, 'LogLevel debug\n');
        await rename(`${path}.tmp`, path);
        await eventually(() => hints.slice(before).includes('changed'), 'the rename hint');
        assert.equal(await waitOf(source), 0);
        // Still whole at the next look, as long as it has not changed.
        assert.equal(await waitOf(source), 0);
      } finally {
        watching?.unsubscribe();
      }
    });

    it('without the fast path, is 0 for a rename-save renamed a tick after its last write (ctime after mtime)', async () => {
      const source = sourceAt(path);
      await look(source);
      await writeFile(`${path}.tmp`, 'LogLevel debug\n');
      await nextTick();
      await rename(`${path}.tmp`, path);
      assert.equal(await waitOf(source), 0);
    });

    it('is the rest of the quiet period for a file renamed in and then written in place before a look saw it', async () => {
      const source = sourceAt(path);
      await look(source);
      await writeFile(`${path}.tmp`, 'LogLevel debug\n');
      await nextTick();
      await rename(`${path}.tmp`, path);
      await nextTick();
      await writeFile(path, 'LogLevel warn\n', { flag: 'r+' });
      const wait = await waitOf(source);
      assert.ok(wait > 0 && wait <= QUIET + clockStepMs, String(wait));
    });

    it('is the rest of the quiet period for a ConfigMap ..data swap of a file written moments ago, 0 once that is past', async () => {
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
      // The file was never renamed itself, so its times cannot show it was done before the swap.
      const wait = await waitOf(source);
      assert.ok(wait > 0 && wait <= QUIET + clockStepMs, String(wait));
      const later = sourceAt(join(mount, 'torrc'), () => Date.now() + QUIET + 1000);
      assert.equal(await waitOf(later), 0);
    });

    it('is the rest of the quiet period for a file just changed in place', async () => {
      const source = sourceAt(path);
      await look(source);
      const handle = await open(path, 'w');
      await handle.write('LogLevel debug\n');
      await handle.close();
      const wait = await waitOf(source);
      assert.ok(wait > 0 && wait <= QUIET + clockStepMs, String(wait));
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
      await nextTick();
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
      await nextTick();
      await rename(`${path}.tmp`, path);
      // The main file alone: whole, read at once. Loading it makes the source track the include.
      assert.equal(await waitOf(source), 0);
      await load(source);
      const wait = await waitOf(source);
      assert.ok(wait > 0 && wait <= QUIET + clockStepMs, String(wait));
    });
  });
});

describe('sources/file-source: polls', () => {
  let dir: string;
  let path: string;
  let subscription: Subscription | undefined;

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-polls-')));
    path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
  });

  afterEach(async () => {
    subscription?.unsubscribe();
    subscription = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('polls at once, then only when a stat moved or while the last look needs another', async () => {
    // No racy window and no quiet period: a look of an unchanged file needs no other.
    const source = fileSource(path, {
      policy: defaultFilePolicy,
      racyWindowMs: 0,
      writeQuietMs: 0,
    });
    let polls = 0;
    subscription = source.polls(20, asyncScheduler).subscribe(() => {
      polls++;
    });
    assert.equal(polls, 1, 'one at once');
    await firstValueFrom(source.look());
    // The stat worker reports the path once after it is added, then nothing moves.
    await eventually(() => polls === 2, 'the report once the path is added');
    await sleep(200);
    assert.equal(polls, 2, 'ten ticks of an unchanged file: no poll');
    await writeFile(path, 'LogLevel notice\n');
    await eventually(() => polls === 3, 'a poll for the change');
    await firstValueFrom(source.look());
    // Gone: the look finds a problem, which every tick must look at again.
    await unlink(path);
    await firstValueFrom(source.look());
    const before = polls;
    await eventually(() => polls >= before + 3, 'a poll per tick while the file is missing');
    await writeFile(path, 'LogLevel info\n');
    // Looked at until a look needs no other, as the engine's looks on polls would: a file just
    // written can be racy for a tick when the kernel's coarse clock is ahead of ours.
    const deadline = Date.now() + WAIT;
    for (;;) {
      const state = await firstValueFrom(source.look());
      if (state.kind === 'snapshot' && !state.racy && (state.waitMs ?? 0) === 0) break;
      assert.ok(Date.now() < deadline, `the recreated file never held still: ${state.kind}`);
      await sleep(20);
    }
    await sleep(60);
    const settled = polls;
    await sleep(200);
    assert.equal(polls, settled, 'back and looked at: the ticks stop');
  });
});
