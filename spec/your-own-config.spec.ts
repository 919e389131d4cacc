// A JSON and a YAML config of an app's own, end to end on real files through the real
// ReloadableConfig: what the README's "Your own config" promises, for both formats.
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { ConfigError } from '../lib/engine/config-error.js';
import type { Format } from '../lib/engine/format.js';
import { loadConfig, loadConfigFile } from '../lib/engine/load-config.js';
import { logMessages } from '../lib/engine/log.js';
import { defineProfile, type Profile } from '../lib/engine/profile.js';
import { ReloadError } from '../lib/engine/reloadable-config.js';
import type { ConfigChange, Rejection } from '../lib/engine/types.js';
import { jsonFormat } from '../lib/formats/json.js';
import { yamlFormat } from '../lib/formats/yaml.js';
import { ReloadableConfig } from '../lib/reloadable-config.js';
import { type LogSink, logSink } from './support/log-sink.js';

const AppConfig = t.type({
  server: t.type({ port: t.number }),
  pool: t.type({ min: t.number, max: t.number }),
  features: t.array(t.string),
  logLevel: t.keyof({ debug: null, info: null, warn: null }),
  db: t.type({ password: t.string }),
});
type AppConfig = t.TypeOf<typeof AppConfig>;

const defaults: AppConfig = {
  server: { port: 8080 },
  pool: { min: 1, max: 10 },
  features: [],
  logLevel: 'info',
  db: { password: '' },
};

const profileFor = (format: Format): Profile<AppConfig> =>
  defineProfile({
    name: 'app',
    format,
    codec: AppConfig,
    defaults,
    validate: (c) =>
      c.pool.min > c.pool.max
        ? [{ severity: 'error', message: 'pool.min must not exceed pool.max', field: 'pool.min' }]
        : [],
    restartRequired: ['server.port'],
    secrets: ['db.password'],
  });

const PASSWORD = 'hunter2-do-not-log';

// The same configs in each format: `doc` writes a plain value the format's way.
const formats = [
  {
    name: 'YAML',
    file: 'app.yaml',
    profile: profileFor(yamlFormat),
    doc: (v: unknown): string => yamlOf(v, 0),
    // pool.max is on line 5 ("  max: ten"), its value at column 8.
    bad: 'server:\n  port: 8080\npool:\n  min: 2\n  max: ten\nlogLevel: loud\n',
    badLines: ['5:8: pool.max: expected a number, got "ten"', '6:11: logLevel: expected'],
    // Where the flow sequence should have been closed.
    syntax: 'pool:\n  min: [1, 2\n',
    syntaxLine: 3,
  },
  {
    name: 'JSON',
    file: 'app.json',
    profile: profileFor(jsonFormat),
    doc: (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`,
    bad: '{\n  "pool": {\n    "min": 2,\n    "max": "ten"\n  },\n  "logLevel": "loud"\n}\n',
    badLines: ['4:12: pool.max: expected a number, got "ten"', '6:15: logLevel: expected'],
    syntax: '{\n  "pool": { "min": 1,, }\n}\n',
    syntaxLine: 2,
  },
] as const;

// Enough YAML for plain nested objects, arrays of strings, numbers and strings.
function yamlOf(v: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v))
    return v.length === 0
      ? ' []\n'
      : `\n${v.map((x) => `${pad}- ${JSON.stringify(x)}\n`).join('')}`;
  if (typeof v === 'object' && v !== null) {
    const body = Object.entries(v)
      .map(([k, x]) =>
        typeof x === 'object' && x !== null && !Array.isArray(x)
          ? `${pad}${k}:\n${yamlOf(x, indent + 2)}`
          : `${pad}${k}:${Array.isArray(x) ? yamlOf(x, indent + 2) : ` ${JSON.stringify(x)}\n`}`,
      )
      .join('');
    return body;
  }
  return `${JSON.stringify(v)}\n`;
}

for (const f of formats) {
  describe(`your own config, ${f.name}, on real files`, function () {
    this.timeout(20_000);
    let dir: string;
    let path: string;
    let rc: ReloadableConfig<AppConfig> | undefined;
    let log: LogSink;
    let changes: ConfigChange<AppConfig>[];
    let rejections: Rejection[];

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotrc-app-'));
      path = join(dir, f.file);
    });
    afterEach(async () => {
      await rc?.stop();
      rc = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    // A rename-save: complete by construction, read at once.
    const save = async (text: string) => {
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
    };

    const start = async (value: unknown): Promise<ReloadableConfig<AppConfig>> => {
      await save(f.doc(value));
      log = logSink();
      const r = new ReloadableConfig<AppConfig>(
        await loadConfig(path, f.profile),
        path,
        log.logger,
        { profile: f.profile },
      );
      rc = r;
      changes = [];
      rejections = [];
      r.changes$.subscribe((c) => changes.push(c));
      r.rejections$.subscribe((x) => rejections.push(x));
      return r;
    };

    it('loads a valid file over the defaults, and reloads a change by dotted path', async () => {
      const r = await start({ pool: { min: 2, max: 10 }, features: ['a'] });
      assert.deepEqual(r.get(), { ...defaults, pool: { min: 2, max: 10 }, features: ['a'] });
      assert.ok(Object.isFrozen(r.get().pool));
      await save(f.doc({ pool: { min: 2, max: 20 }, features: ['a', 'b'] }));
      const result = await r.reload();
      assert.equal(result.status, 'applied');
      assert.deepEqual(
        result.changes.map((c) => c.text),
        ['pool.max: 10 -> 20', 'features: ["a"] -> ["a","b"]'],
      );
      assert.equal(r.get().pool.max, 20);
      assert.deepEqual(log.find(logMessages.fieldsUpdated)[0]?.changes, [
        'pool.max: 10 -> 20',
        'features: ["a"] -> ["a","b"]',
      ]);
      assert.equal(changes.length, 1);
    });

    it('refuses an invalid file with every problem at its line and column, keeping the last good config', async () => {
      const r = await start({ pool: { min: 2, max: 10 } });
      await save(f.bad);
      const err = await r.reload().catch((e: unknown) => e);
      assert.ok(err instanceof ReloadError);
      assert.equal(err.rejection.kind, 'invalid');
      for (const line of f.badLines)
        assert.ok(err.rejection.reason.includes(`${path}:${line}`), err.rejection.reason);
      assert.equal(err.rejection.problems.filter((p) => p.severity === 'error').length, 2);
      assert.equal(r.get().pool.max, 10);
      assert.equal(rejections.length, 1);
      // The same file through loadConfig: a ConfigError with the same located problems.
      await assert.rejects(loadConfig(path, f.profile), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.ok(
          e.problems.every((p) => p.file === path && (p.line ?? 0) > 0 && (p.column ?? 0) > 0),
        );
        return true;
      });
    });

    it('refuses a syntax error with its line and column', async () => {
      await save(f.syntax);
      const loaded = await loadConfigFile(path, f.profile);
      assert.ok(E.isLeft(loaded));
      const [first] = loaded.left.problems;
      assert.equal(first?.file, path);
      assert.equal(first?.line, f.syntaxLine);
      assert.ok((first?.column ?? 0) >= 1);
    });

    it('returns a deleted key to its default, and the diff says so', async () => {
      const r = await start({ pool: { min: 5, max: 10 } });
      await save(f.doc({ pool: { max: 10 } }));
      const result = await r.reload();
      assert.deepEqual(
        result.changes.map((c) => c.text),
        ['pool.min: 5 -> 1'],
      );
      assert.equal(r.get().pool.min, 1);
    });

    it('holds a restart-required path back, applies the rest, and reports it', async () => {
      const r = await start({ server: { port: 8080 } });
      await save(f.doc({ server: { port: 9090 }, logLevel: 'debug' }));
      const result = await r.reload();
      assert.deepEqual(
        result.restartRequired.map((c) => c.text),
        ['server.port: 8080 -> 9090'],
      );
      assert.equal(r.get().server.port, 8080);
      assert.equal(r.get().logLevel, 'debug');
      assert.deepEqual(
        r.status().pendingRestart.map((c) => c.field),
        ['server.port'],
      );
      assert.deepEqual(log.find(logMessages.restartRequired)[0]?.fields, ['server.port']);
    });

    it('never shows a secret: not in change texts, logs or problems', async () => {
      const r = await start({ db: { password: 'old-secret-value' } });
      await save(f.doc({ db: { password: PASSWORD } }));
      const result = await r.reload();
      assert.deepEqual(
        result.changes.map((c) => c.text),
        ['db.password: [REDACTED] -> [REDACTED]'],
      );
      assert.equal(r.get().db.password, PASSWORD, 'the app itself gets the value');
      await save(f.doc({ db: { password: 12345 } }));
      const err = await r.reload().catch((e: unknown) => e);
      assert.ok(err instanceof ReloadError);
      assert.match(err.rejection.reason, /db\.password: expected a string, got \[REDACTED\]/);
      const everything = JSON.stringify(log.lines) + JSON.stringify(rejections);
      assert.ok(!everything.includes(PASSWORD), 'the new password reached a log line');
      assert.ok(!everything.includes('old-secret-value'), 'the old password reached a log line');
      assert.ok(!everything.includes('12345'), 'the refused value reached a log line');
    });

    it('lets a callback veto, reverting the callbacks that had applied the change', async () => {
      const r = await start({ pool: { min: 1, max: 10 } });
      const calls: string[] = [];
      r.onReload((o, n) => void calls.push(`resize ${o.pool.max}->${n.pool.max}`));
      r.onReload((_o, n) => (n.pool.max > 50 ? new Error('too big for this host') : undefined));
      await save(f.doc({ pool: { min: 1, max: 80 } }));
      const err = await r.reload().catch((e: unknown) => e);
      assert.ok(err instanceof ReloadError && err.rejection.kind === 'vetoed');
      assert.match(err.rejection.reason, /too big for this host/);
      assert.deepEqual(calls, ['resize 10->80', 'resize 80->10']);
      assert.equal(r.get().pool.max, 10);
    });

    it('runs the profile validation: pool.min above pool.max is refused', async () => {
      const r = await start({ pool: { min: 1, max: 10 } });
      await save(f.doc({ pool: { min: 20, max: 10 } }));
      const err = await r.reload().catch((e: unknown) => e);
      assert.ok(err instanceof ReloadError);
      // The rule names its field, and the problem points where the file sets it.
      const [problem] = err.rejection.problems;
      assert.equal(problem?.message, 'pool.min must not exceed pool.max');
      assert.deepEqual([problem?.file, problem?.line], [path, f.name === 'YAML' ? 2 : 3]);
    });

    it('warns of a key the codec does not know, at its line, and keeps its default in force', async () => {
      const r = await start({ pool: { min: 1, max: 10 } });
      await save(f.doc({ pool: { min: 1, max: 10, mx: 30 } }));
      const result = await r.reload();
      assert.equal(result.status, 'unchanged');
      const [warned] = log.find(logMessages.warning);
      assert.equal(warned?.reason, "unknown key 'pool.mx' (did you mean 'max'?)");
      assert.equal(warned?.file, path);
      assert.ok(Number(warned?.line) > 1);
    });

    it('picks a save up by polling', async () => {
      const r = await start({ pool: { min: 1, max: 10 } });
      r.startWatcher(20);
      await save(f.doc({ pool: { min: 1, max: 12 } }));
      const deadline = Date.now() + 8000;
      while (r.get().pool.max !== 12) {
        assert.ok(Date.now() < deadline, 'the save was never applied');
        await new Promise((done) => setTimeout(done, 10));
      }
      assert.equal(changes.length, 1);
    });
  });
}

describe('your own config, with a codec that transforms values', function () {
  this.timeout(20_000);
  // "81" in the file, 81 in the config: a decoded config is not something the codec decodes.
  const PortFromString = new t.Type<number, string, unknown>(
    'PortFromString',
    (u): u is number => typeof u === 'number' && Number.isInteger(u),
    (u, c) => (typeof u === 'string' && /^\d+$/.test(u) ? t.success(Number(u)) : t.failure(u, c)),
    (n) => String(n),
  );
  const Server = t.type({ port: PortFromString });
  const profile = defineProfile({
    name: 'server',
    format: jsonFormat,
    codec: Server,
    defaults: { port: 80 },
  });
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-transform-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from the decoded config and reloads the next value', async () => {
    const path = join(dir, 'server.json');
    await writeFile(`${path}.tmp`, '{ "port": "81" }\n');
    await rename(`${path}.tmp`, path);
    const initial = await loadConfig(path, profile);
    assert.deepEqual(initial, { port: 81 });
    const rc = new ReloadableConfig(initial, path, undefined, { profile });
    try {
      assert.equal(rc.get(), initial, 'a frozen, decoded config is used as it is');
      await writeFile(`${path}.tmp`, '{ "port": "82" }\n');
      await rename(`${path}.tmp`, path);
      const result = await rc.reload();
      assert.deepEqual(
        result.changes.map((c) => c.text),
        ['port: 81 -> 82'],
      );
    } finally {
      await rc.stop();
    }
  });
});
