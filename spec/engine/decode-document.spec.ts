import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Either, isLeft, isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { formatProblem, type Problem } from '../../lib/core/problem.js';
import { decodeDocument, redacted } from '../../lib/engine/decode-document.js';
import type { Format, ParsedDocument } from '../../lib/engine/format.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { yamlFormat } from '../../lib/formats/yaml.js';
import { parsed } from '../support/formats.js';

const AppConfig = t.type({
  server: t.type({ port: t.number }),
  pool: t.type({ min: t.number, max: t.number }),
  features: t.array(t.string),
  apiKey: t.string,
});
type AppConfig = t.TypeOf<typeof AppConfig>;
const defaults: AppConfig = {
  server: { port: 8080 },
  pool: { min: 1, max: 10 },
  features: ['metrics', 'tracing'],
  apiKey: 'dev-key',
};

const lines = (r: Either<ReadonlyArray<Problem>, unknown>): string[] => {
  if (!isLeft(r)) assert.fail(`decoded: ${JSON.stringify(r.right)}`);
  return r.left.map(formatProblem);
};

describe('decodeDocument', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-decode-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // A real file, written and read back, as the engine will hand it over.
  async function load(format: Format, name: string, text: string): Promise<ParsedDocument> {
    const path = join(dir, name);
    await writeFile(path, text);
    return parsed(format, await readFile(path), name);
  }

  it('lays the file over the defaults: objects merge, arrays replace', async () => {
    const doc = await load(yamlFormat, 'app.yaml', 'pool:\n  max: 20\nfeatures: [audit]\n');
    assert.deepEqual(decodeDocument(doc, AppConfig, defaults), {
      _tag: 'Right',
      right: {
        server: { port: 8080 },
        pool: { min: 1, max: 20 },
        features: ['audit'],
        apiKey: 'dev-key',
      },
    });
  });

  it('returns a deleted key to its default on the next load, and never changes the defaults', async () => {
    const before = JSON.stringify(defaults);
    const first = decodeDocument(
      await load(yamlFormat, 'app.yaml', 'pool:\n  max: 20\n'),
      AppConfig,
      defaults,
    );
    assert.ok(isRight(first) && first.right.pool.max === 20);
    const second = decodeDocument(
      await load(yamlFormat, 'app.yaml', 'pool: {}\n'),
      AppConfig,
      defaults,
    );
    assert.ok(isRight(second) && second.right.pool.max === 10);
    const empty = decodeDocument(
      await load(yamlFormat, 'app.yaml', '# all defaults\n'),
      AppConfig,
      defaults,
    );
    assert.deepEqual(empty, { _tag: 'Right', right: defaults });
    assert.ok(isRight(empty) && empty.right !== defaults && empty.right.pool !== defaults.pool);
    assert.equal(JSON.stringify(defaults), before);
  });

  it('locates a codec error at the line and column of the value, in YAML', async () => {
    const text = [
      '# app.yaml',
      'server:',
      '  port: 8080',
      '',
      'pool:',
      '  min: 2',
      '  max: ten',
      '',
    ].join('\n');
    const r = decodeDocument(await load(yamlFormat, 'app.yaml', text), AppConfig, defaults);
    assert.deepEqual(lines(r), ['app.yaml:7:8: pool.max: expected a number, got "ten"']);
    assert.ok(isLeft(r));
    assert.deepEqual(r.left[0], {
      severity: 'error',
      message: 'pool.max: expected a number, got "ten"',
      field: 'pool.max',
      file: 'app.yaml',
      line: 7,
      column: 8,
    });
  });

  it('reports every problem at once, in file order, in JSON', async () => {
    const text =
      '{\n  "features": ["a", 2, "c", false],\n  "server": {"port": "80"},\n  "pool": {"max": null, "min": -1}\n}\n';
    const r = decodeDocument(await load(jsonFormat, 'app.json', text), AppConfig, defaults);
    assert.deepEqual(lines(r), [
      'app.json:2:21: features.1: expected a string, got 2',
      'app.json:2:29: features.3: expected a string, got false',
      'app.json:3:22: server.port: expected a number, got "80"',
      'app.json:4:19: pool.max: expected a number, got null',
    ]);
  });

  it('points a missing required key at the object that should hold it', async () => {
    const Upstreams = t.type({ upstreams: t.array(t.type({ host: t.string, port: t.number })) });
    const text = 'upstreams:\n  - host: a\n    port: 1\n  - host: b\n';
    const r = decodeDocument(await load(yamlFormat, 'app.yaml', text), Upstreams, {
      upstreams: [],
    });
    assert.deepEqual(lines(r), ['app.yaml:4:5: upstreams.1.port: missing (expected a number)']);
  });

  it('points a missing key under an empty document at the file, with no line', async () => {
    const Needs = t.type({ port: t.number });
    const r = decodeDocument(await load(yamlFormat, 'app.yaml', '# nothing\n'), Needs, {} as never);
    assert.deepEqual(lines(r), ['app.yaml: port: missing (expected a number)']);
  });

  it('gives no file or line to a value that came only from the defaults', async () => {
    const badDefaults = { ...defaults, server: { port: 'eighty' } } as unknown as AppConfig;
    const r = decodeDocument(
      await load(yamlFormat, 'app.yaml', 'pool:\n  max: x\n'),
      AppConfig,
      badDefaults,
    );
    assert.ok(isLeft(r));
    assert.deepEqual(r.left.map(formatProblem), [
      'app.yaml:2:8: pool.max: expected a number, got "x"',
      'server.port: expected a number, got "eighty"',
    ]);
    assert.equal(r.left[1]?.file, undefined);
    assert.equal(r.left[1]?.line, undefined);
  });

  it('says what the whole document should be when it is the wrong kind', async () => {
    const r = decodeDocument(await load(jsonFormat, 'app.json', '[1, 2]'), AppConfig, defaults);
    assert.deepEqual(lines(r), ['app.json:1:1: expected an object, got an array']);
  });

  it('never shows a secret value, in any message, nor in a codec message of its own', async () => {
    const Hex = new t.Type<string, string, unknown>(
      'Hex',
      (u): u is string => typeof u === 'string' && /^[0-9a-f]+$/.test(u),
      (u, c) =>
        typeof u === 'string' && /^[0-9a-f]+$/.test(u)
          ? t.success(u)
          : t.failure(u, c, `not hex: ${String(u)}`),
      (a) => a,
    );
    const Secretive = t.type({
      apiKey: t.string,
      db: t.type({ user: t.string, password: Hex }),
      upstreams: t.array(t.type({ host: t.string, token: t.string })),
    });
    const text = [
      'apiKey: 123456789',
      'db:',
      '  user: 42',
      '  password: zz-top-secret',
      'upstreams:',
      '  - host: a',
      '    token: [s3cr3t-token]',
      '',
    ].join('\n');
    const doc = await load(yamlFormat, 'app.yaml', text);
    const r = decodeDocument(
      doc,
      Secretive,
      { apiKey: '', db: { user: '', password: '' }, upstreams: [] },
      { secrets: ['apiKey', 'db.password', 'upstreams.*.token'] },
    );
    assert.deepEqual(lines(r), [
      `app.yaml:1:9: apiKey: expected a string, got ${redacted}`,
      'app.yaml:3:9: db.user: expected a string, got 42',
      `app.yaml:4:13: db.password: expected Hex, got ${redacted}`,
      `app.yaml:7:12: upstreams.0.token: expected a string, got ${redacted}`,
    ]);
    // Without the secret list, the same file shows its values (so the test above can fail).
    assert.deepEqual(
      lines(
        decodeDocument(doc, Secretive, {
          apiKey: '',
          db: { user: '', password: '' },
          upstreams: [],
        }),
      ),
      [
        'app.yaml:1:9: apiKey: expected a string, got 123456789',
        'app.yaml:3:9: db.user: expected a string, got 42',
        'app.yaml:4:13: db.password: not hex: zz-top-secret',
        'app.yaml:7:12: upstreams.0.token: expected a string, got an array',
      ],
    );
  });

  it('never shows a secret, whatever the document holds (property)', async () => {
    const secretText = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `SECRET-${s}`);
    const secretValue = fc.oneof(
      secretText,
      fc.array(secretText, { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b'), secretText),
    );
    await fc.assert(
      fc.property(secretValue, fc.jsonValue({ maxDepth: 2 }), (secret, noise) => {
        const value = { apiKey: secret, pool: noise, server: { port: secret } };
        const doc: ParsedDocument = {
          value,
          locate: () => ({ file: 'app.yaml', line: 1, column: 1 }),
          files: ['app.yaml'],
          watched: ['app.yaml'],
          warnings: [],
        };
        const r = decodeDocument(doc, AppConfig, defaults, { secrets: ['apiKey', 'server.port'] });
        const text = isLeft(r) ? r.left.map(formatProblem).join('\n') : '';
        assert.ok(!text.includes('SECRET-'), text);
      }),
    );
  });

  it('reports the branch of a union the value meant, not a wall of errors', async () => {
    const Storage = t.union([
      t.type({ kind: t.literal('memory') }),
      t.type({ kind: t.literal('disk'), path: t.string, sizeMb: t.number }),
    ]);
    const App = t.type({
      logLevel: t.union([t.literal('debug'), t.literal('info'), t.literal('warn')]),
      storage: Storage,
      timeout: t.union([t.number, t.null]),
    });
    const base: t.TypeOf<typeof App> = {
      logLevel: 'info',
      storage: { kind: 'memory' },
      timeout: null,
    };
    const text = 'logLevel: verbose\nstorage: {kind: disk, path: 5, sizeMb: 1}\ntimeout: soon\n';
    assert.deepEqual(lines(decodeDocument(await load(yamlFormat, 'app.yaml', text), App, base)), [
      'app.yaml:1:11: logLevel: expected "debug", "info" or "warn", got "verbose"',
      'app.yaml:2:29: storage.path: expected a string, got 5',
      'app.yaml:3:10: timeout: expected a number or null, got "soon"',
    ]);
    const unknownKind = await load(yamlFormat, 'app.yaml', 'storage:\n  kind: cloud\n');
    assert.deepEqual(lines(decodeDocument(unknownKind, App, base)), [
      'app.yaml:2:9: storage.kind: expected "memory" or "disk", got "cloud"',
    ]);
    const notAnObject = await load(yamlFormat, 'app.yaml', 'storage: 3\n');
    assert.deepEqual(lines(decodeDocument(notAnObject, App, base)), [
      'app.yaml:1:10: storage: expected an object, got 3',
    ]);
  });

  it('picks the union branch that took the value shape, an untagged one too', async () => {
    const Target = t.union([
      t.type({ host: t.string, port: t.number }),
      t.type({ socket: t.string }),
      t.string,
    ]);
    const App = t.type({ target: Target });
    const doc = await load(yamlFormat, 'app.yaml', 'target:\n  host: db\n  port: "5432"\n');
    assert.deepEqual(lines(decodeDocument(doc, App, { target: 'localhost' })), [
      'app.yaml:3:9: target.port: expected a number, got "5432"',
    ]);
    const wrong = await load(yamlFormat, 'app.yaml', 'target: 12\n');
    assert.deepEqual(lines(decodeDocument(wrong, App, { target: 'localhost' })), [
      'app.yaml:1:9: target: expected an object or a string, got 12',
    ]);
  });

  it('names paths through intersections, partials, exact, readonly, records and refinements', async () => {
    const Port = t.brand(
      t.number,
      (n): n is t.Branded<number, { readonly Port: unique symbol }> => n >= 1 && n <= 65535,
      'Port',
    );
    const App = t.intersection([
      t.type({ name: t.string }),
      t.partial({ limits: t.record(t.string, t.number), workers: t.Int }),
      t.exact(t.type({ ports: t.readonlyArray(Port) })),
      t.readonly(t.type({ mode: t.keyof({ fast: null, safe: null }) })),
    ]);
    const base = { name: 'x', ports: [80], mode: 'safe' } as unknown as t.TypeOf<typeof App>;
    const text = 'name: 1\nlimits: {cpu: lots}\nworkers: 1.5\nports: [80, 70000]\nmode: slow\n';
    assert.deepEqual(lines(decodeDocument(await load(yamlFormat, 'app.yaml', text), App, base)), [
      'app.yaml:1:7: name: expected a string, got 1',
      'app.yaml:2:15: limits.cpu: expected a number, got "lots"',
      'app.yaml:3:10: workers: expected an integer, got 1.5',
      'app.yaml:4:13: ports.1: expected Port (a number), got 70000',
      'app.yaml:5:7: mode: expected "fast" or "safe", got "slow"',
    ]);
  });

  it('reports one problem once, even when two branches of an intersection both find it', async () => {
    const App = t.intersection([
      t.type({ port: t.number }),
      t.type({ port: t.number, host: t.string }),
    ]);
    const r = decodeDocument(await load(yamlFormat, 'app.yaml', 'port: x\nhost: h\n'), App, {
      port: 1,
      host: 'a',
    });
    assert.deepEqual(lines(r), ['app.yaml:1:7: port: expected a number, got "x"']);
  });

  it('meets the defaults in encoded form, so a codec that transforms values works', async () => {
    const DateFromIso = new t.Type<Date, string, unknown>(
      'DateFromIso',
      (u): u is Date => u instanceof Date,
      (u, c) => {
        const d = typeof u === 'string' ? new Date(u) : undefined;
        return d !== undefined && !Number.isNaN(d.getTime()) ? t.success(d) : t.failure(u, c);
      },
      (d) => d.toISOString(),
    );
    const App = t.type({ since: DateFromIso, name: t.string });
    const since = new Date('2020-01-02T03:04:05.000Z');
    const r = decodeDocument(await load(yamlFormat, 'app.yaml', 'name: x\n'), App, {
      since,
      name: 'd',
    });
    assert.ok(isRight(r));
    assert.equal(r.right.since.getTime(), since.getTime());
    const bad = decodeDocument(await load(yamlFormat, 'app.yaml', 'since: tomorrow\n'), App, {
      since,
      name: 'd',
    });
    assert.deepEqual(lines(bad), ['app.yaml:1:8: since: expected DateFromIso, got "tomorrow"']);
  });

  it('never throws, whatever the document holds (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const doc: ParsedDocument = {
          value,
          locate: () => undefined,
          files: ['app.json'],
          watched: ['app.json'],
          warnings: [],
        };
        const r = decodeDocument(doc, AppConfig, defaults, { secrets: ['apiKey'] });
        if (isLeft(r)) {
          assert.ok(r.left.length > 0);
          for (const p of r.left) assert.ok(p.severity === 'error' && p.message.length > 0);
        }
      }),
    );
  });

  it('shortens a long string it shows', async () => {
    const r = decodeDocument(
      await load(yamlFormat, 'app.yaml', `apiKey: 1\nserver: {port: ${'x'.repeat(100)}}\n`),
      AppConfig,
      defaults,
    );
    assert.deepEqual(lines(r), [
      'app.yaml:1:9: apiKey: expected a string, got 1',
      `app.yaml:2:16: server.port: expected a number, got "${'x'.repeat(40)}…"`,
    ]);
  });
});
