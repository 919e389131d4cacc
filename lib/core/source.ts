// The vocabulary a source speaks: what it saw, what reading gave, why something was refused.
// The lowest layer: sources implement it, the engine consumes it, and neither is imported here.
import type { Observable, SchedulerLike } from 'rxjs';
import type { Problem } from './problem.js';

/**
 * What started a look at the source: the interval, a change hint from the source itself (for a
 * file, an fs.watch event), a manual reload, or a signal (SIGHUP). `poll` and `watch` looks pass
 * only when the version moved; `manual` and `signal` always pass.
 */
export type TriggerKind = 'poll' | 'watch' | 'manual' | 'signal';

/**
 * What a source's change hints say:
 * - `changed`: the source may have changed; look now (a look is cheap, so a hint may be wrong)
 * - `armed`: hints are flowing; a change will be hinted at as it happens
 * - `unavailable`: hints cannot be given now (for a file: the watch failed, e.g. the inotify
 *   limit); polling alone finds changes until `armed` comes again. Sent once per failure.
 * @example source.changeHints?.(asyncScheduler).subscribe((h) => h.kind === 'changed' && look())
 */
export type ChangeHint =
  | { readonly kind: 'changed' }
  | { readonly kind: 'armed' }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly error?: unknown };

/**
 * Why a reload attempt failed:
 * - `invalid`: the text does not parse, decode or validate, or needs a restart under `restartRequired: 'reject'`
 * - `vetoed`: an onReload callback refused it (threw, returned an Error, or rejected)
 * - `io`: the file is missing, unreadable, empty, not a file, or kept changing
 * - `security`: refused by policy (world-writable, outside the root, too large, bad path)
 * - `internal`: a plug-in (source, decode, callback while reverting, logger) or hotrc itself
 *   threw or errored where it must not; `error` holds what was thrown. Nothing was applied and
 *   watching goes on, but it is a bug to report, not a bad file.
 */
export type RejectionKind = 'invalid' | 'vetoed' | 'io' | 'security' | 'internal';

/**
 * A reload that did not happen, and why. Nothing was applied; the last good config stays live.
 * @example rc.rejections$.subscribe((r) => alert(`${r.kind}: ${r.reason}`));
 */
export interface Rejection {
  readonly kind: RejectionKind;
  /** One line for humans; multi-problem rejections join the problems with '; '. */
  readonly reason: string;
  /** The source: a file path (later an etcd key). */
  readonly path: string;
  readonly trigger: TriggerKind;
  /** Every problem found, with file and line where known. */
  readonly problems: ReadonlyArray<Problem>;
  /**
   * The machine-readable cause: a FileProblem kind (`missing`, `denied`...), `veto`, `restart`,
   * `stopped`; for `internal`, the stage that failed (`look`, `read`, `decode`, `apply`,
   * `logger`, `pipeline`).
   */
  readonly cause: string;
  /** The error a callback threw or returned (vetoed), or what a plug-in threw (internal). */
  readonly error?: unknown;
  /**
   * The source's version of the content that was read and refused (a file fingerprint, an etcd
   * revision); absent when nothing was read (missing, unreadable, unreachable).
   */
  readonly version?: string;
}

/**
 * One source state seen by one look: a usable snapshot, or a problem. A snapshot carries a
 * `version` (file fingerprint, later an etcd revision) and a way to read its bytes, so the
 * pipeline never knows where the bytes come from.
 */
export type SourceState =
  | {
      readonly kind: 'snapshot';
      readonly version: string;
      /** Changed so recently that an equal version may still hide new content (racy clean). */
      readonly racy: boolean;
      /**
       * How long (ms) this version must hold still before it is read, because it may still be
       * being written; 0 reads it at once. A source that cannot tell leaves it out, and a racy
       * version then holds still for `settleMs`.
       */
      readonly waitMs?: number;
      /**
       * True when `read()` answers `moved` for any change since this look (a file without
       * includes: the stat after the read proves the bytes are this version). After a wait the
       * engine then reads at once instead of looking first; without it, it looks, and reads
       * only if the version held.
       */
      readonly readVerifies?: boolean;
      readonly read: () => Observable<ReadResult>;
    }
  | { readonly kind: 'problem'; readonly rejection: RejectionFields };

/** A rejection before it knows its trigger. */
export type RejectionFields = Omit<Rejection, 'trigger'>;

/** What reading a snapshot gave: its bytes, "it moved under me", or a problem. */
export type ReadResult =
  | { readonly kind: 'read'; readonly bytes: Uint8Array; readonly sha256: string }
  | { readonly kind: 'moved' }
  | { readonly kind: 'problem'; readonly rejection: RejectionFields };

/**
 * Whether a remote source can be reached now (etcd; a file has no such state). While it cannot,
 * the last good config stays live and `status().source` says since when.
 * @example source.health?.().subscribe((h) => h.reachable || alert(`stale since ${new Date(h.since)}`));
 */
export interface SourceHealth {
  readonly reachable: boolean;
  /** When (ms since the epoch) the source became reachable, or unreachable. */
  readonly since: number;
  /** Where it is connected, or why it cannot be reached. */
  readonly detail: string;
}

/** Where snapshots come from: a file, an etcd key, or a user's own. */
export interface SnapshotSource {
  /** Shown in logs and rejections: the path or key. */
  readonly name: string;
  /**
   * True when the source's bytes are the whole config and no file system stands behind them (an
   * etcd key): a format then reads no other file, and a torrc's `%include` is refused at its line
   * (it would name a file on this host's disk, which the fleet never published).
   */
  readonly selfContained?: boolean;
  /** One look (one stat per watched file). Never errors: problems are states. */
  look(): Observable<SourceState>;
  /**
   * Told after each load, good or failed, what it depended on besides the source's own bytes
   * (a torrc's `%include`d files and directories, found or not), so that later looks watch them
   * too and a version moves when one of them does. Optional: a source whose bytes are the whole
   * config (an etcd key) has nothing to watch.
   */
  track?(paths: ReadonlyArray<string>): Promise<void> | void;
  /**
   * Hints that the source may have changed, so that it is looked at at once rather than at the
   * next poll (for a file: fs.watch on the directories its path and includes go through; for
   * etcd it would be a watch stream). A hint only starts a look, which is deduplicated like a
   * poll, so a spurious hint costs one look and a missed one costs nothing but time: polling
   * goes on beside it and stays the safety net. Subscribing arms the hints, unsubscribing
   * releases everything they hold. `scheduler` times any retry. Optional: a source without it
   * is polled only.
   */
  changeHints?(scheduler: SchedulerLike): Observable<ChangeHint>;
  /**
   * Whether the source can be reached, now and at each change (a remote source: etcd). Optional:
   * a source without it (a file) has no such state, and `status().source` stays undefined.
   */
  health?(): Observable<SourceHealth>;
}
