import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ChangeHint } from '../core/source.js';
import type { DirectoryWatch, FsPort } from './fs-port.js';
import { judgeEvent, type WatchedDirectory, type WatchPlan } from './watch-plan.js';

/**
 * What fsWatch needs: where the plan comes from, the watch door, and when to plan again.
 * @example const o: FsWatchOptions = { plan: () => planWatch([{ path }], nodeFs), watch: nodeFs.watch!, replan$, scheduler: asyncScheduler };
 */
export interface FsWatchOptions {
  /** The directories to watch now; asked again whenever the way to the files may have moved. Never rejects. */
  readonly plan: () => Promise<WatchPlan>;
  /** Opens a watch on one directory (FsPort.watch). */
  readonly watch: NonNullable<FsPort['watch']>;
  /** The owner's word that the plan may have moved (a load tracked other includes, a look saw another real path). */
  readonly replan$: Observable<void>;
  /** Times the retries of a failed watch. */
  readonly scheduler: SchedulerLike;
  /** The first retry after a watch failed (ms); each next one waits twice as long. Default 100. */
  readonly retryMs?: number;
  /** The longest wait between two retries (ms). Default 10000. */
  readonly maxRetryMs?: number;
}

interface Armed {
  dir: WatchedDirectory;
  readonly handle: DirectoryWatch;
}

/** Plans made again at once when a directory vanished between planning and watching it. */
const vanishedReplans = 3;

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

const describe = (err: unknown): string => {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
};

/**
 * The fs.watch fast path as change hints: a watch on each directory of the plan (never on a
 * file), a `changed` hint for each event on an entry that matters (see judgeEvent; other files
 * in the directory are ignored), `armed` once every directory is watched, `unavailable` once
 * when one cannot be (the inotify limit, EPERM, a watch that errored), after which it retries
 * with a doubling backoff on `scheduler` until it can, and sends `armed` again.
 *
 * The watches follow the plan: an event on a symlink or a missing part, a directory deleted or
 * moved, or a word on `replan$` plans again, closes the watches no longer wanted and opens the
 * new ones (a recreated directory is another inode, so it is watched afresh). Whenever a watch
 * is opened, a `changed` hint follows: what happened while it was not open would be missed.
 * Plans never run two at once; one asked for while another runs runs after it, so the last
 * change is always planned for. No delay is added anywhere: a hint goes out in the event's own
 * callback. Unsubscribing closes every watch and the retry timer.
 * @example fsWatch({ plan, watch: nodeFs.watch!, replan$, scheduler }).subscribe((h) => h.kind === 'changed' && look());
 */
export function fsWatch(options: FsWatchOptions): Observable<ChangeHint> {
  const { plan, watch, scheduler } = options;
  const firstRetryMs = options.retryMs ?? 100;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  return new Observable<ChangeHint>((subscriber) => {
    const armed = new Map<string, Armed>();
    let closed = false;
    let state: 'starting' | 'armed' | 'unavailable' = 'starting';
    let retryMs = firstRetryMs;
    let retry: Subscription | undefined;
    let planning = false;
    let again = false;
    let vanished = 0;

    const hint = (h: ChangeHint): void => {
      if (!closed) subscriber.next(h);
    };

    const fail = (path: string, err: unknown): void => {
      if (state !== 'unavailable') {
        state = 'unavailable';
        hint({ kind: 'unavailable', reason: `cannot watch ${path}: ${describe(err)}`, error: err });
      }
      if (retry === undefined && !closed) {
        retry = scheduler.schedule(() => {
          retry = undefined;
          replan();
        }, retryMs);
        retryMs = Math.min(retryMs * 2, maxRetryMs);
      }
    };

    const onEvent = (entry: Armed, name: string | null): void => {
      // A watch closed or replaced may still deliver what was queued before.
      if (closed || armed.get(entry.dir.path) !== entry) return;
      const verdict = judgeEvent(entry.dir, name);
      if (verdict === 'ignore') return;
      // The look first: it is what the saver waits for; the plan can follow.
      hint({ kind: 'changed' });
      if (verdict === 'replan') replan();
    };

    const onError = (entry: Armed, err: unknown): void => {
      if (closed || armed.get(entry.dir.path) !== entry) return;
      entry.handle.close();
      armed.delete(entry.dir.path);
      // It may have died on a change it never reported.
      hint({ kind: 'changed' });
      fail(entry.dir.path, err);
    };

    const arm = (wanted: WatchPlan): void => {
      const byPath = new Map(wanted.map((d) => [d.path, d]));
      for (const [path, a] of armed) {
        const next = byPath.get(path);
        if (next === undefined || next.id !== a.dir.id) {
          a.handle.close();
          armed.delete(path);
        }
      }
      let opened = false;
      let failed: { path: string; err: unknown } | undefined;
      let gone: { path: string; err: unknown } | undefined;
      for (const dir of wanted) {
        const present = armed.get(dir.path);
        if (present !== undefined) {
          present.dir = dir;
          continue;
        }
        try {
          const entry: { dir: WatchedDirectory; handle?: DirectoryWatch } = { dir };
          const handle = watch(
            dir.path,
            (name) => onEvent(entry as Armed, name),
            (err) => onError(entry as Armed, err),
          );
          entry.handle = handle;
          armed.set(dir.path, entry as Armed);
          opened = true;
        } catch (err) {
          const code = codeOf(err);
          if (code === 'ENOENT' || code === 'ENOTDIR') gone ??= { path: dir.path, err };
          else failed ??= { path: dir.path, err };
        }
      }
      // A directory deleted since it was planned is no failure: the next plan watches its parent.
      if (gone !== undefined && failed === undefined && vanished < vanishedReplans) {
        vanished++;
        again = true;
        if (opened) hint({ kind: 'changed' });
        return;
      }
      failed ??= gone;
      vanished = 0;
      if (failed !== undefined) fail(failed.path, failed.err);
      else if (state !== 'armed') {
        state = 'armed';
        retryMs = firstRetryMs;
        hint({ kind: 'armed' });
      }
      if (opened) hint({ kind: 'changed' });
    };

    // One plan at a time; asked for while one runs, one more runs after it (the last word wins).
    const replan = (): void => {
      if (planning) {
        again = true;
        return;
      }
      planning = true;
      void (async () => {
        do {
          again = false;
          let wanted: WatchPlan;
          try {
            wanted = await plan();
          } catch (err) {
            if (closed) break;
            fail('(planning)', err);
            continue;
          }
          if (closed) break;
          arm(wanted);
        } while (again && !closed);
        planning = false;
      })();
    };

    const nudges = options.replan$.subscribe(() => replan());
    replan();
    return () => {
      closed = true;
      nudges.unsubscribe();
      retry?.unsubscribe();
      for (const a of armed.values()) a.handle.close();
      armed.clear();
    };
  });
}
