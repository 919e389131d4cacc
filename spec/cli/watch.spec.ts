import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { logMessages } from '../../lib/engine/log.js';
import { fleetMessages } from '../../lib/fleet/fleet-log.js';
import { cli } from '../support/cli.js';
import { type EtcdServer, freePort, withOwnEtcd } from '../support/etcd.js';
import { put, torrc } from '../support/fleet.js';
import { appProfileSource, type ModuleDir, moduleDir } from '../support/profile-modules.js';
import { startWatch, startWatchIn, type Watcher } from '../support/watch-process.js';

describe('hotrc watch', function () {
  this.timeout(30_000);
  let dir: string;
  let path: string;
  let watcher: Watcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-watch-'));
    path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
  });
  afterEach(async () => {
    if (watcher !== undefined && watcher.child.exitCode === null) {
      watcher.child.kill('SIGKILL');
      await watcher.exited;
    }
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a rename-save long before a one-minute poll (the fs.watch fast path); --no-fs-watch polls only', async () => {
    const save = async (text: string) => {
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
    };
    const w = startWatch(path, '--interval', '60s');
    watcher = w;
    await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    await save('LogLevel info\nMaxCircuitDirtiness 15 minutes\n');
    const updated = await w.waitFor((l) => l.msg === logMessages.fieldsUpdated, 'the change');
    assert.deepEqual(updated.changes, ['MaxCircuitDirtiness: 10m0s -> 15m0s']);
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 0);

    const polling = startWatch(path, '--interval', '60s', '--no-fs-watch');
    watcher = polling;
    await polling.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    // Past the first poll (at once) and its quiet period: from here only a poll or SIGHUP looks.
    await new Promise((done) => setTimeout(done, 1000));
    await save('LogLevel info\nMaxCircuitDirtiness 20 minutes\n');
    // The fast path answers in milliseconds; without it, nothing can until a poll or a SIGHUP.
    await new Promise((done) => setTimeout(done, 500));
    assert.equal(polling.lines.filter((l) => l.includes(logMessages.fieldsUpdated)).length, 0);
    polling.child.kill('SIGHUP');
    const later = await polling.waitFor(
      (l) => l.msg === logMessages.fieldsUpdated,
      'the SIGHUP reload',
    );
    assert.deepEqual(later.changes, ['MaxCircuitDirtiness: 15m0s -> 20m0s']);
    polling.child.kill('SIGTERM');
    assert.equal((await polling.exited).code, 0);
  });

  it('logs JSON lines for each change, reloads on SIGHUP, and exits 0 on SIGTERM', async () => {
    const w = startWatch(path, '--interval', '50ms');
    watcher = w;
    const started = await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    assert.deepEqual([started.path, started.interval, started.module], [path, '50ms', 'hotrc']);

    await writeFile(path, 'LogLevel info\nMaxCircuitDirtiness 15 minutes\n');
    const updated = await w.waitFor((l) => l.msg === logMessages.fieldsUpdated, 'the change');
    assert.deepEqual(updated.changes, ['MaxCircuitDirtiness: 10m0s -> 15m0s']);
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'the success line');

    w.child.kill('SIGHUP');
    const manual = await w.waitFor((l) => l.msg === logMessages.manualReload, 'the SIGHUP reload');
    assert.equal(manual.trigger, 'signal');

    await writeFile(path, 'MaxCircuitDirtiness 10 min\n');
    const rejected = await w.waitFor((l) => l.msg === logMessages.rejected, 'the rejection');
    assert.match(
      String(rejected.reason),
      new RegExp(`${path}:1: Could not parse MaxCircuitDirtiness: Unknown unit in 10 min`),
    );

    w.child.kill('SIGTERM');
    assert.deepEqual(await w.exited, { code: 0, signal: null });
    assert.equal(JSON.parse(w.lines.at(-1) ?? '{}').msg, logMessages.watcherStopped);
  });

  it("follows the file's LogLevel: debug lines appear once the file says debug", async () => {
    const w = startWatch(path, '--interval', '50ms');
    watcher = w;
    await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    await writeFile(path, 'LogLevel debug\n');
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'the change');
    await writeFile(path, 'LogLevel debug\n# touched\n');
    // An unchanged outcome is logged at debug level: visible now, because the level followed.
    await w.waitFor(
      (l) => l.msg === logMessages.attempt && l.outcome === 'unchanged' && l.level === 20,
      'a debug line',
    );
    w.child.kill('SIGINT');
    assert.equal((await w.exited).code, 0);
  });

  it("logs the file's warnings once at start, not once here and again on the first poll", async () => {
    await writeFile(path, 'SocksPrt 9050\n');
    const w = startWatch(path, '--interval', '50ms');
    watcher = w;
    const warned = await w.waitFor((l) => l.msg === logMessages.warning, 'the warning');
    assert.equal(warned.reason, "Unknown option 'SocksPrt' (did you mean 'SocksPort'?).");
    await writeFile(path, 'SocksPrt 9050\nLogLevel debug\n');
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'a later reload');
    w.child.kill('SIGTERM');
    await w.exited;
    const unknown = w.lines.filter((l) => l.includes('SocksPrt'));
    assert.equal(unknown.length, 1, unknown.join('\n'));
  });

  it('prints human lines with --pretty', async () => {
    const w = startWatch(path, '--interval', '50ms', '--pretty');
    watcher = w;
    const line = await w.waitFor(
      (l) => typeof l.raw === 'string' && l.raw.includes(logMessages.watcherStarted),
      'a pretty line',
    );
    assert.match(
      String(line.raw),
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d INFO ${logMessages.watcherStarted} path=${path} interval=50ms$`,
      ),
    );
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 0);
  });

  it('refuses a world-writable torrc at start, as its first poll would', async () => {
    await chmod(path, 0o666);
    const r = await cli('watch', path);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, '', `${path}: refusing ${path}: mode 0666 is world-writable\n`],
    );
  });

  it('--allow-insecure-mode starts on a world-writable torrc and keeps applying it', async () => {
    await chmod(path, 0o666);
    const w = startWatch(path, '--interval', '50ms', '--allow-insecure-mode');
    watcher = w;
    await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    await writeFile(path, 'LogLevel info\nMaxCircuitDirtiness 15 minutes\n');
    const updated = await w.waitFor((l) => l.msg === logMessages.fieldsUpdated, 'the change');
    assert.deepEqual(updated.changes, ['MaxCircuitDirtiness: 10m0s -> 15m0s']);
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 0);
    assert.equal(
      w.lines.filter((l) => l.includes(logMessages.rejected)).length,
      0,
      w.lines.join('\n'),
    );
  });

  it('watches ../torrc typed from another working directory, and exits 0 on SIGTERM', async () => {
    const cwd = join(dir, 'sub');
    await mkdir(cwd);
    const w = startWatchIn(cwd, '../torrc', '--interval', '50ms');
    watcher = w;
    const started = await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    // Resolved at the CLI edge: the engine sees, and logs, the absolute path.
    assert.equal(started.path, path);
    await writeFile(path, 'LogLevel info\nMaxCircuitDirtiness 15 minutes\n');
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'the reload');
    w.child.kill('SIGTERM');
    assert.deepEqual(await w.exited, { code: 0, signal: null });
    assert.equal(w.stderr(), '');
  });

  it('exits 1 with the problems when the file is invalid at start, 2 on bad usage', async () => {
    await writeFile(path, 'ConnLimit 0\n');
    const r = await cli('watch', path);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `${path}:1: ConnLimit must be at least 1\n`);
    assert.equal((await cli('watch', path, '--interval', '10 min')).code, 2);
    assert.equal((await cli('watch', path, '--restart-required', 'sometimes')).code, 2);
    assert.equal((await cli('watch', path, '--write-quiet', 'soon')).code, 2);
    assert.equal((await cli('watch')).code, 2);
  });
});

describe('hotrc watch --profile', function () {
  this.timeout(30_000);
  let dir: string;
  let path: string;
  let modules: ModuleDir;
  let profile: string;
  let watcher: Watcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-watch-profile-'));
    path = join(dir, 'app.yaml');
    modules = await moduleDir();
    profile = await modules.write('app-profile.mjs', appProfileSource('yamlFormat'));
  });
  afterEach(async () => {
    if (watcher !== undefined && watcher.child.exitCode === null) {
      watcher.child.kill('SIGKILL');
      await watcher.exited;
    }
    watcher = undefined;
    await modules.remove();
    await rm(dir, { recursive: true, force: true });
  });

  const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

  it('applies a change by dotted path, holds a restart-only path, keeps the last good config on an invalid save, exits 0 on SIGTERM', async () => {
    await writeFile(path, yaml('pool:', '  max: 10', 'db:', '  password: hunter2'));
    const w = startWatch(path, '--profile', profile, '--interval', '50ms');
    watcher = w;
    const started = await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    assert.deepEqual([started.path, started.module], [path, 'hotrc']);

    await writeFile(
      path,
      yaml('pool:', '  max: 20', 'server:', '  port: 9090', 'db:', '  password: hunter3'),
    );
    const updated = await w.waitFor((l) => l.msg === logMessages.fieldsUpdated, 'the change');
    assert.deepEqual(updated.changes, [
      'pool.max: 10 -> 20',
      'db.password: [REDACTED] -> [REDACTED]',
    ]);
    const held = await w.waitFor((l) => l.msg === logMessages.restartRequired, 'the held path');
    assert.deepEqual(
      [held.fields, held.changes, held.level],
      [['server.port'], ['server.port: 8080 -> 9090'], 40],
    );
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'the success line');

    await writeFile(path, yaml('pool:', '  max: twenty'));
    const rejected = await w.waitFor((l) => l.msg === logMessages.rejected, 'the rejection');
    assert.equal(rejected.kind, 'invalid');
    assert.equal(rejected.reason, `${path}:2:8: pool.max: expected a number, got "twenty"`);

    // The next change is diffed against the last good config (20), not the defaults (10).
    const afterRejection = w.lines.length;
    await writeFile(
      path,
      yaml('pool:', '  max: 30', 'server:', '  port: 9090', 'db:', '  password: hunter3'),
    );
    const next = await w.waitFor(
      (l) => l.msg === logMessages.fieldsUpdated,
      'the change after the rejection',
      afterRejection,
    );
    assert.deepEqual(next.changes, ['pool.max: 20 -> 30']);
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'the next success', afterRejection);

    w.child.kill('SIGHUP');
    const manual = await w.waitFor((l) => l.msg === logMessages.manualReload, 'the SIGHUP reload');
    assert.equal(manual.trigger, 'signal');

    w.child.kill('SIGTERM');
    assert.deepEqual(await w.exited, { code: 0, signal: null });
    assert.equal(JSON.parse(w.lines.at(-1) ?? '{}').msg, logMessages.watcherStopped);
    assert.equal(w.stderr(), '');
    assert.ok(!w.lines.some((l) => l.includes('hunter')), w.lines.join('\n'));
  });

  it("follows the config's top-level logLevel: debug lines appear once the file says debug", async () => {
    await writeFile(path, yaml('logLevel: info'));
    const w = startWatch(path, '--profile', profile, '--interval', '50ms');
    watcher = w;
    await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    await writeFile(path, yaml('logLevel: debug'));
    await w.waitFor((l) => l.msg === logMessages.reloaded, 'the change');
    await writeFile(path, yaml('logLevel: debug', '# touched'));
    await w.waitFor(
      (l) => l.msg === logMessages.attempt && l.outcome === 'unchanged' && l.level === 20,
      'a debug line',
    );
    w.child.kill('SIGINT');
    assert.equal((await w.exited).code, 0);
  });

  it('starts at the level the config names: at warn, not one info line', async () => {
    await writeFile(path, yaml('logLevel: warn'));
    const w = startWatch(path, '--profile', profile, '--interval', '50ms');
    watcher = w;
    await writeFile(path, yaml('logLevel: warn', 'pool:', '  max: 101'));
    // The profile's warning is logged at warn; the start line (info) is not.
    const warned = await w.waitFor((l) => l.msg === logMessages.warning, 'the warning');
    assert.match(String(warned.reason), /pool\.max above 100 starves the database/);
    w.child.kill('SIGTERM');
    assert.equal((await w.exited).code, 0);
    assert.ok(
      w.lines.every((l) => (JSON.parse(l) as { level: number }).level >= 40),
      w.lines.join('\n'),
    );
  });

  it('exits 1 with each problem at its line and column when the file is invalid at start', async () => {
    await writeFile(path, yaml('pool:', '  min: 1', '  max: "ten"'));
    const r = await cli('watch', path, '--profile', profile);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, '', `${path}:3:8: pool.max: expected a number, got "ten"\n`],
    );
  });
});

describe('hotrc watch --etcd', function () {
  this.timeout(30_000);
  let server: EtcdServer;
  let client: Etcd3;
  let dir: string;
  let key: string;
  let n = 0;
  let watcher: Watcher | undefined;

  // A server of its own: one test stops it to start a watcher from the cache.
  withOwnEtcd((s, c) => {
    server = s;
    client = c;
  }, 2000);
  beforeEach(async () => {
    if (!server.running) await server.restart();
    key = `/spec/watch-cli/${++n}`;
    dir = await mkdtemp(join(tmpdir(), 'hotrc-watch-etcd-'));
  });
  afterEach(async () => {
    if (watcher !== undefined && watcher.child.exitCode === null) {
      watcher.child.kill('SIGKILL');
      await watcher.exited;
    }
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a put long before a one-minute poll and keeps the cache; started while etcd is down, it runs the cached value and says so; SIGTERM exits 0', async () => {
    const cache = join(dir, 'torrc.cache');
    await put(client, key, torrc(10));
    const first = startWatch(
      '--etcd',
      server.endpoint,
      '--key',
      key,
      '--name',
      'cli-1',
      '--cache',
      cache,
      '--interval',
      '60s',
    );
    watcher = first;
    await first.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    const revision = await put(client, key, torrc(25));
    const updated = await first.waitFor(
      (l) => l.msg === logMessages.fieldsUpdated,
      'the put applied',
    );
    assert.deepEqual(updated.changes, ['MaxCircuitDirtiness: 10m0s -> 25m0s']);
    first.child.kill('SIGTERM');
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    assert.equal(first.stderr(), '');

    await server.kill('SIGKILL');
    const cold = startWatch(
      '--etcd',
      server.endpoint,
      '--key',
      key,
      '--name',
      'cli-2',
      '--cache',
      cache,
      '--interval',
      '60s',
    );
    watcher = cold;
    const said = await cold.waitFor(
      (l) => l.msg === fleetMessages.startedFromCache,
      'the cache line',
    );
    // The value the first run applied (kept by it), not the one it started from.
    assert.equal(said.revision, revision);
    assert.equal(said.path, key);
    assert.match(String(said.reason), new RegExp(`cannot reach etcd at ${server.endpoint}`));
    await cold.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
    cold.child.kill('SIGTERM');
    assert.deepEqual(await cold.exited, { code: 0, signal: null });
  });

  it('exits 1 naming the problem when there is nothing to start from: etcd out of reach, no such key, an invalid value', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const unreachable = await cli(
      'watch',
      '--etcd',
      nobody,
      '--key',
      key,
      '--cache',
      join(dir, 'none.cache'),
    );
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, new RegExp(`cannot reach etcd at ${nobody} for key ${key}`));
    assert.match(unreachable.stderr, /none\.cache/);

    const missing = await cli('watch', '--etcd', server.endpoint, '--key', key);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`etcd key ${key} does not exist`));

    await put(client, key, 'LogLevel info\nMaxCircuitDirtiness 10 min\n');
    const invalid = await cli('watch', '--etcd', server.endpoint, '--key', key);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, new RegExp(`^${key}:2: Could not parse MaxCircuitDirtiness`, 'm'));
  });
});
