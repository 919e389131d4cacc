// `hotrc watch` as a real child process, its JSON log lines collected as they come.
import { type ChildProcess, spawn } from 'node:child_process';
import { cliMain, tsxLoader } from './cli.js';

/**
 * A running `hotrc watch`: what it wrote so far, and a way to wait for a line.
 * @example const w = startWatch(path, '--interval', '50ms'); await w.waitFor((l) => l.msg === logMessages.watcherStarted, 'the start line');
 */
export interface Watcher {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Everything the child wrote on stderr so far. */
  stderr(): string;
  /**
   * Resolves with the first line (parsed JSON, or `{ raw }` for any other) that satisfies
   * `test`, looking from line `from` on (default the first); rejects after `timeoutMs` (default
   * 15 s) with every line so far.
   */
  waitFor(
    test: (line: Record<string, unknown>) => boolean,
    what: string,
    from?: number,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How a watch process is started besides its arguments. */
export interface WatchProcessOptions {
  readonly cwd: string;
  /** Run as this user and group (the spec must run as root), as a service account would. */
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * `hotrc watch ...args` in this process's working directory.
 * @example const w = startWatch(path, '--interval', '60s');
 */
export function startWatch(...args: string[]): Watcher {
  return startWatchWith({ cwd: process.cwd() }, ...args);
}

/**
 * `hotrc watch ...args` working in `cwd`.
 * @example const w = startWatchIn(join(dir, 'sub'), '../torrc');
 */
export function startWatchIn(cwd: string, ...args: string[]): Watcher {
  return startWatchWith({ cwd }, ...args);
}

/**
 * `hotrc watch ...args` started as `options` say (run through tsx, so no build is needed).
 * @example const w = startWatchWith({ cwd: dir, uid: 65534, gid: 65534 }, path);
 */
export function startWatchWith(options: WatchProcessOptions, ...args: string[]): Watcher {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliMain, 'watch', ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const waiters: Array<() => void> = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    // A copy: a waiter that is answered takes itself off the list.
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const parsed = (l: string): Record<string, unknown> => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return { raw: l };
    }
  };
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitFor: (test, what, from = 0, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        let seen = from;
        const check = () => {
          for (; seen < lines.length; seen++) {
            const line = parsed(lines[seen] ?? '');
            if (test(line)) {
              clearTimeout(timer);
              waiters.splice(waiters.indexOf(check), 1);
              resolve(line);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(
            new Error(
              `timed out waiting for ${what}; got:\n${lines.join('\n')}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
        waiters.push(check);
        check();
      }),
  };
}
