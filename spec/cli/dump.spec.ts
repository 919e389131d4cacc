import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLeft, right } from 'fp-ts/lib/Either.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import { defaultConfig, TorConfig } from '../../lib/tor/schema/tor-config.js';
import { cli } from '../support/cli.js';

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
