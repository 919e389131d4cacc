import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Subject } from 'rxjs';
import {
  bindLogLevel,
  logMessages,
  moduleLogger,
  pinoLib,
  silentLogger,
} from '../../lib/engine/log.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { tsxScriptOutput } from '../support/cli.js';
import { logSink } from '../support/log-sink.js';
import { scheduler } from '../support/marbles.js';

const withLevel = (LogLevel: TorConfig['LogLevel']): TorConfig => ({
  ...defaultConfig(),
  LogLevel,
});

describe('logMessages', () => {
  it('is frozen: no code can reword a line that searches and alerts depend on', () => {
    assert.ok(Object.isFrozen(logMessages));
    assert.equal(Reflect.set(logMessages, 'reloaded', 'changed'), false);
    assert.equal(Reflect.set(logMessages, 'added', 'new'), false);
    assert.equal(Reflect.deleteProperty(logMessages, 'reloaded'), false);
    assert.equal(logMessages.reloaded, 'Configuration reloaded successfully');
    assert.ok(!('added' in logMessages));
  });

  it('holds the design document messages, word for word', () => {
    assert.deepEqual(
      { ...logMessages },
      {
        watcherStarted: 'Starting configuration file watcher',
        fileChanged: 'Configuration file changed, reloading',
        manualReload: 'Manually reloading configuration',
        fieldsUpdated: 'Configuration fields updated',
        reloaded: 'Configuration reloaded successfully',
        restartRequired: 'Configuration change requires restart',
        rejected: 'Configuration reload rejected',
        disappeared: 'Configuration file disappeared',
        unreadable: 'Configuration file unreadable',
        recovered: 'Configuration file recovered',
        attempt: 'Configuration reload attempt',
        warning: 'Configuration file warning',
        revertFailed: 'Reload callback failed while reverting',
        watcherStopped: 'Configuration watcher stopped',
        watchUnavailable: 'Configuration watch unavailable, polling only',
        watchRestored: 'Configuration watch restored',
      },
    );
  });
});

describe('moduleLogger', () => {
  it("binds module: 'hotrc' to every line, keeping the caller's own bindings and level", () => {
    const sink = logSink('info');
    const log = moduleLogger(sink.logger.child({ app: 'my-client' }));
    log.info({ path: '/etc/tor/torrc' }, logMessages.reloaded);
    log.debug('below the level');
    assert.equal(sink.lines.length, 1);
    const [line] = sink.lines;
    assert.deepEqual(
      [line?.module, line?.app, line?.path, line?.msg],
      ['hotrc', 'my-client', '/etc/tor/torrc', logMessages.reloaded],
    );
  });

  it("wins over a caller's own module binding", () => {
    const sink = logSink();
    moduleLogger(sink.logger.child({ module: 'app' })).info('x');
    assert.equal(sink.lines[0]?.module, 'hotrc');
  });

  it('logs nowhere when the caller passes no logger', () => {
    const log = moduleLogger(undefined);
    assert.equal(log.level, 'silent');
    assert.doesNotThrow(() => log.error({ err: new Error('x') }, 'nothing'));
    assert.equal(silentLogger().level, 'silent');
  });

  it('gives every caller without a logger the same silent logger (a thousand configs, one logger)', () => {
    assert.equal(moduleLogger(undefined), moduleLogger(undefined));
    const sink = logSink();
    assert.notEqual(moduleLogger(sink.logger), moduleLogger(sink.logger));
  });
});

describe('pinoLib', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-pino-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is pino itself', () => {
    assert.equal(typeof pinoLib(), 'function');
    assert.equal(pinoLib().levels.values.warn, 40);
    assert.equal(pinoLib()({ level: 'warn' }).level, 'warn');
  });

  it('is not loaded by importing hotrc and running a watcher given no logger, only when a pino logger is made', async () => {
    // A child process, whose module cache shows what it loaded (pino is CommonJS).
    const lib = (p: string) => pathToFileURL(join(import.meta.dirname, '../../lib', p)).href;
    const torrc = join(dir, 'torrc');
    await writeFile(torrc, 'SocksPort 9050\n');
    await writeFile(
      join(dir, 'main.mjs'),
      `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const pinoLoaded = () => Object.keys(cache).some((p) => p.includes('/node_modules/pino/'));
const { loadFromFile, ReloadableConfig } = await import(${JSON.stringify(lib('index.ts'))});
const { silentLogger } = await import(${JSON.stringify(lib('engine/log.ts'))});
const rc = new ReloadableConfig(await loadFromFile(${JSON.stringify(torrc)}), ${JSON.stringify(torrc)});
rc.startWatcher(100);
const result = await rc.reload();
const watched = { status: result.status, sha256: rc.status().sha256 !== undefined, pino: pinoLoaded() };
await rc.stop();
const level = silentLogger().level;
console.log(JSON.stringify({ watched, level, after: pinoLoaded() }));
`,
    );
    const out = await tsxScriptOutput(join(dir, 'main.mjs'));
    assert.deepEqual(JSON.parse(out), {
      watched: { status: 'unchanged', sha256: true, pino: false },
      level: 'silent',
      after: true,
    });
  });
});

describe('bindLogLevel', () => {
  it("follows the config's LogLevel, and stops on unsubscribe", () => {
    const ts = scheduler();
    ts.run(({ hot, expectSubscriptions }) => {
      const { logger } = logSink('info');
      const config$ = hot('-a-b-c-d-e', {
        a: withLevel('debug'),
        b: withLevel('warn'),
        c: withLevel('error'),
        d: withLevel('debug'),
        e: withLevel('info'),
      });
      const binding = bindLogLevel(logger, config$);
      // Subscribed after the binding, so each entry is the level the binding just set.
      const levels: string[] = [];
      config$.subscribe(() => levels.push(logger.level));
      ts.schedule(() => binding.unsubscribe(), 6);
      ts.flush();
      assert.deepEqual(levels, ['debug', 'warn', 'error', 'error', 'error']);
      assert.equal(logger.level, 'error');
      expectSubscriptions(config$.subscriptions).toBe(['^-----!', '^']);
    });
  });

  it('sets the level only when LogLevel changes, not on every config', () => {
    const { logger } = logSink('info');
    const config$ = new Subject<TorConfig>();
    const binding = bindLogLevel(logger, config$);
    config$.next(withLevel('debug'));
    assert.equal(logger.level, 'debug');
    // Someone turns the level up by hand; a reload that leaves LogLevel alone keeps it.
    logger.level = 'trace';
    config$.next({ ...withLevel('debug'), ConnLimit: 2000 });
    assert.equal(logger.level, 'trace');
    config$.next(withLevel('warn'));
    assert.equal(logger.level, 'warn');
    binding.unsubscribe();
    assert.equal(config$.observed, false);
  });

  it('maps every LogLevel to the pino level of the same name, and lines follow it', () => {
    const sink = logSink('info');
    const config$ = new Subject<TorConfig>();
    const binding = bindLogLevel(sink.logger, config$);
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      config$.next(withLevel(level));
      assert.equal(sink.logger.level, level);
    }
    sink.logger.warn('hidden at error');
    sink.logger.error('shown');
    assert.deepEqual(sink.messages(), ['shown']);
    binding.unsubscribe();
  });
});
