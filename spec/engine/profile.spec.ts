import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { formatProblem, type Problem } from '../../lib/core/problem.js';
import type { Format, ParsedDocument } from '../../lib/engine/format.js';
import { defineProfile, type Profile, type ProfileSpec } from '../../lib/engine/profile.js';
import { sameValue } from '../../lib/engine/same-value.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { yamlFormat } from '../../lib/formats/yaml.js';
import { parsed } from '../support/formats.js';

const AppConfig = t.type({
  server: t.type({ port: t.number, host: t.string }),
  pool: t.type({ min: t.number, max: t.number }),
  features: t.array(t.string),
  db: t.type({ password: t.string }),
});
type AppConfig = t.TypeOf<typeof AppConfig>;

const defaults: AppConfig = {
  server: { port: 8080, host: 'localhost' },
  pool: { min: 1, max: 10 },
  features: [],
  db: { password: '' },
};

const spec: ProfileSpec<AppConfig> = {
  name: 'app',
  format: yamlFormat,
  codec: AppConfig,
  defaults,
};

const poolRule = (c: AppConfig): ReadonlyArray<Problem> =>
  c.pool.min > c.pool.max
    ? [{ severity: 'error', message: 'pool.min must not exceed pool.max', field: 'pool.min' }]
    : [];

// A config whose every level may be absent: where "a path absent on one side" happens.
const Loose = t.partial({
  server: t.partial({ port: t.number, host: t.string }),
  servers: t.record(t.string, t.partial({ url: t.string, password: t.string })),
  list: t.array(t.partial({ password: t.string })),
  level: t.string,
});
type Loose = t.TypeOf<typeof Loose>;

const looseProfile = (lists: Pick<ProfileSpec<Loose>, 'reloadable' | 'restartRequired'>) =>
  defineProfile<Loose>({ name: 'loose', format: jsonFormat, codec: Loose, defaults: {}, ...lists });

// The value at a dotted path ('' is the whole config); undefined where any step is absent.
function at(value: unknown, field: string): unknown {
  if (field === '') return value;
  let v: unknown = value;
  for (const key of field.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const key = fc.constantFrom('a', 'b');
const looseConfig: fc.Arbitrary<Loose> = fc.record(
  {
    server: fc.record(
      { port: fc.constantFrom(1, 2), host: fc.constantFrom('h1', 'h2') },
      { requiredKeys: [], noNullPrototype: true },
    ),
    servers: fc.dictionary(
      key,
      fc.record(
        { url: fc.constantFrom('u1', 'u2'), password: fc.constantFrom('p1', 'p2') },
        { requiredKeys: [], noNullPrototype: true },
      ),
      { noNullPrototype: true },
    ),
    list: fc.array(
      fc.record(
        { password: fc.constantFrom('p1', 'p2') },
        { requiredKeys: [], noNullPrototype: true },
      ),
      {
        maxLength: 2,
      },
    ),
    level: fc.constantFrom('info', 'debug'),
  },
  { requiredKeys: [], noNullPrototype: true },
);

describe('defineProfile', () => {
  describe('refuses a programmer’s mistake with a TypeError', () => {
    const refuses = (given: unknown, message: RegExp) =>
      assert.throws(
        () => defineProfile(given as ProfileSpec<AppConfig>),
        (e: unknown) => {
          assert.ok(e instanceof TypeError, String(e));
          assert.match(e.message, message);
          return true;
        },
      );

    it('no spec at all', () => {
      refuses(undefined, /defineProfile needs a spec/);
      refuses(null, /defineProfile needs a spec/);
    });

    it('no name, or an empty one', () => {
      refuses({ ...spec, name: undefined }, /a profile needs a name/);
      refuses({ ...spec, name: '' }, /a profile needs a name/);
      refuses({ ...spec, name: 42 }, /a profile needs a name/);
    });

    it('no format, or one without parse', () => {
      refuses({ ...spec, format: undefined }, /profile app: format has no parse/);
      refuses({ ...spec, format: { name: 'x' } }, /profile app: format has no parse/);
    });

    it('no codec, or something that is not an io-ts codec', () => {
      refuses({ ...spec, codec: undefined }, /profile app: codec is not an io-ts codec/);
      refuses({ ...spec, codec: { is: () => true } }, /profile app: codec is not an io-ts codec/);
    });

    it('both reloadable and restartRequired', () => {
      refuses(
        { ...spec, reloadable: ['pool'], restartRequired: ['server.port'] },
        /give reloadable or restartRequired, not both/,
      );
      // Even empty lists: which of the two was meant cannot be told.
      refuses({ ...spec, reloadable: [], restartRequired: [] }, /not both/);
    });

    it('path lists that are not lists of non-empty strings', () => {
      refuses({ ...spec, reloadable: 'pool' }, /reloadable must be a list of dotted paths/);
      refuses({ ...spec, reloadable: [''] }, /reloadable must be a list of dotted paths/);
      refuses({ ...spec, restartRequired: [1] }, /restartRequired must be a list of dotted paths/);
      refuses(
        { ...spec, restartRequired: ['server.port', null] },
        /restartRequired must be a list/,
      );
      refuses({ ...spec, secrets: 'db.password' }, /secrets must be a list of dotted paths/);
      refuses({ ...spec, secrets: [''] }, /secrets must be a list of dotted paths/);
    });

    it('defaults the codec refuses', () => {
      refuses(
        { ...spec, defaults: { ...defaults, pool: { min: 1 } } },
        /codec refuses its own defaults/,
      );
      refuses({ ...spec, defaults: undefined }, /codec refuses its own defaults/);
    });

    it('defaults that fail validate, naming each error', () => {
      refuses(
        { ...spec, defaults: { ...defaults, pool: { min: 5, max: 2 } }, validate: poolRule },
        /profile app: its defaults are invalid: pool\.min must not exceed pool\.max/,
      );
    });
  });

  it('accepts defaults that validate only warns about', () => {
    const profile = defineProfile({
      ...spec,
      validate: () => [{ severity: 'warning', message: 'pool is small' }],
    });
    assert.deepEqual(profile.validate(defaults), [
      { severity: 'warning', message: 'pool is small' },
    ]);
  });

  it('builds a frozen profile with what it was given, and copies of its lists', () => {
    const secrets = ['db.password'];
    const restartRequired = ['server.port'];
    const profile = defineProfile({ ...spec, secrets, restartRequired, validate: poolRule });
    assert.ok(Object.isFrozen(profile));
    assert.ok(Object.isFrozen(profile.secrets));
    assert.equal(profile.name, 'app');
    assert.equal(profile.format, yamlFormat);
    assert.equal(profile.codec, AppConfig);
    assert.equal(profile.defaults, defaults);
    assert.equal(profile.validate, poolRule);
    assert.equal(Reflect.set(profile, 'name', 'other'), false);
    assert.equal(profile.name, 'app');
    // Changing the caller's arrays later changes nothing.
    secrets.push('server.host');
    restartRequired.push('pool');
    assert.deepEqual(profile.secrets, ['db.password']);
    assert.equal(profile.isReloadable('pool.max'), true);
  });

  it('validates nothing when no validate is given', () => {
    const profile = defineProfile(spec);
    assert.deepEqual(profile.validate({ ...defaults, pool: { min: 9, max: 1 } }), []);
    assert.deepEqual(profile.secrets, []);
  });

  describe('isReloadable', () => {
    it('with `reloadable`: only those paths and what lies under them reload', () => {
      const p = defineProfile({ ...spec, reloadable: ['pool', 'features'] });
      assert.equal(p.isReloadable('pool'), true);
      assert.equal(p.isReloadable('pool.max'), true);
      assert.equal(p.isReloadable('features'), true);
      assert.equal(p.isReloadable('poolSize'), false);
      assert.equal(p.isReloadable('server.port'), false);
      assert.equal(p.isReloadable('server'), false);
      assert.equal(p.isReloadable(''), false);
    });

    it('with `reloadable` naming a leaf: its parent changing as a whole needs a restart', () => {
      const p = defineProfile({ ...spec, reloadable: ['pool.max'] });
      assert.equal(p.isReloadable('pool.max'), true);
      assert.equal(p.isReloadable('pool.min'), false);
      assert.equal(p.isReloadable('pool'), false);
    });

    it('with `restartRequired`: those paths and what lies under them need a restart', () => {
      const p = defineProfile({ ...spec, restartRequired: ['server.port'] });
      assert.equal(p.isReloadable('server.port'), false);
      assert.equal(p.isReloadable('server.port.tls'), false);
      assert.equal(p.isReloadable('server.host'), true);
      assert.equal(p.isReloadable('server.portRange'), true);
      assert.equal(p.isReloadable('pool.max'), true);
      assert.equal(p.isReloadable('pool'), true);
    });

    it('with `restartRequired`: a change at a parent of such a path needs a restart too', () => {
      const p = defineProfile({ ...spec, restartRequired: ['server.port'] });
      // `server` replaced whole (added, removed, or no longer an object) changes server.port.
      assert.equal(p.isReloadable('server'), false);
      assert.equal(p.isReloadable(''), false);
    });

    it('with `*` segments: any one key', () => {
      const restart = defineProfile({ ...spec, restartRequired: ['servers.*.password'] });
      assert.equal(restart.isReloadable('servers.a.password'), false);
      assert.equal(restart.isReloadable('servers.0.password'), false);
      assert.equal(restart.isReloadable('servers.a.url'), true);
      assert.equal(restart.isReloadable('servers.a'), false);
      assert.equal(restart.isReloadable('servers'), false);
      assert.equal(restart.isReloadable('other.a.password'), true);
      const reload = defineProfile({ ...spec, reloadable: ['servers.*.url'] });
      assert.equal(reload.isReloadable('servers.a.url'), true);
      assert.equal(reload.isReloadable('servers.b.url'), true);
      assert.equal(reload.isReloadable('servers.a.password'), false);
      assert.equal(reload.isReloadable('servers.a'), false);
    });

    it('with neither: everything reloads', () => {
      const p = defineProfile(spec);
      for (const path of ['', 'server', 'server.port', 'pool.max', 'anything.at.all']) {
        assert.equal(p.isReloadable(path), true, path);
      }
    });
  });

  describe('the default diff', () => {
    it('is by dotted path, secrets redacted, flags from isReloadable', () => {
      const p = defineProfile({
        ...spec,
        restartRequired: ['server.port'],
        secrets: ['db.password'],
      });
      const changes = p.diff(defaults, {
        ...defaults,
        server: { port: 9090, host: 'localhost' },
        pool: { min: 1, max: 20 },
        db: { password: 'hunter2' },
      });
      assert.deepEqual(
        changes.map((c) => [c.text, c.reloadable]),
        [
          ['server.port: 8080 -> 9090', false],
          ['pool.max: 10 -> 20', true],
          ['db.password: [REDACTED] -> [REDACTED]', true],
        ],
      );
    });
  });

  describe('keepRestartRequired', () => {
    const current: AppConfig = {
      server: { port: 8080, host: 'a' },
      pool: { min: 1, max: 10 },
      features: ['x'],
      db: { password: 'old' },
    };
    const fromFile: AppConfig = {
      server: { port: 9090, host: 'b' },
      pool: { min: 2, max: 20 },
      features: ['y'],
      db: { password: 'new' },
    };

    it('with `restartRequired`: those paths keep their value from current, the rest is the file’s', () => {
      const p = defineProfile({ ...spec, restartRequired: ['server.port', 'db'] });
      assert.deepEqual(p.keepRestartRequired(current, fromFile), {
        server: { port: 8080, host: 'b' },
        pool: { min: 2, max: 20 },
        features: ['y'],
        db: { password: 'old' },
      });
    });

    it('with `reloadable`: only those paths come from the file', () => {
      const p = defineProfile({ ...spec, reloadable: ['pool.max', 'features'] });
      assert.deepEqual(p.keepRestartRequired(current, fromFile), {
        server: { port: 8080, host: 'a' },
        pool: { min: 1, max: 20 },
        features: ['y'],
        db: { password: 'old' },
      });
    });

    it('touches neither argument, and shares nothing with them', () => {
      const p = defineProfile({ ...spec, restartRequired: ['server.port'] });
      const a = structuredClone(current);
      const b = structuredClone(fromFile);
      const out = p.keepRestartRequired(a, b);
      assert.deepEqual(a, current);
      assert.deepEqual(b, fromFile);
      assert.notEqual(out.pool, b.pool);
      assert.notEqual(out.server, a.server);
    });

    it('with `*`: the path under every key on either side', () => {
      const p = looseProfile({ restartRequired: ['servers.*.password'] });
      const out = p.keepRestartRequired(
        { servers: { a: { url: 'u1', password: 'p1' }, b: { url: 'u1', password: 'p1' } } },
        { servers: { a: { url: 'u2', password: 'p2' }, b: { url: 'u2' } } },
      );
      assert.deepEqual(out, {
        servers: { a: { url: 'u2', password: 'p1' }, b: { url: 'u2', password: 'p1' } },
      });
      const r = looseProfile({ reloadable: ['servers.*.url'] });
      assert.deepEqual(
        r.keepRestartRequired(
          { servers: { a: { url: 'u1', password: 'p1' } } },
          { servers: { a: { url: 'u2', password: 'p2' }, b: { url: 'u3', password: 'p3' } } },
        ),
        { servers: { a: { url: 'u2', password: 'p1' } } },
      );
    });

    it('a restart-only path absent from current stays absent; one absent from the file stays', () => {
      const p = looseProfile({ restartRequired: ['server.port'] });
      assert.deepEqual(
        p.keepRestartRequired({ server: { host: 'h1' } }, { server: { port: 2, host: 'h2' } }),
        { server: { host: 'h2' } },
      );
      assert.deepEqual(
        p.keepRestartRequired({ server: { port: 1, host: 'h1' } }, { server: { host: 'h2' } }),
        { server: { port: 1, host: 'h2' } },
      );
    });

    it('a parent absent on one side is a change of the parent, kept back whole', () => {
      const p = looseProfile({ restartRequired: ['server.port'] });
      // diff: `server: (unset) -> {...}`, which needs a restart; so none of it goes live.
      assert.deepEqual(
        p.keepRestartRequired({ level: 'info' }, { server: { port: 2, host: 'h2' } }),
        {},
      );
      assert.deepEqual(
        p.keepRestartRequired({ server: { port: 1, host: 'h1' } }, { level: 'debug' }),
        { server: { port: 1, host: 'h1' }, level: 'debug' },
      );
    });

    it('a `*` path into a list keeps the list (lists change whole)', () => {
      const p = looseProfile({ restartRequired: ['list.*.password'] });
      assert.equal(p.isReloadable('list'), false);
      assert.deepEqual(
        p.keepRestartRequired(
          { list: [{ password: 'p1' }] },
          { list: [{ password: 'p2' }], level: 'x' },
        ),
        { list: [{ password: 'p1' }], level: 'x' },
      );
    });

    // What the engine relies on: the result differs from current exactly by the diff's
    // reloadable changes, and holds current's value wherever the diff says "needs a restart".
    const lists: ReadonlyArray<Pick<ProfileSpec<Loose>, 'reloadable' | 'restartRequired'>> = [
      { restartRequired: ['server.port'] },
      { restartRequired: ['servers.*.password', 'level'] },
      { restartRequired: ['list.*.password', 'server'] },
      { restartRequired: ['servers.a.url'] },
      { reloadable: ['server.host', 'servers.*.url'] },
      { reloadable: ['servers', 'list'] },
      { reloadable: ['level', 'servers.b'] },
      {},
    ];
    for (const given of lists) {
      it(`applies exactly the diff's reloadable changes: ${JSON.stringify(given)}`, () => {
        const p = looseProfile(given);
        fc.assert(
          fc.property(looseConfig, looseConfig, (cur, file) => {
            const next = p.keepRestartRequired(cur, file);
            assert.ok(Loose.is(next));
            const all = p.diff(cur, file);
            for (const c of all) {
              const want = c.reloadable ? c.to : c.from;
              assert.ok(sameValue(at(next, c.field), want), `${c.text} (${c.reloadable})`);
            }
            const applied = p.diff(cur, next);
            assert.deepEqual(
              applied.map((c) => [c.field, c.to]),
              all.filter((c) => c.reloadable).map((c) => [c.field, c.to]),
            );
          }),
        );
      });
    }
  });

  describe('the default decode', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotrc-profile-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function documentOf(format: Format, name: string, text: string): Promise<ParsedDocument> {
      const path = join(dir, name);
      await writeFile(path, text);
      return parsed(format, await readFile(path), path);
    }

    it('lays the document over context.base (not the defaults) and decodes it with the codec', async () => {
      const p = defineProfile(spec);
      const doc = await documentOf(yamlFormat, 'app.yaml', 'pool:\n  max: 20\nfeatures: [a]\n');
      const base: AppConfig = { ...defaults, server: { port: 7000, host: 'base' } };
      assert.deepEqual(p.decode(doc, { base, strict: false }), {
        _tag: 'Right',
        right: {
          config: {
            server: { port: 7000, host: 'base' },
            pool: { min: 1, max: 20 },
            features: ['a'],
            db: { password: '' },
          },
          warnings: [],
        },
      });
    });

    it('gives every codec error at once, located in the file', async () => {
      const p = defineProfile({ ...spec, format: jsonFormat });
      const path = join(dir, 'app.json');
      const doc = await documentOf(
        jsonFormat,
        'app.json',
        '{\n  "pool": { "max": "ten" },\n  "server": { "port": true }\n}\n',
      );
      const r = p.decode(doc, { base: defaults, strict: false });
      assert.ok(E.isLeft(r));
      assert.deepEqual(r.left.map(formatProblem), [
        `${path}:2:20: pool.max: expected a number, got "ten"`,
        `${path}:3:23: server.port: expected a number, got true`,
      ]);
    });

    it('never shows a secret’s value in a problem', async () => {
      const p = defineProfile({ ...spec, secrets: ['db.password'] });
      const doc = await documentOf(yamlFormat, 'app.yaml', 'db:\n  password: 123456789\n');
      const r = p.decode(doc, { base: defaults, strict: false });
      assert.ok(E.isLeft(r));
      const text = r.left.map(formatProblem).join('\n');
      assert.match(text, /db\.password/);
      assert.doesNotMatch(text, /123456789/);
      assert.match(text, /\[REDACTED\]/);
      // Without the secret, the same problem shows the value: the redaction is the profile's doing.
      const open = defineProfile(spec).decode(doc, { base: defaults, strict: false });
      assert.ok(E.isLeft(open));
      assert.match(open.left.map(formatProblem).join('\n'), /123456789/);
    });
  });

  describe('overrides', () => {
    it('uses spec.decode, spec.diff and spec.keepRestartRequired when given', () => {
      const calls: string[] = [];
      const doc: ParsedDocument = {
        value: ['not', 'the', 'config', 'shape'],
        locate: () => undefined,
        files: ['x'],
        watched: ['x'],
        warnings: [],
      };
      const p: Profile<AppConfig> = defineProfile({
        ...spec,
        restartRequired: ['server.port'],
        decode: (document, context) => {
          calls.push(`decode ${(document.value as string[]).length} ${context.strict}`);
          return E.right({
            config: context.base,
            warnings: [{ severity: 'info', message: 'mine' }],
          });
        },
        diff: (a, b) => {
          calls.push('diff');
          return [{ field: 'all', from: a, to: b, text: 'all: changed', reloadable: true }];
        },
        keepRestartRequired: (a) => {
          calls.push('keep');
          return a;
        },
      });
      assert.deepEqual(p.decode(doc, { base: defaults, strict: true }), {
        _tag: 'Right',
        right: { config: defaults, warnings: [{ severity: 'info', message: 'mine' }] },
      });
      assert.deepEqual(
        p.diff(defaults, defaults).map((c) => c.text),
        ['all: changed'],
      );
      assert.equal(
        p.keepRestartRequired(defaults, { ...defaults, pool: { min: 0, max: 0 } }),
        defaults,
      );
      assert.deepEqual(calls, ['decode 4 true', 'diff', 'keep']);
      // isReloadable is still the profile's own, from its lists.
      assert.equal(p.isReloadable('server.port'), false);
    });

    it('a default diff with an override of keepRestartRequired still redacts secrets', () => {
      const p = defineProfile({ ...spec, secrets: ['db'], keepRestartRequired: (a) => a });
      assert.deepEqual(
        p.diff(defaults, { ...defaults, db: { password: 'x' } }).map((c) => c.text),
        ['db.password: [REDACTED] -> [REDACTED]'],
      );
    });
  });
});
