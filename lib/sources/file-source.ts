import type { BigIntStats } from 'node:fs';
import { dirname } from 'node:path';
import { defer, Observable, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import type {
  ChangeHint,
  ReadResult,
  RejectionFields,
  SnapshotSource,
  SourceState,
  TriggerKind,
} from '../core/source.js';
import { type ArrivalEvidence, arrivalEvidence } from './arrival-evidence.js';
import type { FilePolicy } from './file-policy.js';
import { type FileProblem, isRefusal } from './file-problem.js';
import { type FileState, statFile } from './file-state.js';
import {
  defaultRacyWindowMs,
  defaultWriteQuietMs,
  type Fingerprint,
  fingerprintKey,
  fingerprintOf,
  isRacy,
  matchesStats,
  needsArrivalEvidence,
  nextSighting,
  type Sighting,
  writeQuietWaitMs,
} from './fingerprint.js';
import { type FsPort, nodeFs } from './fs-port.js';
import { fsWatch } from './fs-watch.js';
import { localFs, localSyncReadBytes, onLocalDisk } from './local-fs.js';
import { readStable } from './read-stable.js';
import { sharedTicks, statChanges } from './shared-poller.js';
import { planWatch, type WatchPlan } from './watch-plan.js';

/** What a file source needs besides its path. */
export interface FileSourceOptions {
  readonly policy: FilePolicy;
  readonly fs: FsPort;
  /** The clock (ms since the epoch) against which racy-ness and quiet are judged. */
  readonly now: () => number;
  readonly racyWindowMs: number;
  /** How long a file changed in place must have been quiet (by ctime) before it is read (ms). */
  readonly writeQuietMs: number;
}

/** A SnapshotSource over one file, which also watches what its loads depended on (includes). */
export interface FileSource extends SnapshotSource {
  /** The include files and directories looked at on every tick besides the main file. */
  readonly tracked: () => ReadonlyArray<string>;
  track(paths: ReadonlyArray<string>): Promise<void>;
  /** What the file, and every other file a load reads (its includes), must satisfy. */
  readonly policy: FilePolicy;
  /**
   * The directories the fast path watches now, and the entries in each that matter: the file's
   * directory, each directory along its symlink chain, and those of the tracked includes.
   */
  readonly watchPlan: () => Promise<WatchPlan>;
  /**
   * fs.watch on `watchPlan()`'s directories as change hints (see fsWatch), re-armed when a load
   * tracks other includes or a look finds the file at another real path or gone. Left out when
   * the FsPort cannot watch (has no `watch` and `readlink`): the file is then polled only.
   */
  readonly changeHints?: (scheduler: SchedulerLike) => Observable<ChangeHint>;
  /**
   * The interval's looks, cheaper than one look per tick: one `'poll'` at once, then one
   * whenever the stat of the file or of a tracked include moved (see statChanges: one stat per
   * path per tick, shared by every source polling at `periodMs`, made off the event loop), and at
   * every tick while the last look needs another (its snapshot was racy or still had to wait, or
   * it found a problem, which a look must check again: a directory's mode, a file coming back).
   * With an FsPort other than `nodeFs` (a test double) every tick is a look.
   */
  polls(periodMs: number, scheduler: SchedulerLike): Observable<TriggerKind>;
}

/**
 * A FileProblem as a rejection: policy refusals are `security`, everything else `io`.
 * @example rejectionOf({ kind: 'missing', path: '/x', message: '/x: no such file (ENOENT)' }).kind // 'io'
 */
export function rejectionOf(problem: FileProblem): RejectionFields {
  return {
    kind: isRefusal(problem.kind) ? 'security' : 'io',
    cause: problem.kind,
    reason: problem.message,
    path: problem.path,
    problems: [{ severity: 'error', message: problem.message, file: problem.path }],
  };
}

// An included path's part of the version: its fingerprint, or why there is none. A directory's
// fingerprint moves when entries are added or removed, which is what a %include of it needs.
async function includeKeyOf(path: string, fs: FsPort): Promise<{ key: string; fp?: Fingerprint }> {
  try {
    const fp = fingerprintOf(await fs.stat(path));
    return { key: fingerprintKey(fp), fp };
  } catch (err) {
    return { key: `!${(err as { code?: string }).code ?? 'error'}` };
  }
}

// statFile begins with a stat of the path, which the quick look has just made: it is handed
// over rather than made again (a save is live one round trip sooner). Only that first stat.
function primed(fs: FsPort, seen: { readonly path: string; readonly stats: BigIntStats }): FsPort {
  let fresh: BigIntStats | undefined = seen.stats;
  return {
    stat: (p) => {
      const stats = fresh;
      fresh = undefined;
      return p === seen.path && stats !== undefined ? Promise.resolve(stats) : fs.stat(p);
    },
    lstat: (p) => fs.lstat(p),
    realpath: (p) => fs.realpath(p),
    readFile: (p, o) => fs.readFile(p, o),
  };
}

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * The file-backed SnapshotSource: each look is one stat of the path (following symlinks, never a
 * held handle; the full `statFile` checks run again whenever the fingerprint moved) plus one stat
 * of each file or directory its last load looked at, so an edit to an included file is a change
 * too. After a failed load that is what the failure looked at: a missing %include and its
 * directory, a refused file and its directory, so creating or fixing it is a change. A directory
 * made world-writable under an unchanged file is refused at the file's next change, not at the
 * next tick. The source never decodes: the engine's load (the profile's format) tells it what a
 * load depended on through `track`. Reads are stat-read-stat (`readStable`) and are aborted when
 * the pipeline supersedes them.
 *
 * Half-written files: each snapshot's `waitMs` says how long to wait before reading it. A file
 * that arrived whole is read at once: another inode than the last look saw, with its ctime
 * after its mtime (renamed after its last write, or its mode or times set after it, seen at
 * that look or at a later one while the new file keeps changing), or, with the fast path on, one
 * whose name fs.watch saw bound by a rename and not written since (see nextSighting,
 * arrivalEvidence).
 * Any other change (in place, a delete-and-recreate, a new file written in place before a look
 * saw it) is read once its ctime is `writeQuietMs` old, so a writer that pauses for less than
 * that between two writes is never read half-way (`writeQuietWaitMs`). The wait is the longest
 * over the file and its includes.
 *
 * Fast path: `changeHints` watches the directories of `watchPlan()` with fs.watch, so a save is
 * looked at as it lands instead of at the next poll. The source owns it, not the engine, because
 * only the source knows the way to its bytes (symlink chain, includes) and when that way moves.
 * @example const source = fileSource('/etc/tor/torrc', { policy, fs: nodeFs, now: Date.now, racyWindowMs: 2000, writeQuietMs: 500 });
 */
export function fileSource(
  path: string,
  options: Partial<FileSourceOptions> & Pick<FileSourceOptions, 'policy'>,
): FileSource {
  const fs = options.fs ?? nodeFs;
  const resolved: FileSourceOptions = {
    policy: options.policy,
    fs,
    now: options.now ?? Date.now,
    racyWindowMs: options.racyWindowMs ?? defaultRacyWindowMs,
    writeQuietMs: options.writeQuietMs ?? defaultWriteQuietMs,
  };
  // The fast path's watches, which also keep what they saw as evidence for nextSighting.
  return fs.watch === undefined || fs.readlink === undefined
    ? new PolledFile(path, resolved, undefined)
    : new WatchedFile(path, resolved, arrivalEvidence(fs.watch.bind(fs)));
}

type Present = Extract<FileState, { kind: 'present' }>;

// The file source's state and steps, its methods on the prototype: a thousand watchers keep one
// object each, not a context and twenty closures.
class PolledFile implements FileSource {
  readonly name: string;
  readonly policy: FilePolicy;
  #tracked: ReadonlyArray<string> = [];
  #trackedVersion = 0;
  // Whether the last look needs another at the next tick even if no stat moved (see polls).
  #lookAgain = true;
  // The polls running now, told when `lookAgain` turns on or the tracked paths change: an idle
  // source costs its poller nothing per tick, not even a call. Almost always one: copied on
  // change with concat, which makes the array no longer than it is (a push makes room for 16).
  #pollers: ReadonlyArray<() => void> = [];

  // The version moves only when a path already watched changed: a path newly tracked by a load
  // (its %includes) is recorded as the load finishes (see track), not counted, or the first look
  // after every load would look like a change.
  readonly #lastSeen = new Map<string, string>();
  #generation = 0;

  // Told to the fast path whenever the way to the file or its includes may have moved (other
  // includes tracked, the file found at another real path or gone), so its watches follow.
  protected readonly replan$ = new Subject<void>();
  #shape = '';

  // The door the main file is looked at and read through: `localFs` (synchronous, microseconds)
  // once the directories its path goes through are known to be on a local disk, `nodeFs` until
  // then and for anything else (a network or FUSE mount must never block the event loop).
  // Decided before the first look (for the path as given) and again whenever a look finds the
  // file at another real path. Includes stay on `fs`. Only for `nodeFs`: a test double is used
  // as given.
  #io: FsPort;
  #ioFor: string | undefined;

  // One stat per tick (FIELD-NOTES row 17): while the fingerprint is the one last checked in full,
  // the realpath, root and directory-mode checks of statFile are not repeated. Any move (an edit,
  // a rename-save, a symlink swap: stat follows links) runs them all again before a read.
  // The state, and its fingerprint's key when present (made once per fingerprint, not per look).
  #verified: { readonly key: string; readonly state: Present } | undefined;

  // What the last look saw at each path, to tell a file that arrived whole from one changed in
  // place (see nextSighting). A path without a file is forgotten, so whatever appears there next
  // needs evidence that it arrived whole.
  readonly #sightings = new Map<string, Sighting>();

  constructor(
    readonly path: string,
    private readonly o: FileSourceOptions,
    protected readonly evidence: ArrivalEvidence | undefined,
  ) {
    this.name = path;
    this.policy = o.policy;
    this.#io = o.fs;
  }

  tracked(): ReadonlyArray<string> {
    return this.#tracked;
  }

  #setLookAgain(again: boolean): void {
    const was = this.#lookAgain;
    this.#lookAgain = again;
    if (again && !was) for (const follow of this.#pollers) follow();
  }

  #versionFor(keys: ReadonlyArray<readonly [string, string]>): string {
    const lastSeen = this.#lastSeen;
    let moved = false;
    for (const [p, key] of keys) {
      const before = lastSeen.get(p);
      if (before !== undefined && before !== key) moved = true;
      lastSeen.set(p, key);
    }
    // A look that began before a load changed `tracked` must not drop what the load recorded.
    // Every path of `keys` is in the map now: only a larger map holds any other.
    if (lastSeen.size > keys.length) {
      const current = new Set([...keys.map(([p]) => p), ...this.#tracked]);
      for (const p of lastSeen.keys()) if (!current.has(p)) lastSeen.delete(p);
    }
    if (moved) this.#generation++;
    return `${this.#generation}:${keys[0]?.[1] ?? ''}`;
  }

  #reshaped(next: string): void {
    if (next === this.#shape) return;
    this.#shape = next;
    this.replan$.next();
  }

  // What a load looked at is watched from now on, and the state of each path new to us is
  // recorded at once: recorded only at the next look, an include created between the load and
  // that look (a poll interval later) would be taken for how things always were, and never
  // loaded. What changes between the load's read and this stat is still missed; it is
  // microseconds, against a whole interval.
  async track(watched: ReadonlyArray<string>): Promise<void> {
    const path = this.path;
    if (!sameList(watched, this.#tracked)) {
      // The main file is polled and watched anyway: only other paths make a new plan.
      const others = (ps: ReadonlyArray<string>) => ps.filter((p) => p !== path);
      const moved = !sameList(others(watched), others(this.#tracked));
      this.#tracked = watched;
      if (moved) {
        this.#trackedVersion++;
        this.replan$.next();
        for (const follow of this.#pollers) follow();
      }
    }
    const lastSeen = this.#lastSeen;
    const fresh = watched.filter((p) => p !== path && !lastSeen.has(p));
    const keys = await Promise.all(fresh.map((p) => includeKeyOf(p, this.o.fs)));
    for (const [i, p] of fresh.entries()) {
      if (!lastSeen.has(p)) lastSeen.set(p, keys[i]?.key ?? '');
    }
  }

  #chooseIo(realPath: string): Promise<void> | undefined {
    const { fs, policy } = this.o;
    if (fs !== nodeFs) return undefined;
    const dirs = [...new Set([dirname(this.path), dirname(realPath)])];
    if (policy.root !== undefined) dirs.push(policy.root);
    const key = dirs.join('\0');
    if (key === this.#ioFor) return undefined;
    this.#ioFor = key;
    this.#io = fs;
    return Promise.all(dirs.map(onLocalDisk)).then((local) => {
      if (this.#ioFor === key && local.every(Boolean)) this.#io = localFs;
    });
  }

  async #lookAtMain(): Promise<{ readonly key: string | undefined; readonly state: FileState }> {
    // Asked once, before the first look; a look never waits for it again.
    if (this.#ioFor === undefined) await this.#chooseIo(this.path);
    // Read once: looks overlap (a poll and a settle look), and another may replace `verified`
    // while this one awaits its stat.
    const known = this.#verified;
    const door = this.#io;
    let seen: { readonly path: string; readonly stats: BigIntStats } | undefined;
    if (known !== undefined) {
      const at = known.state.path;
      const stats = await door.stat(at).catch(() => undefined);
      if (stats !== undefined && matchesStats(stats, known.state.fingerprint)) return known;
      if (stats !== undefined) seen = { path: at, stats };
    }
    const state = await statFile(
      this.path,
      this.o.policy,
      seen === undefined ? door : primed(door, seen),
    );
    if (state.kind !== 'present') {
      this.#verified = undefined;
      return { key: undefined, state };
    }
    // The door depends on the real path only: a rename-save keeps it, and is not asked again.
    if (state.realPath !== known?.state.realPath) void this.#chooseIo(state.realPath);
    const verified = { key: fingerprintKey(state.fingerprint), state };
    this.#verified = verified;
    return verified;
  }

  #sight(p: string, fp: Fingerprint | undefined, bound = false): Sighting | undefined {
    if (fp === undefined) {
      this.#sightings.delete(p);
      return undefined;
    }
    const s = nextSighting(this.#sightings.get(p), fp, bound, this.o.writeQuietMs);
    this.#sightings.set(p, s);
    return s;
  }

  // The longest wait over the file and its includes; paths no longer watched are forgotten.
  #waitFor(
    watched: ReadonlyArray<readonly [string, Fingerprint | undefined]>,
    at: number,
    mainBound: boolean,
  ): number {
    let wait = 0;
    for (const [p, fp] of watched) {
      const s = this.#sight(p, fp, mainBound && p === this.path);
      if (s !== undefined) wait = Math.max(wait, writeQuietWaitMs(s, at, this.o.writeQuietMs));
    }
    const sightings = this.#sightings;
    if (sightings.size > watched.length) {
      const current = new Set(watched.map(([p]) => p));
      for (const p of sightings.keys()) if (!current.has(p)) sightings.delete(p);
    }
    return wait;
  }

  async #snapshotOf({
    key: mainKey,
    state,
  }: {
    readonly key: string | undefined;
    readonly state: FileState;
  }): Promise<SourceState> {
    const path = this.path;
    const { fs, racyWindowMs } = this.o;
    // An empty or oversized file is still where it was (a truncate-then-write): no new plan.
    if (state.kind === 'present') this.#reshaped(state.realPath);
    else if (state.problem.kind !== 'empty' && state.problem.kind !== 'too-large') {
      this.#reshaped(`!${state.problem.kind}`);
    }
    if (state.kind === 'problem') {
      this.#setLookAgain(true);
      // A file that comes back later is a change, whatever its fingerprint.
      this.#lastSeen.set(path, `!${state.problem.kind}`);
      this.#sight(path, undefined);
      return { kind: 'problem', rejection: rejectionOf(state.problem) };
    }
    const watching = this.#tracked.filter((p) => p !== state.path && p !== state.realPath);
    // Without includes (most configs) no promise is made: a save is live one hop sooner.
    const includes =
      watching.length === 0 ? [] : await Promise.all(watching.map((p) => includeKeyOf(p, fs)));
    const { fingerprint } = state;
    // A new file whose stat cannot show it arrived whole: the fast path may have seen it renamed
    // into place and not written since (includes go without: they wait for their quiet period).
    const evidence = this.evidence;
    const mainBound =
      evidence !== undefined && needsArrivalEvidence(this.#sightings.get(path), fingerprint)
        ? await evidence.boundUnwritten(state.realPath)
        : false;
    const at = this.o.now();
    const snapshot: SourceState = {
      kind: 'snapshot',
      version: this.#versionFor([
        [path, mainKey ?? fingerprintKey(fingerprint)],
        ...watching.map((p, i): readonly [string, string] => [p, includes[i]?.key ?? '']),
      ]),
      racy:
        isRacy(fingerprint, at, racyWindowMs) ||
        includes.some((v) => v.fp !== undefined && isRacy(v.fp, at, racyWindowMs)),
      waitMs: this.#waitFor(
        [
          [path, fingerprint],
          ...watching.map((p, i): readonly [string, Fingerprint | undefined] => [
            p,
            includes[i]?.fp,
          ]),
        ],
        at,
        mainBound,
      ),
      // The read checks the main file's fingerprint after reading; includes are not checked.
      readVerifies: watching.length === 0,
      read: () => this.#readOnce(fingerprint),
    };
    this.#setLookAgain(snapshot.racy || (snapshot.waitMs ?? 0) > 0);
    return snapshot;
  }

  polls(periodMs: number, scheduler: SchedulerLike): Observable<TriggerKind> {
    return new Observable<TriggerKind>((subscriber) => {
      const poll = () => subscriber.next('poll');
      if (this.o.fs !== nodeFs) return sharedTicks(periodMs, scheduler).subscribe(poll);
      // A move the poll saw may be one the fast path never heard of (a file system mounted over
      // the directory after its watch was opened): the watches are planned again, which opens
      // whatever the way to the file now needs and costs a stat or two when nothing changed.
      const moved = (): void => {
        this.replan$.next();
        poll();
      };
      const path = this.path;
      let stops: Array<() => void> = [];
      let registered = -1;
      // The ticks of the period, held only while the last look needs another.
      let ticks: Subscription | undefined;
      const follow = (): void => {
        // The paths follow what the last load tracked; a path newly added is reported once.
        if (registered !== this.#trackedVersion) {
          registered = this.#trackedVersion;
          const paths = [path, ...this.#tracked.filter((p) => p !== path)];
          // A listener of its own per registration: the old one is let go after, and must not
          // take the new one with it.
          const next = paths.map((p) => statChanges(p, periodMs, scheduler, moved));
          for (const stop of stops) stop();
          stops = next;
        }
        if (!this.#lookAgain || ticks !== undefined) return;
        let first = true;
        ticks = sharedTicks(periodMs, scheduler).subscribe(() => {
          // Its tick at once is skipped: the look that asked for it has just been made.
          if (first) {
            first = false;
            return;
          }
          if (this.#lookAgain) poll();
          else {
            ticks?.unsubscribe();
            ticks = undefined;
          }
        });
      };
      this.#pollers = this.#pollers.concat(follow);
      follow();
      if (this.#lookAgain) poll();
      return () => {
        this.#pollers = this.#pollers.filter((f) => f !== follow);
        ticks?.unsubscribe();
        ticks = undefined;
        for (const stop of stops) stop();
        stops = [];
      };
    });
  }

  // A snapshot is read right after the look that took its fingerprint (loadLatest reads what a
  // look just saw), so the read needs no stat before it (see readStable's statFirst). Through
  // `localFs` a read of a config-sized file is over before anything could supersede it: it is
  // given no AbortController (a signal and its listener cost more than the read itself).
  #readOnce(expected: Fingerprint): Observable<ReadResult> {
    return new Observable<ReadResult>((subscriber) => {
      const door = this.#io;
      const controller =
        door === localFs && expected.size <= BigInt(localSyncReadBytes)
          ? undefined
          : new AbortController();
      let settled = false;
      readStable(this.path, expected, this.o.policy, {
        signal: controller?.signal,
        fs: door,
        now: this.o.now,
        statFirst: false,
      }).then(
        (r) => {
          settled = true;
          if (r.kind === 'read') {
            subscriber.next({ kind: 'read', bytes: r.bytes, sha256: r.sha256 });
          } else if (r.kind === 'moved') {
            subscriber.next({ kind: 'moved' });
          } else {
            subscriber.next({ kind: 'problem', rejection: rejectionOf(r.problem) });
          }
          subscriber.complete();
        },
        (err: unknown) => {
          settled = true;
          subscriber.error(err);
        },
      );
      // Only a read still running is aborted: an abort builds a DOMException, with its stack.
      return () => {
        if (!settled) controller?.abort();
      };
    });
  }

  watchPlan(): Promise<WatchPlan> {
    const path = this.path;
    const includes = this.#tracked
      .filter((p) => p !== path)
      .map((p) => ({ path: p, contents: true }));
    // The main file's way alone is on the disk `io` was chosen for; includes may lie elsewhere.
    return planWatch([{ path }, ...includes], includes.length === 0 ? this.#io : this.o.fs);
  }

  // statFile never rejects, and neither do the include stats: a look is never an error.
  look(): Observable<SourceState> {
    return defer(async () => this.#snapshotOf(await this.#lookAtMain()));
  }
}

// A file whose FsPort can watch: the fast path's hints too.
class WatchedFile extends PolledFile {
  changeHints(scheduler: SchedulerLike): Observable<ChangeHint> {
    const evidence = this.evidence as ArrivalEvidence;
    return fsWatch({
      plan: () => this.watchPlan(),
      watch: evidence.watch,
      replan$: this.replan$,
      scheduler,
    });
  }
}
