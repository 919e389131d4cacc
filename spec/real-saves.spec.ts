// Saves made by the real programs people and tools save configs with, each run as it is
// installed, not syscalls written out here: what each does (strace'd on Debian 12) is in its
// row. Each changes a watched torrc's LogLevel from info to warn, once with the fast path on
// (polling once a minute, so only the fast path can explain the reload) and once polling only
// (every 50 ms). Whatever the program's steps (the file moved aside, truncated, missing, empty,
// its mode set after), hotrc applies the saved file exactly once, never reports the states in
// between, and never has any config on config$ but the old and the new.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigChange, Rejection } from '../lib/engine/types.js';
import { ReloadableConfig } from '../lib/reloadable-config.js';
import { loadFromFile } from '../lib/tor/config-file.js';
import type { TorConfig } from '../lib/tor/schema/tor-config.js';
import { needProgram } from './support/need-program.js';
import { sleep, until } from './support/waiting.js';

const before = 'SocksPort 9050\nLogLevel info\nCircuitPoolMaxSize 12\n';
const after = 'SocksPort 9050\nLogLevel warn\nCircuitPoolMaxSize 12\n';

interface Saver {
  /** What the program is and what it does to the file. */
  readonly title: string;
  readonly bin: string;
  /** The Debian package that has `bin`. */
  readonly pkg: string;
  /** The program's arguments, run in the file's directory; `new` holds the saved text. */
  readonly args: ReadonlyArray<string>;
  /** What it reads on stdin, if anything. */
  readonly input?: string;
  /** Made in the file's directory before the watcher starts (a repository, an archive). */
  readonly setup?: (dir: string) => void;
}

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=hotrc', '-c', 'user.email=hotrc@example.com', ...args], {
    cwd: dir,
    stdio: 'ignore',
  });

// vim without any vimrc, so the machine's settings cannot change what it does.
const vim = (set: string): ReadonlyArray<string> => [
  ...['-N', '-u', 'NONE', '-i', 'NONE', '-n', '-es'],
  ...['-c', `set ${set}`, '-c', '%s/^LogLevel info$/LogLevel warn/', '-c', 'wq', 'torrc'],
];

const savers: ReadonlyArray<Saver> = [
  {
    title:
      'vim, its default save: torrc moved to torrc~, a new torrc created and written, its mode set, torrc~ deleted',
    bin: 'vim',
    pkg: 'vim',
    // backupskip= : by default vim makes no backup under /tmp (where this runs) and overwrites.
    args: vim('writebackup nobackup backupcopy=auto backupskip='),
  },
  {
    title: 'vim, backupcopy=yes (and any file under /tmp): torrc truncated and written in place',
    bin: 'vim',
    pkg: 'vim',
    args: vim('writebackup nobackup backupcopy=yes'),
  },
  {
    title: 'ed: torrc opened with O_TRUNC and written in place',
    bin: 'ed',
    pkg: 'ed',
    args: ['-s', 'torrc'],
    input: ',s/^LogLevel info$/LogLevel warn/\nw\nq\n',
  },
  {
    title: 'perl -pi: a temporary file written, its mode set, renamed over torrc',
    bin: 'perl',
    pkg: 'perl-base',
    args: ['-pi', '-e', 's/^LogLevel info$/LogLevel warn/', 'torrc'],
  },
  {
    title: 'sed -i: a temporary ./sedXXXXXX created with mode 0600, written, renamed over torrc',
    bin: 'sed',
    pkg: 'sed',
    args: ['-i', 's/^LogLevel info$/LogLevel warn/', 'torrc'],
  },
  {
    title: 'cp: torrc opened with O_TRUNC and written in place',
    bin: 'cp',
    pkg: 'coreutils',
    args: ['new', 'torrc'],
  },
  {
    title: 'install -m 644: torrc unlinked, created with mode 0600, written, its mode set',
    bin: 'install',
    pkg: 'coreutils',
    args: ['-m', '644', 'new', 'torrc'],
  },
  {
    title:
      'rsync -a: a temporary .torrc.XXXXXX written, its mode and times set, renamed over torrc',
    bin: 'rsync',
    pkg: 'rsync',
    // -I: the two files have the same size and mtime second, which rsync's quick check skips.
    args: ['-a', '-I', 'new', 'torrc'],
  },
  {
    title:
      "rsync -a --inplace: torrc opened without O_TRUNC, rewritten at the same size, cut to it, its mtime set back to the source's",
    bin: 'rsync',
    pkg: 'rsync',
    // -I as above: same size and mtime second, skipped by the quick check otherwise.
    args: ['-a', '-I', '--inplace', 'new', 'torrc'],
  },
  {
    title: 'a shell redirection (printf > torrc): torrc opened with O_TRUNC and written in place',
    bin: 'sh',
    pkg: 'dash',
    args: ['-c', `printf '%s' '${after}' > torrc`],
  },
  {
    title:
      'tar -x: torrc unlinked, created, written, its mtime set back to the archived one, its mode set',
    bin: 'tar',
    pkg: 'tar',
    args: ['-xf', 'saved.tar'],
    setup: (dir) =>
      execFileSync(
        'sh',
        ['-c', 'mkdir src && cp new src/torrc && tar -cf saved.tar -C src torrc'],
        {
          cwd: dir,
        },
      ),
  },
  {
    title: 'git checkout: torrc unlinked, created and written in place',
    bin: 'git',
    pkg: 'git',
    args: ['checkout', 'saved', '--', 'torrc'],
    setup: (dir) => {
      git(dir, 'init', '-q', '.');
      git(dir, 'add', 'torrc');
      git(dir, 'commit', '-qm', 'before');
      execFileSync('cp', ['new', 'torrc'], { cwd: dir });
      git(dir, 'commit', '-qam', 'after');
      git(dir, 'tag', 'saved');
      git(dir, 'checkout', '-q', 'HEAD~1', '--', 'torrc');
    },
  },
  {
    title: 'mv: new renamed over torrc',
    bin: 'mv',
    pkg: 'coreutils',
    args: ['new', 'torrc'],
  },
  {
    title: 'ln -sfn: a temporary symlink to new renamed over torrc (a regular file until then)',
    bin: 'ln',
    pkg: 'coreutils',
    args: ['-sfn', 'new', 'torrc'],
  },
];

function runIn(dir: string, saver: Saver): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(saver.bin, [...saver.args], {
      cwd: dir,
      stdio: [saver.input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
      timeout: 10_000,
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${saver.bin} ended with ${code ?? signal}: ${stderr.trim()}`)),
    );
    child.stdin?.end(saver.input);
  });
}

describe('saves by real programs, as each makes them', function () {
  this.timeout(20_000);
  let dir: string;
  let rc: ReloadableConfig | undefined;

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-real-saves-')));
    await writeFile(join(dir, 'torrc'), before);
    await writeFile(join(dir, 'new'), after);
  });

  afterEach(async () => {
    await rc?.stop();
    rc = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const modes = [
    { name: 'fast path', fsWatch: true, intervalMs: 60_000, trigger: 'watch' },
    { name: 'polling only', fsWatch: false, intervalMs: 50, trigger: 'poll' },
  ] as const;

  for (const saver of savers) {
    for (const mode of modes) {
      it(`${saver.title} (${mode.name})`, async function () {
        needProgram(this, saver.bin, saver.pkg);
        saver.setup?.(dir);
        const path = join(dir, 'torrc');
        const writeQuietMs = 100;
        const r = new ReloadableConfig(await loadFromFile(path), path, undefined, {
          writeQuietMs,
          fsWatch: mode.fsWatch,
        });
        rc = r;
        const seen: TorConfig[] = [];
        const changes: ConfigChange<TorConfig>[] = [];
        const rejections: Rejection[] = [];
        r.config$.subscribe((c) => seen.push(c));
        r.changes$.subscribe((c) => changes.push(c));
        r.rejections$.subscribe((x) => rejections.push(x));
        r.startWatcher(mode.intervalMs);
        await until(r.status$, (s) => s.sha256 !== undefined, 'the first look');
        if (mode.fsWatch) await until(r.status$, (s) => s.fastPath === 'watching', 'the watches');

        await runIn(dir, saver);
        await until(r.config$, (c) => c.LogLevel === 'warn', 'the saved file applied');
        // Nothing may follow: no second apply, no report of a state the save went through.
        await sleep(writeQuietMs + 200);

        assert.deepEqual(rejections, []);
        assert.deepEqual(
          changes.map((c) => [c.trigger, c.changes.map((d) => d.field)]),
          [[mode.trigger, ['LogLevel']]],
        );
        assert.deepEqual(
          seen.map((c) => c.LogLevel),
          ['info', 'warn'],
        );
        assert.equal(r.get().CircuitPoolMaxSize, 12);
      });
    }
  }
});
