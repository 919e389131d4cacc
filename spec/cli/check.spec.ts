import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliProcessIn } from '../support/cli.js';

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
