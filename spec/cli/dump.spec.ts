import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLeft, right } from 'fp-ts/lib/Either.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import { defaultConfig, TorConfig } from '../../lib/tor/schema/tor-config.js';
import { cli } from '../support/cli.js';
import {
  appDefaults,
  appProfileSource,
  type ModuleDir,
  moduleDir,
} from '../support/profile-modules.js';

// The module the CLI itself runs hotrc's Tor profile from (the sources, under tsx), so that a
// profile module re-exporting it hands the CLI that very profile, as 'hotrc' does once installed.
const torProfileUrl = new URL('../../lib/tor/tor-profile.ts', import.meta.url).href;

describe('hotrc dump', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-dump-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the effective config as JSON by default', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel debug\nMaxCircuitDirtiness 15 minutes\n');
    const r = await cli('dump', path);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      ...defaultConfig(),
      LogLevel: 'debug',
      MaxCircuitDirtiness: 900_000,
    });
  });

  it('prints a torrc that loads back to the same config', async () => {
    const path = join(dir, 'torrc');
    await writeFile(
      path,
      'LogLevel debug\nExcludeNodes {us},{de}\nHiddenServiceDir /hs\nHiddenServicePort 80\n',
    );
    const r = await cli('dump', path, '--format', 'torrc');
    assert.equal(r.code, 0);
    const copy = join(dir, 'copy');
    await writeFile(copy, r.stdout);
    assert.deepEqual(await loadFromFile(copy), await loadFromFile(path));
  });

  const aliceKey = `descriptor:x25519:TOPSECRET${'A'.repeat(43)}`;
  const bobKey = `descriptor:x25519:${'b'.repeat(52)}`;
  const withKeys = [
    'HiddenServiceDir /hs',
    'HiddenServicePort 80',
    'HiddenServicePort 443 8443',
    `HiddenServiceClientAuth alice ${aliceKey}`,
    `HiddenServiceClientAuth bob ${bobKey}`,
    '',
  ].join('\n');

  it('redacts onion client keys unless --show-secrets', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, withKeys);
    for (const args of [[], ['--format', 'torrc'], ['--format', 'json']]) {
      const r = await cli('dump', path, ...args);
      assert.equal(r.code, 0);
      assert.ok(!r.stdout.includes('TOPSECRET') && !r.stdout.includes(bobKey), args.join(' '));
      assert.ok(r.stdout.includes('[REDACTED]'));
    }
    assert.ok((await cli('dump', path, '--show-secrets')).stdout.includes(aliceKey));
  });

  it('writes a redacted torrc that check refuses, naming each redacted line', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, withKeys);
    const r = await cli('dump', path, '--format', 'torrc');
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(
      lines[0],
      '# 2 onion client keys are [REDACTED]: this file will not load until the real keys are put back (hotrc dump --show-secrets prints them).',
    );
    const copy = join(dir, 'redacted-copy');
    await writeFile(copy, r.stdout);
    const lineOf = (name: string) =>
      lines.indexOf(`HiddenServiceClientAuth ${name} [REDACTED]`) + 1;
    assert.ok(lineOf('alice') > 0 && lineOf('bob') > 0);

    const checked = await cli('check', copy);
    assert.equal(checked.code, 1);
    assert.equal(checked.stdout, '');
    assert.deepEqual(
      checked.stderr.trim().split('\n'),
      ['alice', 'bob'].map(
        (name) =>
          `${copy}:${lineOf(name)}: Could not parse HiddenServiceClientAuth: the key of client "${name}" is [REDACTED], the placeholder of a redacted hotrc dump: put the real key back (hotrc dump --show-secrets prints it)`,
      ),
    );
    // The library refuses it the same way, and so does the codec for a redacted JSON dump.
    await assert.rejects(loadFromFile(copy), /is \[REDACTED\], the placeholder/);
    const json = JSON.parse((await cli('dump', path)).stdout) as unknown;
    assert.ok(isLeft(TorConfig.decode(json)));
  });

  it('writes with --show-secrets a torrc that check accepts and that loads back the same', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, withKeys);
    const r = await cli('dump', path, '--format', 'torrc', '--show-secrets');
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith('# Written by hotrc.'));
    const copy = join(dir, 'copy');
    await writeFile(copy, r.stdout);
    assert.deepEqual(await cli('check', copy), {
      code: 0,
      stdout: 'Configuration was valid\n',
      stderr: '',
    });
    const original = await loadFromFile(path);
    assert.deepEqual(await loadFromFile(copy), original);
    assert.deepEqual(
      original.OnionServices[0]?.ClientAuth.map((a) => a.Key),
      [aliceKey, bobKey],
    );
    // The JSON form with the keys decodes too.
    const json = JSON.parse((await cli('dump', path, '--show-secrets')).stdout) as unknown;
    assert.deepEqual(TorConfig.decode(json), right(original));
  });

  it('exits 1 with the problems for an invalid file, 2 for a bad --format', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'ConnLimit -1\n');
    const r = await cli('dump', path);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^${path}:1: Could not parse ConnLimit`));
    assert.equal((await cli('dump', path, '--format', 'yaml')).code, 2);
  });
});

describe('hotrc dump --profile', () => {
  let dir: string;
  let modules: ModuleDir;
  let yamlProfile: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-dump-profile-'));
    modules = await moduleDir();
    yamlProfile = await modules.write('yaml-profile.mjs', appProfileSource('yamlFormat'));
  });
  afterEach(async () => {
    await modules.remove();
    await rm(dir, { recursive: true, force: true });
  });

  const dumped = async (...args: string[]): Promise<unknown> => {
    const r = await cli('dump', ...args);
    assert.deepEqual([r.code, r.stderr], [0, ''], r.stderr);
    return JSON.parse(r.stdout);
  };

  it('prints the defaults with the file laid over them; a deleted key is back at its default', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'logLevel: debug\npool:\n  max: 20\nserver:\n  port: 9090\n');
    const r = await cli('dump', path, '--profile', yamlProfile);
    assert.equal(r.code, 0);
    // Pretty JSON, two spaces, objects merged key by key over the defaults.
    assert.ok(r.stdout.startsWith('{\n  "logLevel": "debug",\n  "server": {\n    "port": 9090'));
    assert.deepEqual(JSON.parse(r.stdout), {
      ...appDefaults,
      logLevel: 'debug',
      server: { port: 9090 },
      pool: { min: 1, max: 20 },
      db: { ...appDefaults.db, password: '[REDACTED]' },
    });
    await writeFile(path, 'logLevel: debug\nserver:\n  port: 9090\n');
    assert.deepEqual(await dumped(path, '--profile', yamlProfile), {
      ...appDefaults,
      logLevel: 'debug',
      server: { port: 9090 },
      db: { ...appDefaults.db, password: '[REDACTED]' },
    });
  });

  const withSecrets = [
    'db:',
    '  password: hunter2',
    'upstreams:',
    '  - host: a.example',
    '    token: tok-aaaa',
    '  - host: b.example',
    '    token: tok-bbbb',
    '',
  ].join('\n');

  it('prints every value at a secret path as [REDACTED], * matching every array item', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, withSecrets);
    const r = await cli('dump', path, '--profile', yamlProfile);
    assert.equal(r.code, 0);
    for (const secret of ['hunter2', 'tok-aaaa', 'tok-bbbb', 'default-secret']) {
      assert.ok(!r.stdout.includes(secret), secret);
    }
    assert.deepEqual(JSON.parse(r.stdout), {
      ...appDefaults,
      db: { url: appDefaults.db.url, password: '[REDACTED]' },
      upstreams: [
        { host: 'a.example', token: '[REDACTED]' },
        { host: 'b.example', token: '[REDACTED]' },
      ],
    });
  });

  it('prints the secrets with --show-secrets, as JSON that loads back to the same config', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, withSecrets);
    const shown = await dumped(path, '--profile', yamlProfile, '--show-secrets');
    assert.deepEqual(shown, {
      ...appDefaults,
      db: { url: appDefaults.db.url, password: 'hunter2' },
      upstreams: [
        { host: 'a.example', token: 'tok-aaaa' },
        { host: 'b.example', token: 'tok-bbbb' },
      ],
    });
    // YAML is a superset of JSON: the dump is itself a file the profile reads.
    const copy = join(dir, 'copy.yaml');
    await writeFile(copy, JSON.stringify(shown, null, 2));
    assert.deepEqual(await dumped(copy, '--profile', yamlProfile, '--show-secrets'), shown);
  });

  it("refuses --format torrc for a profile other than Tor's (exit 2, saying why)", async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  max: 20\n');
    const r = await cli('dump', path, '--profile', yamlProfile, '--format', 'torrc');
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [
        2,
        '',
        "hotrc dump: --format torrc prints a torrc, and profile 'app' is not hotrc's Tor profile: use --format json (try hotrc dump --help)\n",
      ],
    );
    assert.equal((await cli('dump', path, '--profile', yamlProfile, '--format', 'json')).code, 0);
  });

  it('exits 1 with each problem at its line and column for an invalid file', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  max: ten\ndb:\n  password: 42\n');
    const r = await cli('dump', path, '--profile', yamlProfile);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [
        1,
        '',
        `${path}:2:8: pool.max: expected a number, got "ten"\n${path}:4:13: db.password: expected a string, got [REDACTED]\n`,
      ],
    );
  });

  it("dumps a torrc as without --profile when the module exports hotrc's Tor profile", async () => {
    const torModule = await modules.write(
      'tor-profile.mjs',
      `export { torProfile as default } from ${JSON.stringify(torProfileUrl)};\n`,
    );
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel debug\nHiddenServiceDir /hs\nHiddenServicePort 80\n');
    const plain = await cli('dump', path, '--format', 'torrc');
    assert.equal(plain.code, 0);
    assert.deepEqual(await cli('dump', path, '--format', 'torrc', '--profile', torModule), plain);
  });
});
