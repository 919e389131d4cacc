import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cli, cliProcessIn } from '../support/cli.js';
import { appProfileSource, type ModuleDir, moduleDir } from '../support/profile-modules.js';

describe('hotrc check', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-check-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says "Configuration was valid" and exits 0 for the example torrc', async () => {
    const r = await cli('check', 'examples/torrc');
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Configuration was valid\n', '']);
  });

  it('prints every problem as FILE:LINE: message on stderr and exits 1', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\nMaxCircuitDirtiness 10 min\nConnLimit 0\n');
    const r = await cli('check', path);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.trim().split('\n'), [
      `${path}:2: Could not parse MaxCircuitDirtiness: Unknown unit in 10 min`,
      `${path}:3: ConnLimit must be at least 1`,
    ]);
  });

  it('prints warnings but still passes; --strict turns unknown keys into errors', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPrt 9050\n');
    const loose = await cli('check', path);
    assert.equal(loose.code, 0);
    assert.equal(
      loose.stderr,
      `${path}:1: warning: Unknown option 'SocksPrt' (did you mean 'SocksPort'?).\n`,
    );
    const strict = await cli('check', '--strict', path);
    assert.equal(strict.code, 1);
    assert.equal(
      strict.stderr,
      `${path}:1: Unknown option 'SocksPrt' (did you mean 'SocksPort'?).\n`,
    );
  });

  it('prints notes about ignored Tor options only with --verbose', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'Nickname relay\n');
    assert.equal((await cli('check', path)).stderr, '');
    assert.equal(
      (await cli('check', '--verbose', path)).stderr,
      `${path}:1: info: Tor option 'Nickname' is not used by hotrc; ignored.\n`,
    );
  });

  it('reports a missing file, with its name, as exit 1', async () => {
    const r = await cli('check', join(dir, 'missing'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing/);
  });

  it('refuses a world-writable torrc as the watcher would, unless --allow-insecure-mode', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    await chmod(path, 0o666);
    const refused = await cli('check', path);
    assert.deepEqual(
      [refused.code, refused.stdout, refused.stderr],
      [1, '', `${path}: refusing ${path}: mode 0666 is world-writable\n`],
    );
    const allowed = await cli('check', '--allow-insecure-mode', path);
    assert.deepEqual([allowed.code, allowed.stdout], [0, 'Configuration was valid\n']);
  });

  it('refuses a world-writable %include at its line', async () => {
    const path = join(dir, 'torrc');
    const inc = join(dir, 'pools.conf');
    await writeFile(inc, 'CircuitPoolMaxSize 20\n');
    await chmod(inc, 0o666);
    await writeFile(path, 'LogLevel info\n%include pools.conf\n');
    const r = await cli('check', path);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `${path}:2: %include "pools.conf": refusing ${inc}: mode 0666 is world-writable\n`,
    );
    assert.equal((await cli('check', path, '--allow-insecure-mode')).code, 0);
  });

  it('exits 2 without a FILE or with two', async () => {
    assert.equal((await cli('check')).code, 2);
    assert.equal((await cli('check', 'a', 'b')).code, 2);
  });

  it('reads ../torrc typed from another working directory, naming the file absolutely', async () => {
    const path = join(dir, 'torrc');
    const cwd = join(dir, 'sub');
    await mkdir(cwd);
    await writeFile(path, 'ConnLimit 0\n');
    const r = await cliProcessIn(cwd, 'check', '../torrc');
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr: `${path}:1: ConnLimit must be at least 1\n`,
    });
  });
});

describe('hotrc check --profile', () => {
  let dir: string;
  let modules: ModuleDir;
  let yamlProfile: string;
  let jsonProfile: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-check-profile-'));
    modules = await moduleDir();
    yamlProfile = await modules.write('yaml-profile.mjs', appProfileSource('yamlFormat'));
    jsonProfile = await modules.write('json-profile.mjs', appProfileSource('jsonFormat'));
  });
  afterEach(async () => {
    await modules.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('says "Configuration was valid" and exits 0 for a valid YAML file', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  max: 20\nupstreams:\n  - host: a.example\n    token: t0\n');
    const r = await cli('check', path, '--profile', yamlProfile);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Configuration was valid\n', '']);
  });

  it('says "Configuration was valid" and exits 0 for a valid JSON file', async () => {
    const path = join(dir, 'app.json');
    await writeFile(path, '{\n  "server": { "port": 9090 },\n  "db": { "password": "p" }\n}\n');
    const r = await cli('check', path, '--profile', jsonProfile);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Configuration was valid\n', '']);
  });

  it('warns of an unknown key at its line (exit 0), and refuses it with --strict (exit 1)', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  mx: 20\n');
    const r = await cli('check', path, '--profile', yamlProfile);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [
        0,
        'Configuration was valid\n',
        `${path}:2:7: warning: unknown key 'pool.mx' (did you mean 'max'?)\n`,
      ],
    );
    const strict = await cli('check', path, '--profile', yamlProfile, '--strict');
    assert.deepEqual(
      [strict.code, strict.stderr],
      [1, `${path}:2:7: unknown key 'pool.mx' (did you mean 'max'?)\n`],
    );
  });

  it('prints every codec error at once as FILE:LINE:COLUMN: message and exits 1', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(
      path,
      ['pool:', '  max: ten', '  min: [1]', 'server:', '  port: "80"', 'logLevel: 3', ''].join(
        '\n',
      ),
    );
    const r = await cli('check', path, '--profile', yamlProfile);
    assert.deepEqual([r.code, r.stdout], [1, '']);
    assert.deepEqual(r.stderr.split('\n'), [
      `${path}:2:8: pool.max: expected a number, got "ten"`,
      `${path}:3:8: pool.min: expected a number, got an array`,
      `${path}:5:9: server.port: expected a number, got "80"`,
      `${path}:6:11: logLevel: expected a string, got 3`,
      '',
    ]);
  });

  it('prints every YAML syntax error at once with its line and column', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  max: 1\n  max: 2\nserver: {port: 9\n');
    const r = await cli('check', path, '--profile', yamlProfile);
    assert.deepEqual([r.code, r.stdout], [1, '']);
    assert.deepEqual(r.stderr.split('\n'), [
      `${path}:3:3: duplicate key "max" (first at line 2, column 3)`,
      `${path}:5:1: Flow map in block collection must be sufficiently indented and end with a }`,
      '',
    ]);
  });

  it('prints JSON syntax and codec errors with line and column', async () => {
    const syntax = join(dir, 'syntax.json');
    await writeFile(syntax, '{\n  "pool": { "max": 20, }\n}\n');
    assert.deepEqual(await cli('check', syntax, '--profile', jsonProfile), {
      code: 1,
      stdout: '',
      stderr: `${syntax}:2:22: trailing comma: JSON allows none after the last member\n`,
    });
    const codec = join(dir, 'codec.json');
    await writeFile(codec, '{\n  "pool": {\n    "max": "ten"\n  }\n}\n');
    const r = await cli('check', codec, '--profile', jsonProfile);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, '', `${codec}:3:12: pool.max: expected a number, got "ten"\n`],
    );
  });

  it("never prints a secret's value in a problem", async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(
      path,
      [
        'db:',
        '  password:',
        '    - hunter2',
        'upstreams:',
        '  - host: a.example',
        '    token: 8675309',
        '',
      ].join('\n'),
    );
    const r = await cli('check', path, '--profile', yamlProfile);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.split('\n'), [
      `${path}:3:5: db.password: expected a string, got [REDACTED]`,
      `${path}:6:12: upstreams.0.token: expected a string, got [REDACTED]`,
      '',
    ]);
    assert.ok(!r.stderr.includes('hunter2') && !r.stderr.includes('8675309'), r.stderr);
  });

  it("prints the profile's cross-field errors (exit 1) and warnings (exit 0) on stderr", async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  min: 30\n  max: 20\n');
    assert.deepEqual(await cli('check', path, '--profile', yamlProfile), {
      code: 1,
      stdout: '',
      // The rule names pool.min, so the problem points where the file sets it.
      stderr: `${path}:2:8: pool.min must be at most pool.max\n`,
    });
    await writeFile(path, 'pool:\n  max: 200\n');
    assert.deepEqual(await cli('check', path, '--profile', yamlProfile), {
      code: 0,
      stdout: 'Configuration was valid\n',
      stderr: `${path}:2:8: warning: pool.max above 100 starves the database\n`,
    });
  });

  it('refuses a world-writable file as the watcher would, unless --allow-insecure-mode', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  max: 20\n');
    await chmod(path, 0o666);
    const refused = await cli('check', path, '--profile', yamlProfile);
    assert.deepEqual(
      [refused.code, refused.stdout, refused.stderr],
      [1, '', `${path}: refusing ${path}: mode 0666 is world-writable\n`],
    );
    const allowed = await cli('check', path, '--profile', yamlProfile, '--allow-insecure-mode');
    assert.deepEqual([allowed.code, allowed.stdout], [0, 'Configuration was valid\n']);
  });

  it('runs as a real process, FILE and MODULE relative to the working directory', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(path, 'pool:\n  max: ten\n');
    const r = await cliProcessIn(dir, 'check', 'app.yaml', '--profile', relative(dir, yamlProfile));
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr: `${path}:2:8: pool.max: expected a number, got "ten"\n`,
    });
    await writeFile(path, 'pool:\n  max: 20\n');
    const ok = await cliProcessIn(
      dir,
      'check',
      'app.yaml',
      '--profile',
      relative(dir, yamlProfile),
    );
    assert.deepEqual(ok, { code: 0, stdout: 'Configuration was valid\n', stderr: '' });
  });
});
