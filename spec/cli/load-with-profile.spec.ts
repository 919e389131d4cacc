import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadWithProfile } from '../../lib/cli/load-with-profile.js';
import { profileOption } from '../../lib/cli/profile-option.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import {
  appDefaults,
  appProfileSource,
  type ModuleDir,
  moduleDir,
} from '../support/profile-modules.js';

describe('loadWithProfile', () => {
  let dir: string;
  let modules: ModuleDir;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-load-with-profile-'));
    modules = await moduleDir();
  });
  afterEach(async () => {
    await modules.remove();
    await rm(dir, { recursive: true, force: true });
  });

  const options = { strict: false, allowInsecureMode: false };

  it('reads a torrc as Tor does for the Tor profile, its %includes included', async () => {
    const path = join(dir, 'torrc');
    await writeFile(join(dir, 'more.conf'), 'LogLevel debug\n');
    await writeFile(path, '%include more.conf\n');
    const r = await loadWithProfile(path, torProfile as never, options);
    assert.ok(E.isRight(r));
    assert.equal((r.right.config as { LogLevel: string }).LogLevel, 'debug');
    assert.deepEqual(r.right.files, [path, join(dir, 'more.conf')]);
  });

  it("reads any other config with its profile, over the profile's defaults", async () => {
    const profile = await profileOption(
      await modules.write('app.mjs', appProfileSource('jsonFormat')),
    );
    const path = join(dir, 'app.json');
    await writeFile(path, '{ "pool": { "max": 20 } }');
    const r = await loadWithProfile(path, profile, options);
    assert.ok(E.isRight(r));
    assert.deepEqual(r.right.config, { ...appDefaults, pool: { min: 1, max: 20 } });
    await writeFile(path, '{ "pool": { "max": true } }');
    const bad = await loadWithProfile(path, profile, options);
    assert.ok(E.isLeft(bad));
    assert.deepEqual(bad.left.problems, [
      {
        severity: 'error',
        message: 'pool.max: expected a number, got true',
        field: 'pool.max',
        file: path,
        line: 1,
        column: 20,
      },
    ]);
  });
});
