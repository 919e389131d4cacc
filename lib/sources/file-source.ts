import { defer, Observable } from 'rxjs';
import type { ReadResult, RejectionFields, SnapshotSource, SourceState } from '../core/source.js';
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
  nextSighting,
  type Sighting,
  writeQuietWaitMs,
} from './fingerprint.js';
import { type FsPort, nodeFs } from './fs-port.js';
import { readStable } from './read-stable.js';

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
 * that is another inode than the last look saw (a rename-save, a symlink swap) was complete
 * before it got its name and is read at once; a file changed in place is read once its ctime is
 * `writeQuietMs` old, so a writer that pauses for less than that between two writes is never
 * read half-way (`writeQuietWaitMs`). The wait is the longest over the file and its includes.
 * @example const source = fileSource('/etc/tor/torrc', { policy, fs: nodeFs, now: Date.now, racyWindowMs: 2000, writeQuietMs: 500 });
 */
export function fileSource(
  path: string,
  options: Partial<FileSourceOptions> & Pick<FileSourceOptions, 'policy'>,
): FileSource {
  const fs = options.fs ?? nodeFs;
  const now = options.now ?? Date.now;
  const racyWindowMs = options.racyWindowMs ?? defaultRacyWindowMs;
  const writeQuietMs = options.writeQuietMs ?? defaultWriteQuietMs;
  const { policy } = options;
  let tracked: ReadonlyArray<string> = [];

  // The version moves only when a path already watched changed: a path newly tracked by a load
  // (its %includes) is recorded as the load finishes (see track), not counted, or the first look
  // after every load would look like a change.
  const lastSeen = new Map<string, string>();
  let generation = 0;
  const versionFor = (keys: ReadonlyArray<readonly [string, string]>): string => {
    let moved = false;
    for (const [p, key] of keys) {
      const before = lastSeen.get(p);
      if (before !== undefined && before !== key) moved = true;
      lastSeen.set(p, key);
    }
    // A look that began before a load changed `tracked` must not drop what the load recorded.
    const current = new Set([...keys.map(([p]) => p), ...tracked]);
    for (const p of lastSeen.keys()) if (!current.has(p)) lastSeen.delete(p);
    if (moved) generation++;
    return `${generation}:${keys[0]?.[1] ?? ''}`;
  };

  // What a load looked at is watched from now on, and the state of each path new to us is
  // recorded at once: recorded only at the next look, an include created between the load and
  // that look (a poll interval later) would be taken for how things always were, and never
  // loaded. What changes between the load's read and this stat is still missed; it is
  // microseconds, against a whole interval.
  const track = async (watched: ReadonlyArray<string>): Promise<void> => {
    tracked = watched;
    const fresh = watched.filter((p) => p !== path && !lastSeen.has(p));
    const keys = await Promise.all(fresh.map((p) => includeKeyOf(p, fs)));
    for (const [i, p] of fresh.entries()) {
      if (!lastSeen.has(p)) lastSeen.set(p, keys[i]?.key ?? '');
    }
  };

  // One stat per tick (FIELD-NOTES row 17): while the fingerprint is the one last checked in full,
  // the realpath, root and directory-mode checks of statFile are not repeated. Any move (an edit,
  // a rename-save, a symlink swap: stat follows links) runs them all again before a read.
  let verified: { readonly key: string; readonly state: FileState } | undefined;
  const lookAtMain = async (): Promise<FileState> => {
    // Read once: looks overlap (a poll and a settle look), and another may replace `verified`
    // while this one awaits its stat.
    const known = verified;
    if (known !== undefined && known.state.kind === 'present') {
      const key = await fs.stat(known.state.path).then(
        (stats) => fingerprintKey(fingerprintOf(stats)),
        () => undefined,
      );
      if (key === known.key) return known.state;
    }
    const state = await statFile(path, policy, fs);
    verified =
      state.kind === 'present' ? { key: fingerprintKey(state.fingerprint), state } : undefined;
    return state;
  };

  // What the last look saw at each path, to tell a file that arrived whole (a new inode) from one
  // changed in place. A path without a file is forgotten, so whatever appears there next is
  // judged as written in place.
  const sightings = new Map<string, Sighting>();
  const sight = (p: string, fp: Fingerprint | undefined): Sighting | undefined => {
    if (fp === undefined) {
      sightings.delete(p);
      return undefined;
    }
    const s = nextSighting(sightings.get(p), fp);
    sightings.set(p, s);
    return s;
  };
  // The longest wait over the file and its includes; paths no longer watched are forgotten.
  const waitFor = (
    watched: ReadonlyArray<readonly [string, Fingerprint | undefined]>,
    at: number,
  ): number => {
    let wait = 0;
    for (const [p, fp] of watched) {
      const s = sight(p, fp);
      if (s !== undefined) wait = Math.max(wait, writeQuietWaitMs(s, at, writeQuietMs));
    }
    if (sightings.size > watched.length) {
      const current = new Set(watched.map(([p]) => p));
      for (const p of sightings.keys()) if (!current.has(p)) sightings.delete(p);
    }
    return wait;
  };

  const snapshotOf = async (state: FileState): Promise<SourceState> => {
    if (state.kind === 'problem') {
      // A file that comes back later is a change, whatever its fingerprint.
      lastSeen.set(path, `!${state.problem.kind}`);
      sight(path, undefined);
      return { kind: 'problem', rejection: rejectionOf(state.problem) };
    }
    const watching = tracked.filter((p) => p !== state.path && p !== state.realPath);
    const includes = await Promise.all(watching.map((p) => includeKeyOf(p, fs)));
    const at = now();
    const { fingerprint } = state;
    return {
      kind: 'snapshot',
      version: versionFor([
        [path, fingerprintKey(fingerprint)],
        ...watching.map((p, i): readonly [string, string] => [p, includes[i]?.key ?? '']),
      ]),
      racy:
        isRacy(fingerprint, at, racyWindowMs) ||
        includes.some((v) => v.fp !== undefined && isRacy(v.fp, at, racyWindowMs)),
      waitMs: waitFor(
        [
          [path, fingerprint],
          ...watching.map((p, i): readonly [string, Fingerprint | undefined] => [
            p,
            includes[i]?.fp,
          ]),
        ],
        at,
      ),
      read: () => readOnce(fingerprint),
    };
  };

  const readOnce = (expected: Fingerprint): Observable<ReadResult> =>
    new Observable<ReadResult>((subscriber) => {
      const controller = new AbortController();
      readStable(path, expected, policy, { signal: controller.signal, fs, now }).then(
        (r) => {
          if (r.kind === 'read') {
            subscriber.next({ kind: 'read', bytes: r.bytes, sha256: r.sha256 });
          } else if (r.kind === 'moved') {
            subscriber.next({ kind: 'moved' });
          } else {
            subscriber.next({ kind: 'problem', rejection: rejectionOf(r.problem) });
          }
          subscriber.complete();
        },
        (err: unknown) => subscriber.error(err),
      );
      return () => controller.abort();
    });

  return {
    name: path,
    tracked: () => tracked,
    policy,
    // statFile never rejects, and neither do the include stats: a look is never an error.
    look: () => defer(async () => snapshotOf(await lookAtMain())),
    track,
  };
}
