// The fast path at a real inotify limit. Linux lets each user hold fs.inotify.max_user_instances
// inotify instances (128 by default); a host where that user's other processes hold them all
// (editors, file watchers of dev tools, other Node services: one instance per event loop) makes
// fs.watch throw EMFILE. Here a helper running as `nobody` takes every instance that user may
// have, and `hotrc watch` runs as `nobody` too, as a service account would: it must say once
// that it polls only, apply saves by polling, and take the fast path back once an instance is
// free again. Needs root (to run both as nobody), so it runs in CI; elsewhere it skips visibly.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { constants as os, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logMessages } from '../lib/engine/log.js';
import { cliMain, tsxLoader } from './support/cli.js';
import { missingInstall, skipVisibly } from './support/need-program.js';
import { startWatchWith, type Watcher } from './support/watch-process.js';

const nobody = 65_534;
// Debian's own python3, which any user may run (a root-only one, as pyenv's, would not do).
const python = '/usr/bin/python3';

// Takes inotify instances until the kernel refuses one, prints how many it holds and the errno
// of the refusal, then holds them until its stdin closes.
const holderScript = `
import ctypes, os, resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
libc = ctypes.CDLL(None, use_errno=True)
held = 0
while True:
    if libc.inotify_init1(os.O_CLOEXEC) < 0:
        break
    held += 1
print(held, ctypes.get_errno(), flush=True)
sys.stdin.read()
`;

interface Holder {
  readonly child: ChildProcess;
  /** How many instances it took, and the errno that stopped it. */
  readonly took: Promise<{ held: number; errno: number }>;
  readonly exited: Promise<void>;
}

function holdEveryInstance(): Holder {
  const child = spawn(python, ['-c', holderScript], {
    uid: nobody,
    gid: nobody,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const took = new Promise<{ held: number; errno: number }>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = /^(\d+) (\d+)\n/.exec(out);
      if (line !== null) resolve({ held: Number(line[1]), errno: Number(line[2]) });
    });
    child.on('exit', (code) => reject(new Error(`the holder exited (${code}) before taking any`)));
  });
  return { child, took, exited };
}

describe('the fast path at a real inotify limit (fs.inotify.max_user_instances)', function () {
  this.timeout(60_000);
  let dir: string;
  let path: string;
  let holder: Holder | undefined;
  let watcher: Watcher | undefined;

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    if (process.getuid?.() !== 0) {
      missingInstall(this, 'runs hotrc as nobody under a filled inotify limit; needs root');
    }
    try {
      await access(python, constants.X_OK);
    } catch {
      missingInstall(this, `no ${python} here; apt-get install python3 to run this`);
    }
    const limit = Number(await readFile('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
    // Filling a limit raised far above the default would take as many file descriptors.
    if (!(limit <= 8192)) skipVisibly(this, `max_user_instances is ${limit}, too many to fill`);
    // A checkout under a directory only root may enter (/root) cannot be run as nobody.
    const canRead = spawnSync(
      process.execPath,
      [
        '-e',
        'for (const f of process.argv.slice(1)) require("fs").accessSync(f, 4)',
        cliMain,
        fileURLToPath(tsxLoader),
      ],
      { uid: nobody, gid: nobody, stdio: 'ignore' },
    );
    if (canRead.status !== 0) {
      skipVisibly(this, 'user nobody cannot read this checkout, so cannot run hotrc');
    }
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-inotify-limit-'));
    // mkdtemp makes it 0700: nobody must be able to read it, and no one else to write it.
    await chmod(dir, 0o755);
    path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n', { mode: 0o644 });
  });
  afterEach(async () => {
    if (watcher !== undefined && watcher.child.exitCode === null) {
      watcher.child.kill('SIGKILL');
      await watcher.exited;
    }
    if (holder !== undefined && holder.child.exitCode === null) {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    watcher = holder = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  // The audit line of an applied attempt: it names the trigger of the look that found the save.
  const applied = (l: Record<string, unknown>) =>
    l.msg === logMessages.attempt && l.outcome === 'applied';

  const renameSave = async (text: string) => {
    await writeFile(`${path}.tmp`, text, { mode: 0o644 });
    await rename(`${path}.tmp`, path);
  };

  it('polls with one warning (EMFILE) while every instance is taken, then takes the fast path back', async () => {
    holder = holdEveryInstance();
    const { errno } = await holder.took;
    assert.equal(errno, os.errno.EMFILE, 'the kernel refused an instance with EMFILE');

    const w = startWatchWith({ cwd: dir, uid: nobody, gid: nobody }, path, '--interval', '1s');
    watcher = w;
    const warning = await w.waitFor(
      (l) => l.msg === logMessages.watchUnavailable,
      'the fallback warning',
    );
    assert.equal(warning.level, 40);
    assert.match(String(warning.reason), new RegExp(`cannot watch ${dir}: EMFILE`));
    await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');

    // Polling applies a save meanwhile.
    const before = w.lines.length;
    await renameSave('LogLevel info\nMaxCircuitDirtiness 15 minutes\n');
    const polled = await w.waitFor(applied, 'the polled reload', before);
    assert.equal(polled.trigger, 'poll');
    // Retries keep failing while the holder holds on (100 ms, doubling): still one warning.
    await new Promise((done) => setTimeout(done, 800));
    const warnings = () => w.lines.filter((l) => l.includes(logMessages.watchUnavailable));
    assert.equal(warnings().length, 1);

    // An instance comes free: the next retry arms the watch again, and a save is live at once.
    holder.child.stdin?.end();
    await holder.exited;
    await w.waitFor((l) => l.msg === logMessages.watchRestored, 'the fast path back', 0, 20_000);
    const after = w.lines.length;
    await renameSave('LogLevel info\nMaxCircuitDirtiness 20 minutes\n');
    const watched = await w.waitFor(applied, 'the reload on the fast path', after);
    assert.equal(watched.trigger, 'watch');
    assert.equal(warnings().length, 1);
    assert.equal(
      w.lines.filter((l) => l.includes(logMessages.rejected)).length,
      0,
      w.lines.join('\n'),
    );

    w.child.kill('SIGTERM');
    assert.deepEqual(await w.exited, { code: 0, signal: null });
    assert.equal(w.stderr(), '');
  });
});
