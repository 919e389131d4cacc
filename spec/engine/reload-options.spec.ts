import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as t from 'io-ts';
import { asyncScheduler } from 'rxjs';
import { defineProfile } from '../../lib/engine/profile.js';
import {
  checkedConfig,
  type ReloadOptionsInput,
  reloadDefaults,
  resolveReloadOptions,
} from '../../lib/engine/reload-options.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { defaultFilePolicy } from '../../lib/sources/file-policy.js';
import { nodeFs } from '../../lib/sources/fs-port.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';

// A config as a caller might hand it over: plain data, typed loosely.
const loose = (patch: Record<string, unknown>): TorConfig =>
  ({ ...defaultConfig(), ...patch }) as unknown as TorConfig;

const resolve = (options: Record<string, unknown>) =>
  resolveReloadOptions({ profile: torProfile, ...options } as ReloadOptionsInput<TorConfig>);

describe('reload-options', () => {
  describe('resolveReloadOptions', () => {
    it('gives the defaults and the file policy when given nothing, frozen', () => {
      const o = resolveReloadOptions({ profile: torProfile });
      assert.deepEqual(
        { ...o },
        { ...reloadDefaults, ...defaultFilePolicy, profile: torProfile, base: o.base },
      );
      assert.deepEqual(o.base, torProfile.defaults);
      assert.ok(Object.isFrozen(o) && Object.isFrozen(o.base));
      assert.equal(o.writeQuietMs, 500);
      assert.equal(o.settleMs, 50);
      assert.equal(o.settleTimeoutMs, 10_000);
      assert.equal(o.scheduler, asyncScheduler);
      assert.equal(o.fs, nodeFs);
      assert.equal(o.fsWatch, true, 'the fast path is on by default');
      assert.equal(resolve({ fsWatch: false }).fsWatch, false);
    });

    it('gives every config given only its profile one shared resolution, and any other options their own', () => {
      const o = resolveReloadOptions({ profile: torProfile });
      assert.equal(resolveReloadOptions({ profile: torProfile }), o);
      const other = resolve({ settleMs: undefined });
      assert.notEqual(other, o);
      assert.deepEqual({ ...other }, { ...o });
      assert.equal(resolve({ settleMs: 80 }).settleMs, 80);
      assert.equal(resolveReloadOptions({ profile: torProfile }).settleMs, 50);
      const app = defineProfile({
        name: 'app',
        format: jsonFormat,
        codec: t.type({ a: t.number }),
        defaults: { a: 1 },
      });
      const forApp = resolveReloadOptions({ profile: app });
      assert.notEqual(forApp as unknown, o);
      assert.equal(forApp.profile, app);
      assert.deepEqual(forApp.base, { a: 1 });
    });

    it('keeps what is given and ignores options given as undefined', () => {
      const o = resolve({ writeQuietMs: 1000, settleMs: undefined, maxBytes: 4096 });
      assert.deepEqual([o.writeQuietMs, o.settleMs, o.maxBytes], [1000, 50, 4096]);
    });

    it('refuses an unknown option, and names what replaced maxSettleRounds', () => {
      assert.throws(() => resolve({ settle: 50 }), /unknown ReloadableConfig option 'settle'/);
      assert.throws(
        () => resolve({ maxSettleRounds: 40 }),
        (e: unknown) =>
          e instanceof TypeError &&
          /maxSettleRounds was replaced by settleTimeoutMs/.test(e.message),
      );
      assert.throws(
        () => resolveReloadOptions([] as unknown as ReloadOptionsInput<TorConfig>),
        TypeError,
      );
      assert.throws(
        () => resolveReloadOptions({} as ReloadOptionsInput<TorConfig>),
        /options\.profile must be a Profile/,
      );
    });

    for (const key of [
      'writeQuietMs',
      'settleMs',
      'settleTimeoutMs',
      'callbackTimeoutMs',
      'racyWindowMs',
    ]) {
      it(`refuses a ${key} that is not a number of ms >= 0`, () => {
        for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '50']) {
          assert.throws(
            () => resolve({ [key]: bad }),
            (e: unknown) => e instanceof TypeError && e.message.startsWith(`${key} must be`),
            `${key}: ${String(bad)}`,
          );
        }
      });
    }

    it('refuses a give-up budget that a save in several writes could not hold still within, naming both options', () => {
      assert.throws(
        () => resolve({ writeQuietMs: 10_000 }),
        (e: unknown) =>
          e instanceof TypeError &&
          /settleTimeoutMs \(10000\) must be more than writeQuietMs \(10000\)/.test(e.message),
      );
      assert.throws(
        () => resolve({ settleTimeoutMs: 40, writeQuietMs: 20 }),
        /settleTimeoutMs \(40\) must be more than settleMs \(50\)/,
      );
      assert.throws(() => resolve({ settleTimeoutMs: 400 }), /writeQuietMs \(500\)/);
      const o = resolve({ writeQuietMs: 2000, settleTimeoutMs: 5000, settleMs: 10 });
      assert.deepEqual([o.writeQuietMs, o.settleTimeoutMs, o.settleMs], [2000, 5000, 10]);
    });

    it('refuses a reloadOnSignal that cannot be caught or is not a signal here', () => {
      assert.throws(() => resolve({ reloadOnSignal: 'SIGKILL' }), /SIGKILL cannot be caught/);
      assert.throws(() => resolve({ reloadOnSignal: 'SIGSTOP' }), /SIGSTOP cannot be caught/);
      assert.throws(
        () => resolve({ reloadOnSignal: 'SIGSEGV' }),
        /SIGSEGV is a fault that cannot be handled safely/,
      );
      assert.throws(
        () => resolve({ reloadOnSignal: 'SIGFOO' }),
        new RegExp(`"SIGFOO" is not a signal on ${process.platform}`),
      );
      assert.throws(() => resolve({ reloadOnSignal: 'sighup' }), TypeError);
      assert.throws(() => resolve({ reloadOnSignal: 1 }), TypeError);
      assert.throws(() => resolve({ reloadOnSignal: 'toString' }), TypeError);
      for (const ok of ['SIGHUP', 'SIGUSR2']) {
        assert.ok(Object.hasOwn(constants.signals, ok));
        assert.equal(resolve({ reloadOnSignal: ok }).reloadOnSignal, ok);
      }
    });

    it('refuses a strict, fsWatch, restartRequired, scheduler, fs or source of the wrong shape', () => {
      assert.throws(() => resolve({ strict: 'yes' }), /strict must be a boolean/);
      assert.throws(() => resolve({ fsWatch: 'no' }), /fsWatch must be a boolean, got string/);
      assert.throws(() => resolve({ restartRequired: 'maybe' }), /restartRequired must be/);
      assert.throws(() => resolve({ scheduler: {} }), /scheduler must be/);
      assert.throws(() => resolve({ fs: { stat: () => 0 } }), /fs must be an FsPort/);
      assert.throws(() => resolve({ source: { name: 'x' } }), /source must be/);
    });

    it('decodes options.base with the TorConfig codec and holds the decoded, frozen copy', () => {
      const given = loose({ MaxCircuitDirtiness: '15 minutes', LogLevel: 'debug' });
      const o = resolveReloadOptions({ profile: torProfile, base: given });
      assert.equal(o.base.MaxCircuitDirtiness, 900_000);
      assert.equal(o.base.LogLevel, 'debug');
      assert.notEqual(o.base, given);
      assert.ok(Object.isFrozen(o.base) && Object.isFrozen(o.base.OnionServices));
    });

    it('refuses a bad options.base, naming every wrong field by its path', () => {
      const bad = loose({
        MaxCircuitDirtiness: '15 parsecs',
        SocksPort: 'nine',
        OnionServices: [
          { ServiceDir: '', VirtualPort: 80, TargetAddr: '8080', MaxStreams: 0, ClientAuth: [] },
        ],
        MaxCircuitDirty: 5,
      });
      assert.throws(
        () => resolveReloadOptions({ profile: torProfile, base: bad }),
        (e: unknown) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, /^options\.base is not a valid TorConfig: /);
          assert.match(e.message, /MaxCircuitDirtiness: Unknown unit in 15 parsecs/);
          assert.match(e.message, /SocksPort: /);
          assert.match(e.message, /OnionServices\.0\.ServiceDir: /);
          assert.match(e.message, /MaxCircuitDirty: not a TorConfig field/);
          return true;
        },
      );
      assert.throws(
        () => resolveReloadOptions({ profile: torProfile, base: loose({ ConnLimit: 0 }) }),
        /options\.base is invalid: ConnLimit must be at least 1/,
      );
      assert.throws(
        () => resolveReloadOptions({ profile: torProfile, base: null as unknown as TorConfig }),
        /options\.base is not a TorConfig: expected an object, got null/,
      );
    });
  });

  describe('checkedConfig', () => {
    it('returns a decoded, deep-frozen copy and leaves the given object alone', () => {
      const given = loose({ CircuitBuildTimeout: '90 seconds', ExcludeNodes: ['{cn}'] });
      const c = checkedConfig(torProfile, given, 'the initial config');
      assert.equal(c.CircuitBuildTimeout, 90_000);
      assert.ok(Object.isFrozen(c) && Object.isFrozen(c.ExcludeNodes));
      assert.ok(!Object.isFrozen(given));
      assert.equal((given as unknown as Record<string, unknown>).CircuitBuildTimeout, '90 seconds');
    });

    it('names what it checked and the wrong fields', () => {
      assert.throws(
        () => checkedConfig(torProfile, loose({ LogLevel: 3 }), 'the initial config'),
        /^TypeError: the initial config is not a valid TorConfig: LogLevel: Expected one of debug, info, warn, error, got 3$/,
      );
      const { SocksPort: _, ...missing } = defaultConfig();
      assert.throws(
        () => checkedConfig(torProfile, missing, 'the initial config'),
        /SocksPort: Expected a port/,
      );
    });
  });

  describe('through the real ReloadableConfig', () => {
    let dir: string;
    let rc: ReloadableConfig | undefined;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotrc-options-'));
    });
    afterEach(async () => {
      await rc?.stop();
      rc = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    it('reloads over a base given with torrc spellings, as its decoded values', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'LogLevel info\n');
      const base = loose({ MaxCircuitDirtiness: '15 minutes' });
      rc = new ReloadableConfig(
        checkedConfig(torProfile, base, 'the initial config'),
        path,
        undefined,
        {
          base,
          writeQuietMs: 0,
        },
      );
      await writeFile(path, 'LogLevel debug\n');
      const result = await rc.reload();
      assert.equal(result.status, 'applied');
      assert.equal(rc.get().LogLevel, 'debug');
      assert.equal(rc.get().MaxCircuitDirtiness, 900_000);
    });

    it('throws at construction for an uncatchable reload signal, so nothing is left running', () => {
      for (const reloadOnSignal of ['SIGKILL', 'SIGFOO'] as NodeJS.Signals[]) {
        assert.throws(
          () =>
            new ReloadableConfig(defaultConfig(), join(dir, 'torrc'), undefined, {
              reloadOnSignal,
            }),
          TypeError,
        );
      }
      assert.throws(
        () =>
          new ReloadableConfig(defaultConfig(), join(dir, 'torrc'), undefined, {
            base: loose({ MaxCircuitDirtiness: '15 parsecs' }),
          }),
        /options\.base is not a valid TorConfig: MaxCircuitDirtiness: Unknown unit in 15 parsecs/,
      );
    });
  });
});
