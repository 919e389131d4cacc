import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type { Problem } from '../../../lib/core/problem.js';
import { deepFreeze } from '../../../lib/engine/freeze.js';
import { type Decoded, decodeTorrc } from '../../../lib/tor/schema/decode.js';
import {
  defaultConfig,
  fieldNames,
  fields,
  type TorConfig,
  TorConfig as TorConfigCodec,
} from '../../../lib/tor/schema/tor-config.js';
import { isVouchedConfig } from '../../../lib/tor/schema/vouched-config.js';
import { torProfile } from '../../../lib/tor/tor-profile.js';
import { parseTorrc } from '../../../lib/tor/torrc.js';
import { decodeTorrcOracle } from './decode-oracle.js';
import { bridgeLineText, normalBridgeLineText, routerSetText } from './values/near-misses.js';

const FILE = '/etc/tor/torrc';

function entriesOf(text: string) {
  const parsed = parseTorrc(text, { file: FILE });
  if (E.isLeft(parsed)) assert.fail(`parse failed: ${parsed.left.message}`);
  return parsed.right;
}

function decoded(text: string, options?: { strict?: boolean; base?: TorConfig }): Decoded {
  const r = decodeTorrc(entriesOf(text), options);
  if (E.isLeft(r)) assert.fail(`expected Right, got ${JSON.stringify(r.left)}`);
  return r.right;
}

function problems(text: string, options?: { strict?: boolean }): ReadonlyArray<Problem> {
  const r = decodeTorrc(entriesOf(text), options);
  if (E.isRight(r)) assert.fail('expected Left');
  return r.left;
}

const errorLines = (ps: ReadonlyArray<Problem>) =>
  ps.filter((p) => p.severity === 'error').map((p) => `${p.line}: ${p.message}`);

describe('decodeTorrc', () => {
  it('lays the file over the defaults, keys case-insensitive', () => {
    const { config } = decoded('socksPORT   9150   # trailing comment\nloglevel DEBUG\n');
    assert.equal(config.SocksPort, 9150);
    assert.equal(config.LogLevel, 'debug');
    assert.equal(config.ControlPort, defaultConfig().ControlPort);
  });

  it("reads Tor's interval words and go-tor's durations in milliseconds", () => {
    const { config } = decoded(
      'MaxCircuitDirtiness 15 MINUTES\nNewCircuitPeriod 1.5 hours\nCircuitBuildTimeout 1 minute\n' +
        'ConnectionPoolMaxLife 1m30s\nDormantClientTimeout 2d\n',
    );
    assert.equal(config.MaxCircuitDirtiness, 900_000);
    assert.equal(config.NewCircuitPeriod, 5_400_000);
    assert.equal(config.CircuitBuildTimeout, 60_000);
    assert.equal(config.ConnectionPoolMaxLife, 90_000);
    assert.equal(config.DormantTimeout, 2 * 86_400_000);
  });

  it('rejects a value neither Tor nor go-tor accepts, with file and line, never a default', () => {
    const ps = problems('LogLevel info\nUseBridges maybe\nMaxCircuitDirtiness 10 min\n');
    const errors = ps.filter((p) => p.severity === 'error');
    assert.deepEqual(
      errors.map((p) => [p.file, p.line, p.field]),
      [
        [FILE, 2, 'UseBridges'],
        [FILE, 3, 'MaxCircuitDirtiness'],
      ],
    );
    assert.match(errors[0]?.message ?? '', /^Could not parse UseBridges: .*maybe/);
    assert.match(
      errors[1]?.message ?? '',
      /^Could not parse MaxCircuitDirtiness: Unknown unit in 10 min/,
    );
  });

  it('reports every problem at once: value errors and cross-field rules together', () => {
    const ps = problems(
      'ConnLimit 0\nNumEntryGuards 0\nCircuitPoolMinSize 5\nCircuitPoolMaxSize 2\nLogLevel loud\nSocksPort 9051\n',
    );
    const lines = errorLines(ps);
    assert.equal(lines.length, 5);
    assert.match(lines[0] ?? '', /^5: Could not parse LogLevel: .*loud/);
    assert.deepEqual(lines.slice(1), [
      '6: SocksPort and ControlPort are both 9051; enabled ports must differ',
      '2: NumEntryGuards must be at least 1',
      '1: ConnLimit must be at least 1',
      '4: CircuitPoolMaxSize must be >= CircuitPoolMinSize (2 < 5)',
    ]);
  });

  it('does not repeat a decode error as a rule error for the same field', () => {
    const ps = problems('CircuitPoolMaxSize -1\n');
    assert.equal(errorLines(ps).length, 1);
    assert.match(errorLines(ps)[0] ?? '', /^1: Could not parse CircuitPoolMaxSize/);
  });

  it("last value wins for a repeated option, with Tor's warning at the repeat", () => {
    const { config, warnings } = decoded('NumEntryGuards 2\nnumentryguards 3\nNumEntryGuards 4\n');
    assert.equal(config.NumEntryGuards, 4);
    const repeats = warnings.filter((w) => w.message.includes('used more than once'));
    assert.equal(repeats.length, 1);
    assert.equal(repeats[0]?.line, 2);
    assert.equal(
      repeats[0]?.message,
      "Option 'NumEntryGuards' used more than once; all but the last value will be ignored.",
    );
  });

  it('an empty value resets a single option to zero, not to its default (so ConnLimit alone fails)', () => {
    assert.deepEqual(errorLines(problems('ConnLimit\n')), ['1: ConnLimit must be at least 1']);
    assert.equal(decoded('UseEntryGuards\nNumEntryGuards 1\n').config.UseEntryGuards, false);
  });

  it('an empty value for an option without a zero is an error, not a silent default', () => {
    assert.match(
      errorLines(problems('LogLevel\n'))[0] ?? '',
      /^1: Could not parse LogLevel: a value is required/,
    );
  });

  it('accumulates Bridge lines; the first plain line replaces the base, +Bridge appends, /Bridge clears', () => {
    const base = { ...defaultConfig(), BridgeAddresses: ['192.0.2.1:443'] };
    const b1 = '198.51.100.1:9001';
    const b2 = '198.51.100.2:9001';
    assert.deepEqual(decoded(`Bridge ${b1}\nBridge ${b2}\n`, { base }).config.BridgeAddresses, [
      b1,
      b2,
    ]);
    assert.deepEqual(decoded(`+Bridge ${b1}\n`, { base }).config.BridgeAddresses, [
      '192.0.2.1:443',
      b1,
    ]);
    assert.deepEqual(decoded(`Bridge ${b1}\n/Bridge\n`, { base }).config.BridgeAddresses, []);
    // Checked with tor --defaults-torrc: after a `+Key`, a plain line appends too.
    assert.deepEqual(decoded(`+Bridge ${b1}\nBridge ${b2}\n`, { base }).config.BridgeAddresses, [
      '192.0.2.1:443',
      b1,
      b2,
    ]);
  });

  it('reads a run of list lines exactly as it reads each line on its own', () => {
    // A run is the lines of one key spelt one way; spelling every other line in lower case
    // breaks every run into single lines, which must decode to the same config and problems.
    const line = fc.record({
      key: fc.constantFrom('Bridge', 'ExcludeNodes', 'ExcludeExitNodes', 'UseBridges'),
      op: fc.constantFrom('set', 'set', 'set', 'append', 'clear'),
      // Mostly good values: one bad value anywhere hides the config behind the problems.
      bridge: fc.oneof(
        { weight: 6, arbitrary: normalBridgeLineText },
        { weight: 1, arbitrary: bridgeLineText },
        { weight: 2, arbitrary: fc.constant('') },
      ),
      set: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('{us}', 'a, b', '192.0.2.0/24') },
        { weight: 1, arbitrary: routerSetText },
        { weight: 1, arbitrary: fc.constant('') },
      ),
    });
    const base = { ...defaultConfig(), BridgeAddresses: ['192.0.2.1:443'], ExcludeNodes: ['x'] };
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const entries = lines.map(({ key, op, bridge, set }, i) => ({
          key,
          op: op as 'set' | 'append' | 'clear',
          value: op === 'clear' ? '' : key === 'Bridge' ? bridge : key === 'UseBridges' ? '1' : set,
          file: FILE,
          line: i + 1,
        }));
        const single = entries.map((e, i) =>
          i % 2 === 1 ? { ...e, key: e.key.toLowerCase() } : e,
        );
        const runs = decodeTorrc(entries, { base });
        const lines1 = decodeTorrc(single, { base });
        assert.deepEqual(E.isLeft(runs), E.isLeft(lines1));
        if (E.isLeft(runs) && E.isLeft(lines1)) assert.deepEqual(runs.left, lines1.left);
        if (E.isRight(runs) && E.isRight(lines1)) {
          assert.deepEqual(runs.right.config, lines1.right.config);
          assert.deepEqual(runs.right.warnings, lines1.right.warnings);
          assert.deepEqual([...runs.right.sources], [...lines1.right.sources]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('skips an empty list line with a warning', () => {
    const { config, warnings } = decoded('ExcludeNodes\n');
    assert.deepEqual(config.ExcludeNodes, []);
    assert.equal(warnings[0]?.message, "Linelist option 'ExcludeNodes' has no value. Skipping.");
  });

  it('splits ExcludeNodes on commas, trims, and joins across lines', () => {
    const { config } = decoded('ExcludeNodes a, b\nExcludeNodes {us}\n+ExcludeNodes c\n');
    assert.deepEqual(config.ExcludeNodes, ['a', 'b', '{us}', 'c']);
  });

  it('UseBridges 1 needs at least one Bridge, pointing at the UseBridges line', () => {
    assert.deepEqual(errorLines(problems('LogLevel info\nUseBridges 1\n')), [
      '2: If you set UseBridges, you must specify at least one bridge.',
    ]);
    assert.equal(decoded('UseBridges 1\nBridge 198.51.100.1:9001\n').config.UseBridges, true);
  });

  describe('onion services', () => {
    it('builds one service per HiddenServicePort of a HiddenServiceDir group', () => {
      const { config } = decoded(
        'HiddenServiceDir /var/lib/tor/hs\nHiddenServicePort 80\nHiddenServicePort 81 127.0.0.1:8081\n' +
          'HiddenServiceMaxStreams 5\nHiddenServiceDir /var/lib/tor/hs2\nHiddenServicePort 22 [::1]:22\n',
      );
      assert.deepEqual(config.OnionServices, [
        {
          ServiceDir: '/var/lib/tor/hs',
          VirtualPort: 80,
          TargetAddr: '127.0.0.1:80',
          MaxStreams: 5,
          ClientAuth: [],
        },
        {
          ServiceDir: '/var/lib/tor/hs',
          VirtualPort: 81,
          TargetAddr: '127.0.0.1:8081',
          MaxStreams: 5,
          ClientAuth: [],
        },
        {
          ServiceDir: '/var/lib/tor/hs2',
          VirtualPort: 22,
          TargetAddr: '[::1]:22',
          MaxStreams: 0,
          ClientAuth: [],
        },
      ]);
    });

    it("rejects Tor's three group errors with Tor's words", () => {
      assert.deepEqual(errorLines(problems('HiddenServicePort 80\n')), [
        '1: HiddenServicePort with no preceding HiddenServiceDir directive',
      ]);
      assert.deepEqual(errorLines(problems('HiddenServiceDir /hs\n')), [
        '1: Hidden service ("/hs") with no ports configured.',
      ]);
      assert.deepEqual(
        errorLines(
          problems(
            'HiddenServiceDir /hs\nHiddenServicePort 80\nHiddenServiceDir /hs\nHiddenServicePort 81\n',
          ),
        ),
        ['3: Another hidden service is already configured for directory "/hs"'],
      );
    });

    it('never echoes a client key in a problem', () => {
      const ps = problems(
        'HiddenServiceDir /hs\nHiddenServicePort 80\nHiddenServiceClientAuth s3cr3t-only\n',
      );
      assert.ok(ps.every((p) => !p.message.includes('s3cr3t')));
      const key = `descriptor:x25519:k3y${'a'.repeat(49)}`;
      const bad = problems(
        'HiddenServiceDir /hs\nHiddenServicePort 80\nHiddenServiceClientAuth alice s3cr3t-key\n',
      );
      assert.ok(bad.length > 0 && bad.every((p) => !p.message.includes('s3cr3t')));
      const { config } = decoded(
        `HiddenServiceDir /hs\nHiddenServicePort 80\nHiddenServiceClientAuth alice ${key}\n`,
      );
      assert.deepEqual(config.OnionServices[0]?.ClientAuth, [{ Name: 'alice', Key: key }]);
    });
  });

  describe('unknown keys', () => {
    it('warns with the nearest known key, and is an error under strict', () => {
      const { warnings } = decoded('SocksPrt 9050\n');
      assert.equal(warnings[0]?.severity, 'warning');
      assert.equal(warnings[0]?.message, "Unknown option 'SocksPrt' (did you mean 'SocksPort'?).");
      assert.deepEqual(errorLines(problems('SocksPrt 9050\n', { strict: true })), [
        "1: Unknown option 'SocksPrt' (did you mean 'SocksPort'?).",
      ]);
    });

    it('does not accept a prefix the way Tor does (SocksP is not SocksPolicy or SocksPort)', () => {
      const { config, warnings } = decoded('SocksP 9999\n');
      assert.equal(config.SocksPort, 9050);
      assert.match(warnings[0]?.message ?? '', /^Unknown option 'SocksP'/);
    });

    it("notes Tor's own options as ignored, even under strict", () => {
      const { warnings } = decoded('Nickname relay\ncontactinfo me\n', { strict: true });
      assert.deepEqual(
        warnings.map((w) => [w.severity, w.message]),
        [
          ['info', "Tor option 'Nickname' is not used by hotrc; ignored."],
          ['info', "Tor option 'ContactInfo' is not used by hotrc; ignored."],
        ],
      );
    });

    it('reports each unknown key once, and lists at most 100 before counting the rest', () => {
      const repeated = decoded('Bogus 1\nbogus 2\nBOGUS 3\n').warnings;
      assert.deepEqual(
        repeated.map((w) => [w.line, w.message]),
        [[1, "Unknown option 'Bogus'."]],
      );
      const many = Array.from({ length: 250 }, (_, i) => `Unknown${i} x`).join('\n');
      const { warnings } = decoded(many);
      assert.equal(warnings.length, 101);
      assert.equal(warnings.at(-1)?.message, '150 more unknown options not listed.');
      assert.equal(warnings.at(-1)?.line, undefined);
    });

    it('survives hostile keys without touching prototypes', () => {
      const { config } = decoded('__proto__ 1\nconstructor 2\nhasOwnProperty 3\ntoString 4\n');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getPrototypeOf(config), Object.prototype);
      assert.equal(config.SocksPort, 9050);
    });
  });

  it('rebuilds from the base every time: a key deleted from the file returns to its default', () => {
    const first = decoded('LogLevel debug\n').config;
    assert.equal(first.LogLevel, 'debug');
    const second = decoded('# LogLevel removed\n').config;
    assert.equal(second.LogLevel, 'info');
  });

  it('returns a deeply frozen config and records where each field was set', () => {
    const { config, sources } = decoded('LogLevel debug\nBridge 198.51.100.1:9001\n');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.BridgeAddresses));
    assert.deepEqual(sources.get('LogLevel'), { file: FILE, line: 1 });
    assert.deepEqual(sources.get('BridgeAddresses'), { file: FILE, line: 2 });
  });

  it('sets where each field was set from the last line that set it, and drops a cleared one', () => {
    const { sources } = decoded(
      'LogLevel debug\nBridge 192.0.2.1\nSocksPort 9150\nBridge 192.0.2.2\n/SocksPort\n',
    );
    assert.deepEqual(
      [...sources],
      [
        ['LogLevel', { file: FILE, line: 1 }],
        ['BridgeAddresses', { file: FILE, line: 4 }],
      ],
    );
  });

  describe('vouching', () => {
    it('vouches for the config it decodes, which TorConfig.is then takes at once', () => {
      const { config } = decoded('Bridge 192.0.2.1:443\nExcludeNodes {cn}\n');
      assert.equal(isVouchedConfig(config), true);
      assert.equal(TorConfigCodec.is(config), true);
      // A decode that fails vouches for nothing, and a copy is checked again.
      assert.equal(isVouchedConfig(structuredClone(config)), false);
    });

    it('vouches for nothing laid over a base the codec refuses', () => {
      const base = { ...defaultConfig(), ExcludeExitNodes: ['not an entry!'] } as TorConfig;
      const { config } = decoded('LogLevel debug\n', { base });
      assert.equal(isVouchedConfig(config), false);
      assert.equal(TorConfigCodec.is(config), false);
    });

    // What vouching rests on, and what lets the engine skip the Tor profile's validate after
    // this decode: whatever decodeTorrc accepts, TorConfig's own field-by-field check accepts
    // (every value came from its field's codec, or from the base) and validate passes.
    const singleKeys = fieldNames
      .filter((f) => fields[f].kind === 'single')
      .flatMap((f) => fields[f].keys);
    const value = fc.constantFrom(
      '',
      '0',
      '1',
      '3',
      'auto',
      '9150',
      '65536',
      '-1',
      '15 minutes',
      '2 hours',
      'debug',
      'DESTINATION',
      'yes',
      '/var/lib/tor x',
      '"quoted value"',
    );
    const line = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.tuple(fc.constantFrom(...singleKeys), value).map(([k, v]) => `${k} ${v}`),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.constantFrom('Bridge', '+Bridge', 'bridge'),
            fc.oneof(normalBridgeLineText, bridgeLineText),
          )
          .map(([k, v]) => `${k} ${v.replaceAll(/[\r\n#\\"]/g, ' ')}`),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom('ExcludeNodes', 'ExcludeExitNodes', '+ExcludeNodes'),
            routerSetText,
          )
          .map(([k, v]) => `${k} ${v.replaceAll(/[\r\n#\\"]/g, ' ')}`),
      },
      { weight: 1, arbitrary: fc.constantFrom('/Bridge', '/ExcludeNodes', 'UseBridges 1') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'HiddenServiceDir /var/lib/tor/hs\nHiddenServicePort 80 127.0.0.1:8080',
          'HiddenServiceDir /var/lib/tor/hs2\nHiddenServicePort 443\nHiddenServiceMaxStreams 8',
        ),
      },
    );
    it('accepts only what TorConfig checked field by field accepts and validate passes', () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
          const parsed = parseTorrc(`${lines.join('\n')}\n`, { file: FILE });
          if (E.isLeft(parsed)) return;
          const r = decodeTorrc(parsed.right);
          if (E.isLeft(r)) return;
          accepted++;
          const { config } = r.right;
          assert.equal(isVouchedConfig(config), true);
          assert.equal(TorConfigCodec.is(structuredClone(config)), true, JSON.stringify(config));
          assert.deepEqual(torProfile.validate(config), []);
        }),
        { numRuns: 600 },
      );
      // The property says something only if many files load.
      assert.ok(accepted > 100, `only ${accepted} of 600 generated files loaded`);
    });
  });
});

describe('decodeTorrc against the field-by-field decoder (decode-oracle.ts)', () => {
  // Every key spelling the decoder reads, in Tor's case and not, with each prefix; and Tor's
  // aliases (of fields and of options hotrc ignores, one Tor warns about) and obsolete options.
  const keys = [
    ...fieldNames.flatMap((f) => fields[f].keys),
    'HiddenServiceDir',
    'ExcludeNode',
    'MaxConn',
    'NumEntryNodes',
    'UseHelperNodes',
    'EntryNode',
    'SearchDomains',
    'AllowUnverifiedNodes',
    'StrictExitNodes',
  ];
  const spelling = fc
    .tuple(fc.constantFrom(...keys), fc.constantFrom('', '+', '/'), fc.boolean())
    .map(([k, prefix, lower]) => `${prefix}${lower ? k.toLowerCase() : k}`);
  const value = fc.oneof(
    fc.constantFrom(
      '',
      '0',
      '1',
      '007',
      'auto',
      'AUTO',
      '9150',
      '65536',
      '-1',
      '60',
      '1.5 hours',
      '15 minutes',
      '2 Hours',
      '999999999 months',
      '5',
      '31 days',
      '9 minutes',
      '70000',
      '1000000000',
      '1m30s',
      'debug',
      'DESTINATION',
      'yes',
      'maybe',
      '/var/lib/tor x',
      '80 127.0.0.1:8080',
      '443',
      'alice descriptor:x25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ),
    normalBridgeLineText,
    bridgeLineText,
    routerSetText,
  );
  const line = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(spelling, value)
        .map(([k, v]) => `${k} ${v.replaceAll(/[\r\n#\\"]/g, ' ')}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('Bogus 1', 'bogus 2', 'ClientOnly 1', 'SocksPolicy x'),
    },
  );
  const bases: ReadonlyArray<readonly [string, () => TorConfig | undefined]> = [
    ['no base (the defaults)', () => undefined],
    ['a decoded config', () => decoded('Bridge 192.0.2.1:443\nLogLevel debug\n').config],
    ['an open copy of the defaults', () => ({ ...defaultConfig() })],
    [
      'a frozen base with lists',
      () =>
        deepFreeze({
          ...defaultConfig(),
          BridgeAddresses: ['192.0.2.7:443'],
          ExcludeNodes: ['{cn}'],
        }),
    ],
    ['a base with a key the codec strips', () => deepFreeze({ ...defaultConfig(), Extra: 1 })],
    [
      'a null-prototype base',
      () => Object.freeze(Object.assign(Object.create(null), defaultConfig())) as TorConfig,
    ],
    [
      'a base whose field is inherited',
      () => {
        const { EnableBufferPooling: _, ...rest } = defaultConfig();
        return Object.assign(Object.create({ EnableBufferPooling: false }), rest) as TorConfig;
      },
    ],
    [
      'a base the codec refuses',
      () => ({ ...defaultConfig(), ExcludeExitNodes: ['not an entry!'] }) as TorConfig,
    ],
  ];
  for (const [name, base] of bases) {
    it(`gives the same config, problems and sources over ${name}`, () => {
      let loaded = 0;
      fc.assert(
        fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), (lines, strict) => {
          const parsed = parseTorrc(`${lines.join('\n')}\n`, { file: FILE });
          if (E.isLeft(parsed)) return;
          const b = base();
          const options = b === undefined ? { strict } : { base: b, strict };
          const got = decodeTorrc(parsed.right, options);
          const want = decodeTorrcOracle(parsed.right, options);
          assert.equal(got._tag, want._tag);
          if (E.isLeft(got) || E.isLeft(want)) {
            assert.deepStrictEqual(got, want);
            return;
          }
          loaded++;
          assert.deepStrictEqual(got.right.config, want.right.config);
          assert.deepStrictEqual(Object.keys(got.right.config), Object.keys(want.right.config));
          assert.deepStrictEqual(got.right.warnings, want.right.warnings);
          assert.deepStrictEqual([...got.right.sources], [...want.right.sources]);
          assert.ok(Object.isFrozen(got.right.config.BridgeAddresses));
          assert.equal(isVouchedConfig(got.right.config), TorConfigCodec.is(b ?? defaultConfig()));
        }),
        { numRuns: 300 },
      );
      // Both sides of the comparison are exercised: many files load, and many do not.
      assert.ok(loaded > 20 && loaded < 280, `${loaded} of 300 generated files loaded`);
    });
  }

  it('lays a file over the defaults as the environment gives them at each call', () => {
    const saved = process.env.XDG_DATA_HOME;
    try {
      process.env.XDG_DATA_HOME = '/srv/one';
      const first = decoded('LogLevel debug\n').config;
      process.env.XDG_DATA_HOME = '/srv/two';
      const second = decoded('LogLevel debug\n').config;
      if (process.platform !== 'win32' && process.platform !== 'darwin') {
        assert.equal(first.DataDirectory, '/srv/one/go-tor');
        assert.equal(second.DataDirectory, '/srv/two/go-tor');
      }
      assert.equal(second.DataDirectory, defaultConfig().DataDirectory);
    } finally {
      if (saved === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = saved;
    }
  });

  it('vouches for a plain, deep-frozen base the codec accepts, and for no other', () => {
    const plain = deepFreeze({ ...defaultConfig(), SocksPort: 9150 });
    decoded('LogLevel debug\n', { base: plain });
    assert.equal(isVouchedConfig(plain), true);
    const extra = deepFreeze({ ...defaultConfig(), Extra: 1 }) as TorConfig;
    const over = decoded('LogLevel debug\n', { base: extra });
    assert.equal(isVouchedConfig(extra), false);
    // TorConfig still strips what it does not know from that base.
    const stripped = TorConfigCodec.decode(extra);
    assert.ok(E.isRight(stripped) && !('Extra' in stripped.right));
    assert.equal(isVouchedConfig(over.config), true);
    const open = { ...defaultConfig() };
    decoded('LogLevel debug\n', { base: open });
    assert.equal(isVouchedConfig(open), false);
  });
});
