import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { formatProblem } from '../../lib/core/problem.js';
import { ConfigError } from '../../lib/engine/config-error.js';
import { loadConfig, loadConfigFile } from '../../lib/engine/load-config.js';
import { defineProfile } from '../../lib/engine/profile.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { yamlFormat } from '../../lib/formats/yaml.js';
import { type FsPort, nodeFs } from '../../lib/sources/fs-port.js';

const AppConfig = t.type({
  server: t.type({ port: t.number }),
  pool: t.type({ min: t.number, max: t.number }),
  features: t.array(t.string),
  db: t.type({ password: t.string }),
});
type AppConfig = t.TypeOf<typeof AppConfig>;
const defaults: AppConfig = {
  server: { port: 8080 },
  pool: { min: 1, max: 10 },
  features: [],
  db: { password: '' },
};
const common = {
  name: 'app',
  codec: AppConfig,
  defaults,
  secrets: ['db.password'],
  validate: (c: AppConfig) =>
    c.pool.min > c.pool.max
      ? [
          {
            severity: 'error' as const,
            message: 'pool.min must not exceed pool.max',
            field: 'pool.min',
          },
        ]
      : [],
};
const yamlProfile = defineProfile({ ...common, format: yamlFormat });
const jsonProfile = defineProfile({ ...common, format: jsonFormat });

/** What loadConfig rejected with, failing the test if it resolved or threw something else. */
async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    (v) => assert.fail(`resolved: ${JSON.stringify(v)}`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
  return e;
}

describe('loadConfig and loadConfigFile, on real files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-load-config-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o700).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  describe('loadConfig', () => {
    it('resolves with the file over the defaults, frozen all the way down', async () => {
      const path = await file('app.yaml', 'pool:\n  max: 20\nfeatures: [a, b]\n');
      const config = await loadConfig(path, yamlProfile);
      assert.deepEqual(config, { ...defaults, pool: { min: 1, max: 20 }, features: ['a', 'b'] });
      assert.ok(Object.isFrozen(config));
      assert.ok(Object.isFrozen(config.pool));
      assert.ok(Object.isFrozen(config.features));
    });

    it('reads JSON the same way', async () => {
      const path = await file('app.json', '{ "server": { "port": 9090 } }\n');
      assert.deepEqual(await loadConfig(path, jsonProfile), {
        ...defaults,
        server: { port: 9090 },
      });
    });

    it('lays the file over `base` when given', async () => {
      const path = await file('app.yaml', 'pool:\n  max: 20\n');
      const base = { ...defaults, server: { port: 1234 } };
      assert.deepEqual((await loadConfig(path, yamlProfile, { base })).server, { port: 1234 });
    });

    it('rejects a missing file with a ConfigError naming it', async () => {
      const path = join(dir, 'nope.yaml');
      const e = await rejection(loadConfig(path, yamlProfile));
      assert.equal(e.path, path);
      assert.equal(e.refused, undefined);
      assert.deepEqual(e.watched, [path]);
      assert.equal(e.problems.length, 1);
      assert.equal(e.problems[0]?.file, path);
      assert.match(e.message, /no such file|ENOENT/);
    });

    it('rejects a world-writable file as refused: insecure, unless allowed', async () => {
      const path = await file('app.yaml', 'pool:\n  max: 20\n');
      await chmod(path, 0o666);
      const e = await rejection(loadConfig(path, yamlProfile));
      assert.equal(e.refused, 'insecure');
      assert.match(e.message, /world-writable/);
      assert.equal((await loadConfig(path, yamlProfile, { allowInsecureMode: true })).pool.max, 20);
    });

    it('rejects a file in a world-writable directory without the sticky bit as insecure', async () => {
      const sub = join(dir, 'open');
      await mkdir(sub);
      const path = join(sub, 'app.yaml');
      await writeFile(path, 'pool:\n  max: 20\n');
      await chmod(sub, 0o777);
      assert.equal((await rejection(loadConfig(path, yamlProfile))).refused, 'insecure');
      await chmod(sub, 0o1777);
      assert.equal((await loadConfig(path, yamlProfile)).pool.max, 20);
    });

    it('rejects a file over maxBytes as refused: too-large', async () => {
      const path = await file('app.yaml', `features: [${'"x", '.repeat(100)}"y"]\n`);
      const e = await rejection(loadConfig(path, yamlProfile, { maxBytes: 64 }));
      assert.equal(e.refused, 'too-large');
      assert.equal((await loadConfig(path, yamlProfile, { maxBytes: 4096 })).features.length, 101);
    });

    it('rejects a file outside the root as refused: outside-root', async () => {
      const path = await file('app.yaml', 'pool:\n  max: 20\n');
      const root = join(dir, 'root');
      await mkdir(root);
      assert.equal(
        (await rejection(loadConfig(path, yamlProfile, { root }))).refused,
        'outside-root',
      );
      assert.equal((await loadConfig(path, yamlProfile, { root: dir })).pool.max, 20);
    });

    it('rejects an invalid file with every problem at file, line and column', async () => {
      const path = await file(
        'app.yaml',
        'server:\n  port: "eighty"\npool:\n  min: 2\n  max: ten\n',
      );
      const e = await rejection(loadConfig(path, yamlProfile));
      assert.equal(e.refused, undefined);
      assert.deepEqual(e.problems.map(formatProblem), [
        `${path}:2:9: server.port: expected a number, got "eighty"`,
        `${path}:5:8: pool.max: expected a number, got "ten"`,
      ]);
      assert.equal(
        e.message,
        [`Invalid configuration ${path}:`, ...e.problems.map((p) => `  ${formatProblem(p)}`)].join(
          '\n',
        ),
      );
    });

    it('rejects a syntax error at its line and column', async () => {
      const path = await file('app.json', '{\n  "pool": { "min": 1,, }\n}\n');
      const e = await rejection(loadConfig(path, jsonProfile));
      assert.ok(e.problems.length > 0);
      for (const p of e.problems) {
        assert.equal(p.file, path);
        assert.equal(p.line, 2);
        assert.equal(typeof p.column, 'number');
      }
    });

    it('rejects what the profile’s validate refuses', async () => {
      const path = await file('app.yaml', 'pool:\n  min: 50\n');
      const e = await rejection(loadConfig(path, yamlProfile));
      assert.deepEqual(
        e.problems.map((p) => p.message),
        ['pool.min must not exceed pool.max'],
      );
    });

    it('never shows a secret’s value in the error', async () => {
      const path = await file('app.yaml', 'db:\n  password: 31415926\n');
      const e = await rejection(loadConfig(path, yamlProfile));
      assert.match(e.message, /db\.password/);
      assert.doesNotMatch(e.message, /31415926/);
    });

    it('rejects an empty file (what a truncate-then-write leaves half-way)', async () => {
      const path = await file('app.yaml', '');
      const e = await rejection(loadConfig(path, yamlProfile));
      assert.equal(e.refused, undefined);
      assert.match(e.message, /empty/);
    });

    it('rejects a relative path with `..` as a ConfigError, not a throw', async () => {
      const path = await file('app.yaml', 'pool:\n  max: 20\n');
      const sneaky = join('..', relative(join(process.cwd(), '..'), path));
      assert.ok(sneaky.startsWith('..'));
      const e = await rejection(loadConfig(sneaky, yamlProfile));
      assert.equal(e.refused, 'path');
      assert.match(e.message, /a relative path may not contain "\.\." segments/);
    });
  });

  describe('loadConfigFile', () => {
    it('resolves with the config and what reading it showed', async () => {
      const path = await file('app.yaml', '%YAML 1.3\n---\npool:\n  max: 20\n');
      const r = await loadConfigFile(path, yamlProfile);
      assert.ok(E.isRight(r));
      assert.equal(r.right.config.pool.max, 20);
      assert.deepEqual(r.right.files, [path]);
      assert.deepEqual(r.right.watched, [path]);
      assert.deepEqual(
        r.right.warnings.map((w) => [w.severity, w.line]),
        [['warning', 1]],
      );
    });

    it('never rejects: each bad file is a Left holding a ConfigError', async () => {
      const insecure = await file('insecure.yaml', 'pool: {}\n');
      await chmod(insecure, 0o666);
      const cases: ReadonlyArray<readonly [string, string, string | undefined]> = [
        [join(dir, 'missing.yaml'), 'no such file', undefined],
        [insecure, 'world-writable', 'insecure'],
        [await file('bad.yaml', 'pool:\n  max: ten\n'), 'expected a number', undefined],
        [await file('syntax.yaml', 'pool: [1, 2\n'), '', undefined],
        [dir, 'not a regular file|not a file', undefined],
        ['../x/../app.yaml', 'relative path', 'path'],
        ['', 'empty', 'path'],
      ];
      for (const [path, message, refused] of cases) {
        const r = await loadConfigFile(path, yamlProfile);
        assert.ok(E.isLeft(r), path);
        assert.ok(r.left instanceof ConfigError, path);
        assert.match(r.left.message, new RegExp(message), path);
        assert.equal(r.left.refused, refused, path);
      }
    });

    it('gives up with a ConfigError on a file that keeps changing while it is read', async () => {
      const path = await file('app.yaml', 'pool:\n  max: 20\n');
      // A writer that appends after every read: each read sees the file move under it.
      let reads = 0;
      const busy: FsPort = {
        ...nodeFs,
        readFile: async (p, options) => {
          const bytes = await nodeFs.readFile(p, options);
          reads++;
          await appendFile(p, '# more\n');
          return bytes;
        },
      };
      const r = await loadConfigFile(path, yamlProfile, { fs: busy });
      assert.ok(E.isLeft(r));
      assert.match(r.left.message, /kept changing while being read \(5 attempts\)/);
      assert.equal(reads, 5);
    });
  });
});
