import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  currentDefaultConfig,
  defaultConfig,
  defaultDataDirectory,
  fieldNames,
  isReloadable,
  reloadableFields,
  TorConfig,
} from '../../../lib/tor/schema/tor-config.js';
import { isVouchedConfig } from '../../../lib/tor/schema/vouched-config.js';
import { validConfig } from '../../support/arbitraries.js';

describe('TorConfig', () => {
  it("has go-tor's defaults, frozen", () => {
    const c = defaultConfig();
    assert.deepEqual(
      [
        c.SocksPort,
        c.ControlPort,
        c.CircuitBuildTimeout,
        c.MaxCircuitDirtiness,
        c.NewCircuitPeriod,
      ],
      [9050, 9051, 60_000, 600_000, 30_000],
    );
    assert.deepEqual(
      [
        c.NumEntryGuards,
        c.UseEntryGuards,
        c.ConnLimit,
        c.DormantTimeout,
        c.LogLevel,
        c.IsolationLevel,
      ],
      [3, true, 1000, 86_400_000, 'info', 'none'],
    );
    assert.deepEqual(
      [
        c.ConnectionPoolMaxIdle,
        c.ConnectionPoolMaxLife,
        c.CircuitPoolMinSize,
        c.CircuitPoolMaxSize,
      ],
      [5, 600_000, 2, 10],
    );
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.OnionServices));
    assert.equal(Reflect.set(c, 'SocksPort', 1), false);
    assert.equal(c.SocksPort, 9050);
  });

  it('picks a per-platform data directory from the environment only', () => {
    assert.equal(defaultDataDirectory('linux', {}, '/home/u'), '/home/u/.local/share/go-tor');
    assert.equal(defaultDataDirectory('linux', { XDG_DATA_HOME: '/x' }, '/home/u'), '/x/go-tor');
    assert.equal(
      defaultDataDirectory('darwin', {}, '/Users/u'),
      '/Users/u/Library/Application Support/go-tor',
    );
    assert.equal(defaultDataDirectory('win32', { APPDATA: 'C:\\A' }, 'C:\\U'), 'C:\\A\\go-tor');
  });

  it("lists exactly the design document's reloadable fields", () => {
    assert.deepEqual([...reloadableFields].sort(), [
      'CircuitBuildTimeout',
      'CircuitPoolMaxSize',
      'CircuitPoolMinSize',
      'ConnectionPoolMaxIdle',
      'ConnectionPoolMaxLife',
      'EnableBufferPooling',
      'EnableCircuitPrebuilding',
      'EnableConnectionPooling',
      'IsolateClientPort',
      'IsolateClientProtocol',
      'IsolateDestinations',
      'IsolateSOCKSAuth',
      'LogLevel',
      'MaxCircuitDirtiness',
      'NewCircuitPeriod',
    ]);
    for (const f of [
      'SocksPort',
      'ControlPort',
      'MetricsPort',
      'DataDirectory',
      'UseEntryGuards',
      'UseBridges',
      'BridgeAddresses',
      'OnionServices',
    ]) {
      assert.equal(isReloadable(f), false, f);
    }
    assert.equal(isReloadable('__proto__'), false);
  });

  it('decodes JSON configs, in typed or torrc spellings, and rejects extra or missing fields', () => {
    fc.assert(
      fc.property(validConfig, (c) =>
        assert.deepEqual(E.getOrElseW(() => undefined)(TorConfig.decode(c)), c),
      ),
    );
    const json = { ...defaultConfig(), MaxCircuitDirtiness: '15 minutes', UseBridges: 'no' };
    const decoded = TorConfig.decode(json);
    assert.ok(E.isRight(decoded));
    assert.equal(decoded.right.MaxCircuitDirtiness, 900_000);
    const { SocksPort: _, ...missing } = defaultConfig();
    assert.ok(E.isLeft(TorConfig.decode(missing)));
    const extra = TorConfig.decode({ ...defaultConfig(), Surprise: 1 });
    assert.ok(E.isRight(extra) && !('Surprise' in extra.right));
  });

  it('names every field go-tor has', () => {
    assert.equal(fieldNames.length, 30);
  });
});

describe('currentDefaultConfig', () => {
  const names = ['HOME', 'XDG_DATA_HOME', 'USERPROFILE', 'APPDATA'] as const;
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  });
  afterEach(() => {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  it('is defaultConfig() as the environment gives it, the same vouched object while that holds', () => {
    const first = currentDefaultConfig();
    assert.deepEqual(first, defaultConfig());
    assert.equal(isVouchedConfig(first), true);
    assert.equal(currentDefaultConfig(), first);
  });

  it('follows a change of the home directory or of XDG_DATA_HOME (set, empty, unset)', () => {
    for (const [home, data] of [
      ['/home/a', undefined],
      ['/home/b', undefined],
      ['/home/b', '/srv/x'],
      ['/home/b', ''],
      ['/home/b', undefined],
      [undefined, undefined],
      ['', '/srv/y'],
    ] as const) {
      for (const [n, v] of [
        [process.platform === 'win32' ? 'USERPROFILE' : 'HOME', home],
        [process.platform === 'win32' ? 'APPDATA' : 'XDG_DATA_HOME', data],
      ] as const) {
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      }
      assert.deepEqual(currentDefaultConfig(), defaultConfig(), `${home} ${data}`);
    }
  });
});
