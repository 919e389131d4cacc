// The vocabulary a source speaks: what it saw, what reading gave, why something was refused.
// The lowest layer: sources implement it, the engine consumes it, and neither is imported here.
import type { Observable } from 'rxjs';
import type { Problem } from './problem.js';

/** What started a look at the source: the interval, a manual reload, or a signal (SIGHUP). */
export type TriggerKind = 'poll' | 'manual' | 'signal';

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

/** Where snapshots come from: a file today, etcd later. */
export interface SnapshotSource {
  /** Shown in logs and rejections: the path or key. */
  readonly name: string;
  /** One look (one stat per watched file). Never errors: problems are states. */
  look(): Observable<SourceState>;
  /**
   * Told after each load, good or failed, what it depended on besides the source's own bytes
   * (a torrc's `%include`d files and directories, found or not), so that later looks watch them
   * too and a version moves when one of them does. Optional: a source whose bytes are the whole
   * config (an etcd key) has nothing to watch.
   */
  track?(paths: ReadonlyArray<string>): Promise<void> | void;
}
