import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type { Problem } from '../../../lib/core/problem.js';
import { defaultConfig, type TorConfig } from '../../../lib/tor/schema/tor-config.js';
import { validateConfig, validationProblems } from '../../../lib/tor/schema/validate.js';
import { validConfig } from '../../support/arbitraries.js';

const base = defaultConfig();
const messages = (c: TorConfig): string[] =>
  validationProblems(c)
    .filter((p) => p.severity === 'error')
    .map((p) => p.message);

describe('validateConfig', () => {
  it('accepts the defaults and every generated valid config', () => {
    assert.ok(E.isRight(validateConfig(base)));
    fc.assert(fc.property(validConfig, (c) => assert.deepEqual(messages(c), [])));
  });

  it("applies go-tor's rules, every one reported at once", () => {
    const bad: TorConfig = {
      ...base,
      SocksPort: 70000,
      CircuitBuildTimeout: 0,
      MaxCircuitDirtiness: 0,
      NewCircuitPeriod: 0,
      DormantTimeout: 0,
      NumEntryGuards: 0,
      ConnLimit: 0,
      LogLevel: 'verbose' as TorConfig['LogLevel'],
      IsolationLevel: 'total' as TorConfig['IsolationLevel'],
      ConnectionPoolMaxIdle: -1,
      ConnectionPoolMaxLife: -1,
      CircuitPoolMinSize: -2,
      CircuitPoolMaxSize: -3,
      UseBridges: true,
    };
    assert.deepEqual(messages(bad), [
      'invalid SocksPort: 70000',
      'CircuitBuildTimeout must be positive',
      "MaxCircuitDirtiness must be between 10 seconds and 30 days (Tor's range)",
      'NewCircuitPeriod must be positive',
      'DormantTimeout must be positive',
      'NumEntryGuards must be at least 1',
      'ConnLimit must be at least 1',
      'invalid LogLevel: verbose (must be debug, info, warn, or error)',
      'invalid IsolationLevel: total (must be none, destination, credential, port, or session)',
      'ConnectionPoolMaxIdle must be non-negative',
      'ConnectionPoolMaxLife must be non-negative',
      'CircuitPoolMinSize must be non-negative',
      'CircuitPoolMaxSize must be >= CircuitPoolMinSize (-3 < -2)',
      'If you set UseBridges, you must specify at least one bridge.',
    ]);
  });

  it('requires enabled ports to differ, ignoring 0 (off) and auto', () => {
    assert.deepEqual(messages({ ...base, SocksPort: 9051 }), [
      'SocksPort and ControlPort are both 9051; enabled ports must differ',
    ]);
    assert.deepEqual(messages({ ...base, SocksPort: 0, ControlPort: 0 }), []);
    assert.deepEqual(messages({ ...base, SocksPort: 'auto', ControlPort: 'auto' }), []);
    assert.deepEqual(messages({ ...base, MetricsPort: 9050, EnableMetrics: true }), [
      'SocksPort and MetricsPort are both 9050; enabled ports must differ',
    ]);
  });

  it('requires onion services to be complete and groupable', () => {
    const s = {
      ServiceDir: '/hs',
      VirtualPort: 80,
      TargetAddr: '127.0.0.1:80',
      MaxStreams: 0,
      ClientAuth: [],
    };
    assert.deepEqual(messages({ ...base, OnionServices: [{ ...s, TargetAddr: '' }] }), [
      'onion service 0: TargetAddr is required',
    ]);
    assert.deepEqual(messages({ ...base, OnionServices: [{ ...s, VirtualPort: 0 }] }), [
      'onion service 0: invalid VirtualPort: 0',
    ]);
    assert.deepEqual(
      messages({
        ...base,
        OnionServices: [s, { ...s, ServiceDir: '/b' }, { ...s, VirtualPort: 81 }],
      }),
      ['onion service 2: another hidden service is already configured for directory "/hs"'],
    );
    assert.deepEqual(
      messages({ ...base, OnionServices: [s, { ...s, VirtualPort: 81, MaxStreams: 3 }] }),
      ['onion service 1: ports of directory "/hs" must share MaxStreams and ClientAuth'],
    );
  });

  it('warns (without rejecting) when metrics are enabled on port 0', () => {
    const ps: ReadonlyArray<Problem> = validationProblems({ ...base, EnableMetrics: true });
    assert.deepEqual(
      ps.map((p) => p.severity),
      ['warning'],
    );
    assert.ok(E.isRight(validateConfig({ ...base, EnableMetrics: true })));
  });

  it('points each problem at the line that set the field, the latest when several did', () => {
    const sources = new Map([
      ['CircuitPoolMinSize', { file: 'a', line: 3 }],
      ['CircuitPoolMaxSize', { file: 'a', line: 7 }],
    ] as const);
    const [p] = validationProblems(
      { ...base, CircuitPoolMinSize: 5, CircuitPoolMaxSize: 1 },
      { sources },
    );
    assert.deepEqual([p?.file, p?.line, p?.field], ['a', 7, 'CircuitPoolMaxSize']);
  });
});
