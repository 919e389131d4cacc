import * as E from 'fp-ts/lib/Either.js';
import { defer, map, Observable } from 'rxjs';
import { ConfigError, type LoadOptions, loadTorrcText, problemOf } from '../config-file.js';
import { decodeTorrcBytes } from '../formats/torrc-bytes.js';
import type {
  ReadResult,
  RejectionFields,
  SnapshotSource,
  SourceState,
} from '../pipeline/types.js';
import { errorsOf, formatProblem, type Problem } from '../schema/problem.js';
import type { FilePolicy } from './file-policy.js';
import { type FileProblem, type FileState, statFile } from './file-state.js';
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
  /** Base config and strictness for decoding. */
  readonly load: Partial<Pick<LoadOptions, 'base' | 'strict'>>;
}

/** A SnapshotSource over one torrc path, which also watches the files its %includes read. */
export interface FileSource extends SnapshotSource {
  /** The include files and directories looked at on every tick besides the main file. */
  readonly tracked: () => ReadonlyArray<string>;
}

const securityKinds: ReadonlySet<FileProblem['kind']> = new Set([
  'insecure',
  'outside-root',
  'too-large',
  'path',
]);

/**
 * A FileProblem as a rejection: policy refusals are `security`, everything else `io`.
 * @example rejectionOf({ kind: 'missing', path: '/x', message: '/x: no such file (ENOENT)' }).kind // 'io'
 */
export function rejectionOf(problem: FileProblem): RejectionFields {
  return {
    kind: securityKinds.has(problem.kind) ? 'security' : 'io',
    cause: problem.kind,
    reason: problem.message,
    path: problem.path,
    problems: [{ severity: 'error', message: problem.message, file: problem.path }],
  };
}

/**
 * Problems that make a text unusable (parse, decode, validation) as an `invalid` rejection whose
 * reason lists each error as `FILE:LINE: message`.
 * @example invalidRejection('/etc/tor/torrc', problems).reason // '/etc/tor/torrc:3: ConnLimit must be at least 1'
 */
export function invalidRejection(path: string, problems: ReadonlyArray<Problem>): RejectionFields {
  return {
    kind: 'invalid',
    cause: 'invalid',
    reason: errorsOf(problems).map(formatProblem).join('; '),
    path,
    problems,
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
 * of each file or directory its last good load included, so an edit to an included file is a
 * change too. A directory made world-writable under an unchanged file is therefore refused at the
 * file's next change, not at the next tick. Reads are stat-read-stat (`readStable`) and are
 * aborted when the pipeline supersedes them.
 *
 * Half-written files: each snapshot's `waitMs` says how long to wait before reading it. A file
 * that is another inode than the last look saw (a rename-save, a symlink swap) was complete
 * before it got its name and is read at once; a file changed in place is read once its ctime is
 * `writeQuietMs` old, so a writer that pauses for less than that between two writes is never
 * read half-way (`writeQuietWaitMs`). The wait is the longest over the file and its includes.
 * @example const source = fileSource('/etc/tor/torrc', { policy, fs: nodeFs, now: Date.now, racyWindowMs: 2000, writeQuietMs: 500, load: {} });
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

  // The version moves only when a path already watched changed: a path newly tracked after a
  // load (its %includes) is recorded, not counted, or the first look after every load would
  // look like a change.
  const lastSeen = new Map<string, string>();
  let generation = 0;
  const versionFor = (keys: ReadonlyArray<readonly [string, string]>): string => {
    let moved = false;
    for (const [p, key] of keys) {
      const before = lastSeen.get(p);
      if (before !== undefined && before !== key) moved = true;
      lastSeen.set(p, key);
    }
    const current = new Set(keys.map(([p]) => p));
    for (const p of lastSeen.keys()) if (!current.has(p)) lastSeen.delete(p);
    if (moved) generation++;
    return `${generation}:${keys[0]?.[1] ?? ''}`;
  };

  // One stat per tick (FIELD-NOTES row 17): while the fingerprint is the one last checked in full,
  // the realpath, root and directory-mode checks of statFile are not repeated. Any move (an edit,
  // a rename-save, a symlink swap: stat follows links) runs them all again before a read.
  let verified: { readonly key: string; readonly state: FileState } | undefined;
  const lookAtMain = async (): Promise<FileState> => {
    if (verified !== undefined && verified.state.kind === 'present') {
      const key = await fs.stat(verified.state.path).then(
        (stats) => fingerprintKey(fingerprintOf(stats)),
        () => undefined,
      );
      if (key === verified.key) return verified.state;
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
    // statFile never rejects, and neither do the include stats: a look is never an error.
    look: () => defer(async () => snapshotOf(await lookAtMain())),
    decode: (bytes, signal) =>
      defer(async () => {
        const text = decodeTorrcBytes(bytes, path);
        if (E.isLeft(text)) return E.left(new ConfigError(path, [problemOf(text.left)]));
        return loadTorrcText(text.right, path, {
          ...options.load,
          root: policy.root,
          maxBytes: policy.maxBytes,
          signal,
        });
      }).pipe(
        map((result) => {
          if (E.isLeft(result)) return E.left(invalidRejection(path, result.left.problems));
          // Watch what this load read, so an edit to an included file is seen next tick.
          tracked = result.right.watched;
          return E.right(result.right);
        }),
      ),
  };
}
