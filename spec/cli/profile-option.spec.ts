import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../lib/cli/command.js';
import { isTorProfile, profileOption } from '../../lib/cli/profile-option.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { cli } from '../support/cli.js';
import { appProfileSource, type ModuleDir, moduleDir } from '../support/profile-modules.js';

describe('--profile MODULE', () => {
  let modules: ModuleDir;
  let dir: string;
  let config: string;
  beforeEach(async () => {
    modules = await moduleDir();
    dir = await mkdtemp(join(tmpdir(), 'hotrc-profile-'));
    config = join(dir, 'app.yaml');
    await writeFile(config, 'pool:\n  max: 20\n');
  });
  afterEach(async () => {
    await modules.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the default export of the module, a profile built with defineProfile', async () => {
    const path = await modules.write('app-profile.mjs', appProfileSource('yamlFormat'));
    const profile = await profileOption(path);
    assert.equal(profile.name, 'app');
    assert.equal(isTorProfile(profile), false);
  });

  it("is hotrc's Tor profile without the option", async () => {
    const profile = await profileOption(undefined);
    assert.equal(profile, torProfile);
    assert.equal(isTorProfile(profile), true);
  });

  // Each bad module, and the one line every command prints for it.
  const badModules: ReadonlyArray<{ what: string; source?: string; says: RegExp }> = [
    { what: 'a missing module', says: /: no such file \(/ },
    {
      what: 'a syntax error',
      source: 'export default {\n  name: "app",,\n};\n',
      says: /: cannot load it: SyntaxError: Unexpected token ','/,
    },
    {
      what: 'no default export',
      source: 'export const name = "app";\n',
      says: /: it has no default export \(export default defineProfile\(\{ \.\.\. \}\)\)/,
    },
    {
      what: 'a default export that is not a profile',
      source: 'export default { name: "app", format: {} };\n',
      says: /: its default export is not a profile \(build one with defineProfile\)/,
    },
    {
      what: 'a profile defineProfile refuses at import (defaults the codec refuses)',
      source: `import { defineProfile, yamlFormat } from 'hotrc';
import * as t from 'io-ts';
export default defineProfile({ name: 'app', format: yamlFormat, codec: t.type({ port: t.number }), defaults: { port: 'eighty' } });
`,
      says: /: cannot load it: TypeError: profile app: the codec refuses its own defaults/,
    },
    {
      what: 'an import that fails',
      source: "import { nothing } from './missing-helper.mjs';\nexport default nothing;\n",
      says: /: cannot load it: Cannot find module '.*missing-helper\.mjs'/,
    },
  ];

  for (const { what, source, says } of badModules) {
    it(`is a usage error (exit 2, one line naming the module) for ${what}`, async () => {
      const path =
        source === undefined
          ? join(modules.dir, 'missing.mjs')
          : await modules.write('bad.mjs', source);
      for (const command of ['check', 'dump', 'watch']) {
        const r = await cli(command, config, '--profile', path);
        assert.deepEqual([r.code, r.stdout], [2, ''], `${command}: ${r.stderr}`);
        const lines = r.stderr.split('\n');
        assert.deepEqual([lines.length, lines[1]], [2, ''], r.stderr);
        assert.ok(
          r.stderr.startsWith(`hotrc ${command}: --profile ${path}: `),
          `${command}: ${r.stderr}`,
        );
        assert.match(r.stderr, says);
        assert.ok(r.stderr.endsWith(` (try hotrc ${command} --help)\n`), r.stderr);
      }
    });
  }

  it('is a usage error for an empty module path and for a directory', async () => {
    await assert.rejects(profileOption(''), (e) => e instanceof UsageError);
    const r = await cli('check', config, '--profile', modules.dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--profile .*: is not a file/);
  });

  it("is named in each command's --help", async () => {
    for (const command of ['check', 'dump', 'watch']) {
      const r = await cli(command, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: hotrc ${command} FILE \\[--profile MODULE\\]`));
      assert.match(
        r.stdout,
        /--profile MODULE {2,}a JavaScript module whose default export is a profile/,
      );
    }
  });
});
