// The package's ReloadableConfig: the engine with hotrc's Tor profile as its default, on real files.
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as t from 'io-ts';
import { loadConfig } from '../lib/engine/load-config.js';
import { logMessages } from '../lib/engine/log.js';
import { defineProfile } from '../lib/engine/profile.js';
import { Reloadable } from '../lib/engine/reloadable-config.js';
import { jsonFormat } from '../lib/formats/json.js';
import {
  type ConfigChange,
  type Loaded,
  ReloadableConfig,
  type ReloadCallback,
} from '../lib/reloadable-config.js';
import { loadFromFile } from '../lib/tor/config-file.js';
import type { TorConfig } from '../lib/tor/schema/tor-config.js';
import { torProfile } from '../lib/tor/tor-profile.js';
import { type LogSink, logSink } from './support/log-sink.js';

const AppConfig = t.type({
  pool: t.type({ min: t.number, max: t.number }),
  level: t.string,
});
type AppConfig = t.TypeOf<typeof AppConfig>;
const appProfile = defineProfile({
  name: 'app',
  format: jsonFormat,
  codec: AppConfig,
  defaults: { pool: { min: 1, max: 10 }, level: 'info' },
});

// Every level optional: a restart-only path whose parent comes and goes.
const Loose = t.partial({ server: t.partial({ port: t.number, host: t.string }), level: t.string });
type Loose = t.TypeOf<typeof Loose>;
const looseProfile = defineProfile<Loose>({
  name: 'loose',
  format: jsonFormat,
  codec: Loose,
  defaults: {},
  restartRequired: ['server.port'],
});

// The generic aliases default to TorConfig, like the class.
const torChange: ConfigChange | undefined = undefined as ConfigChange<TorConfig> | undefined;
const torCallback: ReloadCallback = (_old: TorConfig, _next: TorConfig) => undefined;
const appLoaded: Loaded<AppConfig> | undefined = undefined;
void [torChange, torCallback, appLoaded];

describe('ReloadableConfig (the package’s, Tor by default)', () => {
  let dir: string;
  let log: LogSink;
  const started: Array<{ stop(): Promise<void> }> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-reloadable-'));
    log = logSink();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((rc) => rc.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  // A rename-save: complete by construction, read at once.
  const save = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
    return path;
  };
  const keep = <T extends { stop(): Promise<void> }>(rc: T): T => {
    started.push(rc);
    return rc;
  };

  it('without a profile is the Tor profile: a torrc on a real file reloads', async () => {
    const path = await save('torrc', 'LogLevel info\nSocksPort 9050\n');
    const rc = keep(new ReloadableConfig(await loadFromFile(path), path, log.logger));
    assert.ok(rc instanceof Reloadable);
    assert.equal(rc.get().LogLevel, 'info');
    await save('torrc', 'LogLevel debug\nSocksPort 9150\nMaxCircuitDirtiness 15 minutes\n');
    const result = await rc.reload();
    assert.equal(result.status, 'applied');
    assert.deepEqual(
      result.changes.map((c) => c.text),
      ['MaxCircuitDirtiness: 10m0s -> 15m0s', 'LogLevel: info -> debug'],
    );
    assert.deepEqual(
      result.restartRequired.map((c) => c.text),
      ['SocksPort: 9050 -> 9150'],
    );
    assert.equal(rc.get().LogLevel, 'debug');
    assert.equal(rc.get().SocksPort, 9050);
    assert.deepEqual(log.find(logMessages.fieldsUpdated)[0]?.changes, [
      'MaxCircuitDirtiness: 10m0s -> 15m0s',
      'LogLevel: info -> debug',
    ]);
  });

  it('takes an interval or a callback timeout longer than a timer can wait (30 days) as about 24.8 days: no 1 ms poll, no callback timed out at once', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const path = await save('torrc', 'CircuitPoolMaxSize 20\n');
      const thirtyDays = 30 * 86_400_000;
      const rc = keep(
        new ReloadableConfig(await loadFromFile(path), path, log.logger, {
          callbackTimeoutMs: thirtyDays,
          fsWatch: false,
        }),
      );
      rc.onReload(() => new Promise<void>((r) => setTimeout(r, 50)));
      rc.startWatcher(thirtyDays);
      await new Promise((r) => setTimeout(r, 200));
      await save('torrc', 'CircuitPoolMaxSize 30\n');
      // Polled every millisecond, the watcher would have applied it by now; it polls in 24.8 days.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(rc.get().CircuitPoolMaxSize, 20);
      const result = await rc.reload();
      assert.equal(result.status, 'applied');
      assert.equal(rc.get().CircuitPoolMaxSize, 30);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('with an explicit torProfile behaves the same', async () => {
    const path = await save('torrc', 'LogLevel info\n');
    const rc = keep(
      new ReloadableConfig(await loadFromFile(path), path, log.logger, { profile: torProfile }),
    );
    await save('torrc', 'LogLevel warn\n');
    assert.equal((await rc.reload()).status, 'applied');
    assert.equal(rc.get().LogLevel, 'warn');
  });

  it('with `{ profile }` reloads any config: a small JSON profile on a real file', async () => {
    const path = await save('app.json', '{ "pool": { "max": 20 } }\n');
    const rc = keep(
      new ReloadableConfig(await loadConfig(path, appProfile), path, log.logger, {
        profile: appProfile,
      }),
    );
    assert.ok(rc instanceof Reloadable);
    assert.deepEqual(rc.get(), { pool: { min: 1, max: 20 }, level: 'info' });
    const seen: string[] = [];
    rc.onReload((old, next) => void seen.push(`${old.pool.max}->${next.pool.max}`));
    await save('app.json', '{ "pool": { "max": 30 }, "level": "debug" }\n');
    const result = await rc.reload();
    assert.deepEqual(
      result.changes.map((c) => c.text),
      ['pool.max: 20 -> 30', 'level: info -> debug'],
    );
    assert.deepEqual(seen, ['20->30']);
    assert.deepEqual(rc.get(), { pool: { min: 1, max: 30 }, level: 'debug' });
    assert.ok(Object.isFrozen(rc.get().pool));
  });

  it('holds back a restart-only path whose parent appears, as the diff reports it', async () => {
    const path = await save('loose.json', '{ "level": "info" }\n');
    const rc = keep(
      new ReloadableConfig(await loadConfig(path, looseProfile), path, log.logger, {
        profile: looseProfile,
      }),
    );
    await save('loose.json', '{ "level": "debug", "server": { "port": 9, "host": "h" } }\n');
    const result = await rc.reload();
    assert.deepEqual(
      result.restartRequired.map((c) => c.field),
      ['server'],
    );
    assert.deepEqual(
      result.changes.map((c) => c.text),
      ['level: info -> debug'],
    );
    // What needs a restart did not go live: server (and so server.port) is as it was.
    assert.deepEqual(rc.get(), { level: 'debug' });
  });

  it('refuses an app config given without a profile, with a TypeError naming what is wrong', async () => {
    const path = await save('app.json', '{}\n');
    const app = await loadConfig(path, appProfile);
    assert.throws(
      () => new ReloadableConfig(app, path, log.logger),
      (e: unknown) => {
        assert.ok(e instanceof TypeError, String(e));
        assert.match(e.message, /^the initial config is not a valid TorConfig: /);
        assert.match(e.message, /pool: not a TorConfig field/);
        assert.match(e.message, /level: not a TorConfig field/);
        assert.match(e.message, /SocksPort/);
        return true;
      },
    );
    // Options without a profile (only a cast gets them past the type checker) are no different.
    assert.throws(
      () => new ReloadableConfig(app, path, log.logger, { settleMs: 5 } as never),
      /the initial config is not a valid TorConfig/,
    );
  });

  it('refuses a profile that is not one, and a config its profile refuses', async () => {
    const path = await save('app.json', '{}\n');
    assert.throws(
      () =>
        new ReloadableConfig<AppConfig>(
          { pool: { min: 1, max: 2 }, level: 'x' },
          path,
          log.logger,
          {
            profile: { name: 'fake' } as never,
          },
        ),
      /options\.profile must be a Profile/,
    );
    assert.throws(
      () =>
        new ReloadableConfig<AppConfig>(
          { pool: { min: 1, max: 'two' } } as never,
          path,
          log.logger,
          {
            profile: appProfile,
          },
        ),
      /^TypeError: the initial config is not a valid config: pool\.max: expected number, got "two"; level: /,
    );
  });
});
