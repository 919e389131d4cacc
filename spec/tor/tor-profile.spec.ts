import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { formatProblem } from '../../lib/core/problem.js';
import { loadConfigFile } from '../../lib/engine/load-config.js';
import { defineProfile } from '../../lib/engine/profile.js';
import { loadTorrc } from '../../lib/tor/config-file.js';
import { diffConfig } from '../../lib/tor/schema/diff.js';
import { mergeReloadable } from '../../lib/tor/schema/merge-reloadable.js';
import {
  defaultConfig,
  fieldNames,
  reloadableFields,
  TorConfig,
} from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { torrcFormat } from '../../lib/tor/torrc-format.js';
import { validConfig } from '../support/arbitraries.js';

const aliceKey = `descriptor:x25519:TOPSECRET${'A'.repeat(43)}`;
const otherKey = `descriptor:x25519:${'B'.repeat(52)}`;

// Real torrcs: includes, onion services with client keys, lists, repeats, unknown keys.
const torrcs: ReadonlyArray<readonly [string, string, Readonly<Record<string, string>>]> = [
  ['plain', 'LogLevel warn\nSocksPort 9150\nMaxCircuitDirtiness 15 minutes\n', {}],
  [
    'with includes',
    'LogLevel warn\n%include pools.conf\n%include torrc.d\n',
    {
      'pools.conf': 'CircuitPoolMinSize 4\nCircuitPoolMaxSize 40\n',
      'torrc.d/a.conf': 'ConnLimit 50\n',
    },
  ],
  [
    'onion services',
    [
      'HiddenServiceDir /var/lib/tor/hs',
      'HiddenServicePort 80 127.0.0.1:8080',
      'HiddenServicePort 443 8443',
      `HiddenServiceClientAuth alice ${aliceKey}`,
      '',
    ].join('\n'),
    {},
  ],
  [
    'lists and repeats',
    'ExcludeNodes {de}\n+ExcludeNodes {fr}\nLogLevel info\nLogLevel debug\n',
    {},
  ],
  ['unknown keys', 'NoSuchOption 1\nLogLevel debug\n', {}],
];

describe('torProfile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-tor-profile-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (text: string, others: Readonly<Record<string, string>> = {}) => {
    for (const [name, content] of Object.entries(others)) {
      const at = join(dir, name);
      await mkdir(dirname(at), { recursive: true });
      await writeFile(at, content);
    }
    const path = join(dir, 'torrc');
    await writeFile(path, text);
    return path;
  };

  it('is hotrc’s Tor profile: the torrc format, TorConfig, go-tor’s defaults', () => {
    assert.equal(torProfile.name, 'torrc');
    assert.equal(torProfile.format, torrcFormat);
    assert.equal(torProfile.codec, TorConfig);
    assert.deepEqual(torProfile.defaults, defaultConfig());
    assert.deepEqual(torProfile.secrets, ['OnionServices.*.ClientAuth']);
    assert.ok(Object.isFrozen(torProfile));
  });

  for (const [name, text, others] of torrcs) {
    it(`decodes a torrc to what loadTorrc gives: ${name}`, async () => {
      const path = await write(text, others);
      const viaProfile = await loadConfigFile(path, torProfile);
      const direct = await loadTorrc(path);
      assert.ok(E.isRight(viaProfile) && E.isRight(direct));
      assert.deepEqual(viaProfile.right.config, direct.right.config);
      assert.deepEqual(viaProfile.right.warnings, direct.right.warnings);
      assert.deepEqual(viaProfile.right.files, direct.right.files);
      assert.deepEqual(viaProfile.right.watched, direct.right.watched);
    });
  }

  it('refuses a bad torrc with the same problems, on their lines, as loadTorrc', async () => {
    const inc = join(dir, 'inc.conf');
    const path = await write(`ConnLimit 0\n%include ${inc}\nUseBridges 1\n`, {
      'inc.conf': '\nUseEntryGuards perhaps\n',
    });
    const viaProfile = await loadConfigFile(path, torProfile);
    const direct = await loadTorrc(path);
    assert.ok(E.isLeft(viaProfile) && E.isLeft(direct));
    assert.deepEqual(viaProfile.left.problems, direct.left.problems);
    assert.deepEqual(viaProfile.left.problems.map((p) => `${p.file}:${p.line}`).slice(0, 2), [
      `${inc}:2`,
      `${path}:1`,
    ]);
  });

  it('decodes over the base and with the strictness it is given', async () => {
    const path = await write('NoSuchOption 1\n');
    const base = { ...defaultConfig(), SocksPort: 9150 };
    const lenient = await loadConfigFile(path, torProfile, { base });
    assert.ok(E.isRight(lenient));
    assert.equal(lenient.right.config.SocksPort, 9150);
    const strict = await loadConfigFile(path, torProfile, { strict: true });
    assert.ok(E.isLeft(strict));
    assert.match(strict.left.message, /:1: .*NoSuchOption/);
  });

  it('names a client, never its key, when a key is bad', async () => {
    const bad = `descriptor:x25519:TOPSECRET${'A'.repeat(40)}`;
    const path = await write(
      `HiddenServiceDir /hs\nHiddenServicePort 80\nHiddenServiceClientAuth alice ${bad}\n`,
    );
    const r = await loadConfigFile(path, torProfile);
    assert.ok(E.isLeft(r));
    const text = r.left.problems.map(formatProblem).join('\n');
    assert.match(text, /alice/);
    assert.doesNotMatch(text, /TOPSECRET/);
  });

  describe('isReloadable', () => {
    it('is true exactly for the design document’s reloadable fields', () => {
      for (const field of fieldNames) {
        assert.equal(torProfile.isReloadable(field), reloadableFields.includes(field), field);
      }
      assert.ok(reloadableFields.includes('LogLevel'));
      assert.ok(!reloadableFields.includes('SocksPort'));
    });

    it('covers everything under a field, and nothing else', () => {
      assert.equal(
        torProfile.isReloadable('OnionServices.0.ClientAuth'),
        torProfile.isReloadable('OnionServices'),
      );
      assert.equal(torProfile.isReloadable('LogLevel.x'), true);
      assert.equal(torProfile.isReloadable('LogLevelX'), false);
      assert.equal(torProfile.isReloadable('NoSuchOption'), false);
      assert.equal(torProfile.isReloadable(''), false);
    });
  });

  describe('diff', () => {
    it('is diffConfig: Go durations, field order', () => {
      assert.equal(torProfile.diff, diffConfig);
      const a = defaultConfig();
      assert.deepEqual(
        torProfile
          .diff(a, { ...a, MaxCircuitDirtiness: 900_000, LogLevel: 'debug', SocksPort: 9150 })
          .map((c) => [c.text, c.reloadable]),
        [
          ['SocksPort: 9050 -> 9150', false],
          ['MaxCircuitDirtiness: 10m0s -> 15m0s', true],
          ['LogLevel: info -> debug', true],
        ],
      );
    });

    it('hides client keys: a changed key is a change whose text holds no key', () => {
      const service = (Key: string) => ({
        ServiceDir: '/var/lib/tor/hs',
        VirtualPort: 80,
        TargetAddr: '127.0.0.1:8080',
        MaxStreams: 0,
        ClientAuth: [{ Name: 'alice', Key }],
      });
      const a = { ...defaultConfig(), OnionServices: [service(aliceKey)] };
      const b = { ...defaultConfig(), OnionServices: [service(otherKey)] };
      const changes = torProfile.diff(a, b);
      assert.equal(changes.length, 1);
      const [change] = changes;
      assert.equal(change?.field, 'OnionServices');
      assert.doesNotMatch(change?.text ?? '', /TOPSECRET|BBBBBBBB|descriptor:x25519/);
      assert.match(change?.text ?? '', /1 client keys redacted/);
      const added = torProfile.diff(defaultConfig(), a);
      assert.doesNotMatch(added.map((c) => c.text).join('\n'), /TOPSECRET/);
    });
  });

  describe('keepRestartRequired', () => {
    it('is mergeReloadable: reloadable fields from the file, the rest from current', () => {
      assert.equal(torProfile.keepRestartRequired, mergeReloadable);
      const current = defaultConfig();
      const file = { ...defaultConfig(), SocksPort: 9150, LogLevel: 'debug' as const };
      const next = torProfile.keepRestartRequired(current, file);
      assert.equal(next.SocksPort, 9050);
      assert.equal(next.LogLevel, 'debug');
    });

    it('gives what the generic merge by path would, only faster', () => {
      const byPath = defineProfile({
        name: 'torrc (by path)',
        format: torrcFormat,
        codec: TorConfig,
        defaults: defaultConfig(),
        reloadable: reloadableFields,
      });
      fc.assert(
        fc.property(validConfig, validConfig, (current, file) => {
          assert.deepEqual(
            torProfile.keepRestartRequired(current, file),
            byPath.keepRestartRequired(current, file),
          );
        }),
        { numRuns: 50 },
      );
    });
  });

  it('validates with go-tor’s rules', () => {
    assert.deepEqual(torProfile.validate(defaultConfig()), []);
    const problems = torProfile.validate({
      ...defaultConfig(),
      CircuitPoolMinSize: 20,
      CircuitPoolMaxSize: 10,
    });
    assert.ok(
      problems.some((p) => p.severity === 'error'),
      JSON.stringify(problems),
    );
  });
});
