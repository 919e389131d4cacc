import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFromFile } from '../../lib/config-file.js';
import { defaultConfig } from '../../lib/schema/tor-config.js';
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

  it('redacts onion client keys unless --show-secrets', async () => {
    const path = join(dir, 'torrc');
    await writeFile(
      path,
      'HiddenServiceDir /hs\nHiddenServicePort 80\nHiddenServiceClientAuth alice TOPSECRET\n',
    );
    assert.ok(!(await cli('dump', path)).stdout.includes('TOPSECRET'));
    assert.ok(!(await cli('dump', path, '--format', 'torrc')).stdout.includes('TOPSECRET'));
    assert.ok((await cli('dump', path, '--show-secrets')).stdout.includes('TOPSECRET'));
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
