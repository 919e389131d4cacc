import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Problem } from '../../lib/core/problem.js';
import { ConfigError } from '../../lib/engine/config-error.js';
import { decodeDocument } from '../../lib/engine/decode-document.js';
import type { FormatInput } from '../../lib/engine/format.js';
import {
  invalidRejection,
  type LoadFailure,
  loadDocument,
  loadDocumentNow,
  loadRejection,
} from '../../lib/engine/load-document.js';
import { defineProfile, type Profile } from '../../lib/engine/profile.js';
import type { Loaded } from '../../lib/engine/types.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { yamlFormat } from '../../lib/formats/yaml.js';
import { defaultFilePolicy } from '../../lib/sources/file-policy.js';
import { loadTorrc } from '../../lib/tor/config-file.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { memoryTorProfile } from '../support/memory-torrc-format.js';

const AppConfig = t.type({
  pool: t.type({ min: t.number, max: t.number }),
  features: t.array(t.string),
});
type AppConfig = t.TypeOf<typeof AppConfig>;
const defaults: AppConfig = { pool: { min: 1, max: 10 }, features: ['a'] };

const poolRule = (c: AppConfig): ReadonlyArray<Problem> => [
  ...(c.pool.min > c.pool.max
    ? [
        {
          severity: 'error' as const,
          message: 'pool.min must not exceed pool.max',
          field: 'pool.min',
        },
      ]
    : []),
  ...(c.pool.max > 100
    ? [{ severity: 'warning' as const, message: 'a big pool', field: 'pool.max' }]
    : []),
];

const appProfile = (format = yamlFormat): Profile<AppConfig> =>
  defineProfile({ name: 'app', format, codec: AppConfig, defaults, validate: poolRule });

const torContext = () => ({ base: defaultConfig(), strict: false });
const appContext = { base: defaults, strict: false };

const failure = <C>(r: E.Either<LoadFailure, Loaded<C>>): LoadFailure => {
  if (E.isRight(r)) assert.fail(`loaded: ${JSON.stringify(r.right.config)}`);
  return r.left;
};
const loaded = <C>(r: E.Either<LoadFailure, Loaded<C>>): Loaded<C> => {
  if (E.isLeft(r)) assert.fail(`rejected: ${r.left.rejection.reason}`);
  return r.right;
};

describe('loadDocument', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-load-document-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // A real file, written and read back, as a source hands it over.
  async function inputOf(name: string, text: string): Promise<FormatInput> {
    const file = join(dir, name);
    await writeFile(file, text);
    return {
      bytes: await readFile(file),
      file,
      signal: new AbortController().signal,
      policy: defaultFilePolicy,
    };
  }

  describe('a format failure', () => {
    it('that the file policy refused is a `security` rejection with that check as cause', async () => {
      const inc = join(dir, 'inc.conf');
      await writeFile(inc, 'LogLevel debug\n');
      await chmod(inc, 0o666);
      const input = await inputOf('torrc', 'SocksPort 9150\n%include inc.conf\n');
      const f = failure(await loadDocument(torProfile, input, torContext()));
      assert.equal(f.rejection.kind, 'security');
      assert.equal(f.rejection.cause, 'insecure');
      assert.equal(f.rejection.path, input.file);
      assert.match(f.rejection.reason, new RegExp(`^${input.file}:2: .*world-writable`));
      assert.equal(f.rejection.problems.length, 1);
      assert.ok(f.watched.includes(inc), f.watched.join(' '));
    });

    it('that the policy allows is no refusal', async () => {
      const inc = join(dir, 'inc.conf');
      await writeFile(inc, 'LogLevel debug\n');
      await chmod(inc, 0o666);
      const input = await inputOf('torrc', '%include inc.conf\n');
      const r = await loadDocument(
        torProfile,
        { ...input, policy: { ...defaultFilePolicy, allowInsecureMode: true } },
        torContext(),
      );
      assert.equal(loaded(r).config.LogLevel, 'debug');
    });

    it('of any other kind is `invalid`, every problem in the reason, the file watched', async () => {
      const input = await inputOf('app.json', '{\n  "pool": { "min": 1,, }\n}\n');
      const f = failure(await loadDocument(appProfile(jsonFormat), input, appContext));
      assert.equal(f.rejection.kind, 'invalid');
      assert.equal(f.rejection.cause, 'invalid');
      assert.match(f.rejection.reason, new RegExp(`^${input.file}:2:\\d+: `));
      assert.deepEqual(f.watched, [input.file]);
    });

    it('passes through what it looked at: a missing %include and its directory', async () => {
      const input = await inputOf('torrc', 'LogLevel info\n%include conf.d/extra.conf\n');
      const f = failure(await loadDocument(torProfile, input, torContext()));
      assert.equal(f.rejection.kind, 'invalid');
      assert.match(
        f.rejection.reason,
        new RegExp(`^${input.file}:2: %include "conf.d/extra.conf"`),
      );
      assert.deepEqual(f.watched, [
        input.file,
        join(dir, 'conf.d', 'extra.conf'),
        join(dir, 'conf.d'),
      ]);
    });
  });

  describe('decode problems', () => {
    it('reject the file with each problem located, in the reason and the problems', async () => {
      const input = await inputOf('app.yaml', 'pool:\n  min: two\nfeatures: [1]\n');
      const f = failure(await loadDocument(appProfile(), input, appContext));
      assert.equal(f.rejection.kind, 'invalid');
      assert.equal(f.rejection.reason.split('; ').length, 2);
      assert.match(
        f.rejection.reason,
        new RegExp(`${input.file}:2:8: pool.min: expected a number, got "two"`),
      );
      assert.match(f.rejection.reason, new RegExp(`${input.file}:3:12: features.0: `));
      assert.deepEqual(f.watched, [input.file]);
    });

    it('come with the document’s warnings, which the reason leaves out', async () => {
      const input = await inputOf('app.yaml', '%YAML 1.3\n---\npool:\n  min: two\n');
      const f = failure(await loadDocument(appProfile(), input, appContext));
      assert.deepEqual(
        f.rejection.problems.map((p) => [p.severity, p.line]),
        [
          ['warning', 1],
          ['error', 4],
        ],
      );
      assert.doesNotMatch(f.rejection.reason, /Unsupported YAML version/);
    });

    it('are the profile’s own: the Tor profile puts each on its line, strict as asked', async () => {
      const input = await inputOf('torrc', 'LogLevel info\nNoSuchOption 1\nConnLimit 0\n');
      const f = failure(await loadDocument(torProfile, input, torContext()));
      assert.deepEqual(
        f.rejection.problems.filter((p) => p.severity === 'error').map((p) => p.line),
        [3],
      );
      const strict = failure(
        await loadDocument(torProfile, input, { ...torContext(), strict: true }),
      );
      assert.deepEqual(
        strict.rejection.problems.filter((p) => p.severity === 'error').map((p) => p.line),
        [2, 3],
      );
    });
  });

  describe('validate problems', () => {
    it('with an error reject the file, warnings listed too', async () => {
      const input = await inputOf('app.yaml', '%YAML 1.3\n---\npool:\n  min: 20\n');
      const f = failure(await loadDocument(appProfile(), input, appContext));
      assert.equal(f.rejection.kind, 'invalid');
      // The rule names pool.min: the problem points where the file sets it.
      assert.equal(f.rejection.reason, `${input.file}:4:8: pool.min must not exceed pool.max`);
      assert.deepEqual(
        f.rejection.problems.map((p) => p.message),
        ['Unsupported YAML version 1.3', 'pool.min must not exceed pool.max'],
      );
    });

    it('that are not problems (an unknown severity, none, no message, not a list) are an internal rejection, not applied', async () => {
      const input = await inputOf('app.yaml', 'pool:\n  max: 5\n');
      const returns: ReadonlyArray<readonly [unknown, RegExp]> = [
        [[{ severity: 'fatal', message: 'no' }], /a problem of unknown severity 'fatal'/],
        [[{ message: 'no severity' }], /a problem of unknown severity undefined/],
        [[{ severity: 'error' }], /a problem without a string message/],
        [[null], /a problem that is null/],
        ['no', /a problems list that is 'no'/],
        [undefined, /a problems list that is undefined/],
      ];
      for (const [said, why] of returns) {
        const odd = defineProfile<AppConfig>({
          name: 'odd',
          format: yamlFormat,
          codec: AppConfig,
          defaults,
          // Fine for the defaults, which defineProfile checks; odd for every file.
          validate: (c) => (c.pool.max === 5 ? (said as ReadonlyArray<Problem>) : []),
        });
        const f = failure(await loadDocument(odd, input, appContext));
        assert.equal(f.rejection.kind, 'internal', JSON.stringify(said));
        assert.equal(f.rejection.cause, 'validate');
        assert.match(f.rejection.reason, why);
      }
    });

    it('see the config frozen: a validate that writes to it cannot change what is applied', async () => {
      const input = await inputOf('app.yaml', 'pool:\n  max: 5\n');
      const wrote: boolean[] = [];
      const writer = defineProfile<AppConfig>({
        name: 'writer',
        format: yamlFormat,
        codec: AppConfig,
        defaults,
        validate: (c) => {
          // Reflect.set says whether the write took, in strict code or not.
          if (c.pool.max === 5) wrote.push(Reflect.set(c.pool, 'max', 500));
          return [];
        },
      });
      const l = loaded(await loadDocument(writer, input, appContext));
      assert.deepEqual(wrote, [false]);
      assert.equal(l.config.pool.max, 5);
    });

    it('that only warn keep the config, each warning in `warnings`, in order', async () => {
      const input = await inputOf('app.yaml', '%YAML 1.3\n---\npool:\n  max: 500\n');
      const l = loaded(await loadDocument(appProfile(), input, appContext));
      assert.deepEqual(l.config, { pool: { min: 1, max: 500 }, features: ['a'] });
      assert.deepEqual(
        l.warnings.map((p) => [p.severity, p.message]),
        [
          ['warning', 'Unsupported YAML version 1.3'],
          ['warning', 'a big pool'],
        ],
      );
    });

    it('a decode’s own warnings come between the document’s and validate’s', async () => {
      // The app profile's decode, saying something of its own.
      const talkative = defineProfile<AppConfig>({
        name: 'talkative',
        format: yamlFormat,
        codec: AppConfig,
        defaults,
        validate: poolRule,
        decode: (document, context) => {
          const decoded = decodeDocument(document, AppConfig, context.base);
          return E.isLeft(decoded)
            ? decoded
            : E.right({
                config: decoded.right,
                warnings: [{ severity: 'info', message: 'decoded' }],
              });
        },
      });
      const input = await inputOf('app.yaml', '%YAML 1.3\n---\npool:\n  max: 500\n');
      const l = loaded(await loadDocument(talkative, input, appContext));
      assert.deepEqual(
        l.warnings.map((p) => p.message),
        ['Unsupported YAML version 1.3', 'decoded', 'a big pool'],
      );
    });

    it('the Tor profile’s decode warns of an unknown key, on its line', async () => {
      const input = await inputOf('torrc', 'NoSuchOption 1\nLogLevel debug\n');
      const l = loaded(await loadDocument(torProfile, input, torContext()));
      assert.equal(l.config.LogLevel, 'debug');
      assert.deepEqual(
        l.warnings.map((w) => [w.severity, w.file, w.line]),
        [['warning', input.file, 1]],
      );
    });
  });

  it('is `internal` when a decode hands back what its own codec refuses', async () => {
    const broken = defineProfile<AppConfig>({
      name: 'broken',
      format: yamlFormat,
      codec: AppConfig,
      defaults,
      decode: () => E.right({ config: { pool: 'no' } as unknown as AppConfig, warnings: [] }),
    });
    const input = await inputOf('app.yaml', 'pool: {}\n');
    const f = failure(await loadDocument(broken, input, appContext));
    assert.equal(f.rejection.kind, 'internal');
    assert.equal(f.rejection.cause, 'decode');
    assert.match(
      f.rejection.reason,
      /internal error in decode of .*app\.yaml: the decoded config is not a/,
    );
    assert.ok(f.rejection.error instanceof Error);
    assert.deepEqual(f.watched, [input.file]);
  });

  it('loads over context.base, and gives the config frozen all the way down', async () => {
    const input = await inputOf('app.yaml', 'pool:\n  max: 20\n');
    const base: AppConfig = { pool: { min: 3, max: 4 }, features: ['x', 'y'] };
    const l = loaded(await loadDocument(appProfile(), input, { base, strict: false }));
    assert.deepEqual(l.config, { pool: { min: 3, max: 20 }, features: ['x', 'y'] });
    assert.ok(Object.isFrozen(l.config));
    assert.ok(Object.isFrozen(l.config.pool));
    assert.ok(Object.isFrozen(l.config.features));
    assert.deepEqual(l.files, [input.file]);
    assert.deepEqual(l.watched, [input.file]);
  });

  it('gives the files a torrc was built from and what to watch', async () => {
    await writeFile(join(dir, 'pools.conf'), 'CircuitPoolMaxSize 20\n');
    const input = await inputOf('torrc', 'LogLevel warn\n%include pools.conf\n');
    const l = loaded(await loadDocument(torProfile, input, torContext()));
    assert.equal(l.config.CircuitPoolMaxSize, 20);
    assert.deepEqual(l.files, [input.file, join(dir, 'pools.conf')]);
    assert.ok(l.watched.includes(join(dir, 'pools.conf')));
    // The same config as the Tor loader gives.
    const direct = await loadTorrc(input.file);
    assert.ok(E.isRight(direct));
    assert.deepEqual(l.config, direct.right.config);
  });

  describe('on a decoded config, each check once', () => {
    // The app profile's codec and validate, counting their calls (defineProfile checks the
    // defaults with both, so the counts start after it).
    type Validate = (c: AppConfig) => ReadonlyArray<Problem>;
    function counted(decodeWith?: (validate: Validate) => Profile<AppConfig>['decode']) {
      const calls = { is: 0, validate: 0 };
      const codec = new t.Type<AppConfig, unknown, unknown>(
        'AppConfig',
        (u): u is AppConfig => {
          calls.is++;
          return AppConfig.is(u);
        },
        AppConfig.validate,
        AppConfig.encode,
      );
      const validate: Validate = (c) => {
        calls.validate++;
        return poolRule(c);
      };
      const profile = defineProfile<AppConfig>({
        name: 'counted',
        format: yamlFormat,
        codec,
        defaults,
        validate,
        ...(decodeWith === undefined ? {} : { decode: decodeWith(validate) }),
      });
      calls.is = 0;
      calls.validate = 0;
      return { calls, profile };
    }

    it('checks it with the codec once and validates it once', async () => {
      const { calls, profile } = counted();
      const input = await inputOf('app.yaml', 'pool:\n  max: 500\n');
      const l = loaded(await loadDocument(profile, input, appContext));
      assert.deepEqual(calls, { is: 1, validate: 1 });
      assert.deepEqual(
        l.warnings.map((w) => w.message),
        ['a big pool'],
      );
    });

    it('does not validate again what the decode validated with the profile’s own validate', async () => {
      const { calls, profile } = counted((validate) => (document, context) => {
        const decoded = decodeDocument(document, AppConfig, context.base);
        if (E.isLeft(decoded)) return decoded;
        // A decode that validates as it goes, as Tor's does, and says so.
        const said = validate(decoded.right);
        return E.right({ config: decoded.right, warnings: said, validatedBy: validate });
      });
      const input = await inputOf('app.yaml', 'pool:\n  max: 500\n');
      const l = loaded(await loadDocument(profile, input, appContext));
      // Once, by the decode: loadDocument did not run it a second time, nor repeat its warning.
      assert.equal(calls.validate, 1);
      assert.deepEqual(
        l.warnings.map((w) => w.message),
        ['a big pool'],
      );
    });

    it('validates what the decode says another validate passed: a profile with its validate swapped', async () => {
      const { profile } = counted((validate) => (document, context) => {
        const decoded = decodeDocument(document, AppConfig, context.base);
        return E.isLeft(decoded)
          ? decoded
          : E.right({ config: decoded.right, warnings: [], validatedBy: validate });
      });
      let swappedCalls = 0;
      const stricter: Profile<AppConfig> = {
        ...profile,
        validate: (c) => {
          swappedCalls++;
          return c.pool.max > 100
            ? [{ severity: 'error', message: 'pool.max over 100', field: 'pool.max' }]
            : [];
        },
      };
      const input = await inputOf('app.yaml', 'pool:\n  max: 500\n');
      const f = failure(await loadDocument(stricter, input, appContext));
      assert.equal(swappedCalls, 1);
      assert.match(f.rejection.reason, /pool\.max over 100/);
    });

    it('the Tor profile’s decode validated already: a validation warning comes once, on its line', async () => {
      const input = await inputOf('torrc', 'EnableMetrics 1\nMetricsPort 0\n');
      const l = loaded(await loadDocument(torProfile, input, torContext()));
      assert.deepEqual(
        l.warnings.map((w) => [w.severity, w.line, w.message]),
        [['warning', 2, 'EnableMetrics is 1 but MetricsPort is 0: the metrics endpoint stays off']],
      );
      const decoded = torProfile.decode(
        { value: [], locate: () => undefined, files: [], watched: [], warnings: [] },
        torContext(),
      );
      assert.ok(E.isRight(decoded) && decoded.right.validatedBy === torProfile.validate);
    });
  });
});

describe('loadDocumentNow', () => {
  const input = (text: string): FormatInput => ({
    bytes: Buffer.from(text),
    file: '/etc/tor/torrc',
    signal: new AbortController().signal,
  });

  it('answers at once for a format that answers at once', () => {
    const r = loadDocumentNow(memoryTorProfile, input('LogLevel debug\n'), torContext());
    assert.ok(!(r instanceof Promise));
    assert.equal(loaded(r).config.LogLevel, 'debug');
    const bad = loadDocumentNow(memoryTorProfile, input('ConnLimit 0\n'), torContext());
    assert.ok(!(bad instanceof Promise));
    assert.equal(failure(bad).rejection.kind, 'invalid');
  });

  it('answers with a promise for a format that reads asynchronously', async () => {
    const r = loadDocumentNow(
      appProfile(jsonFormat),
      { ...input('{"pool":{"max":3}}'), file: 'a.json' },
      appContext,
    );
    assert.ok(r instanceof Promise);
    assert.deepEqual(loaded(await r).config.pool, { min: 1, max: 3 });
  });

  it('gives the same answer as loadDocument', async () => {
    const text = 'LogLevel debug\nNoSuchOption 1\n';
    const now = loadDocumentNow(memoryTorProfile, input(text), torContext()) as E.Either<
      LoadFailure,
      Loaded<TorConfig>
    >;
    assert.deepEqual(await loadDocument(memoryTorProfile, input(text), torContext()), now);
  });
});

describe('invalidRejection', () => {
  it('is `invalid`, its reason each error as FILE:LINE[:COLUMN]: message, every problem kept', () => {
    const problems: ReadonlyArray<Problem> = [
      { severity: 'warning', message: 'unknown key', file: 'app.yaml', line: 1, column: 1 },
      {
        severity: 'error',
        message: 'pool.max: expected a number',
        file: 'app.yaml',
        line: 7,
        column: 10,
      },
      { severity: 'error', message: 'ConnLimit must be at least 1', file: 'torrc', line: 3 },
    ];
    assert.deepEqual(invalidRejection('app.yaml', problems), {
      kind: 'invalid',
      cause: 'invalid',
      reason: 'app.yaml:7:10: pool.max: expected a number; torrc:3: ConnLimit must be at least 1',
      path: 'app.yaml',
      problems,
    });
  });
});

describe('loadRejection', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-load-rejection-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a ConfigError the file policy raised a `security` rejection with its check', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    await chmod(path, 0o666);
    const r = await loadTorrc(path);
    assert.ok(E.isLeft(r));
    const rejection = loadRejection(r.left);
    assert.equal(rejection.kind, 'security');
    assert.equal(rejection.cause, 'insecure');
    assert.match(rejection.reason, /world-writable/);
    assert.deepEqual(rejection.problems, r.left.problems);
  });

  it('makes any other ConfigError `invalid`', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'ConnLimit 0\n');
    const r = await loadTorrc(path);
    assert.ok(E.isLeft(r));
    assert.deepEqual(loadRejection(r.left), invalidRejection(path, r.left.problems));
    const own = new ConfigError('x.yaml', [
      { severity: 'error', message: 'bad', file: 'x.yaml', line: 2, column: 3 },
    ]);
    assert.deepEqual(loadRejection(own), {
      kind: 'invalid',
      cause: 'invalid',
      reason: 'x.yaml:2:3: bad',
      path: 'x.yaml',
      problems: own.problems,
    });
  });
});
