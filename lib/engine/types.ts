import type { Either } from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import type { Loaded } from '../tor/config-file.js';
import type { FieldChange } from '../tor/schema/diff.js';
import type { TorConfig } from '../tor/schema/tor-config.js';
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
  /** Bytes to a config: parse, decode, validate. Never errors: bad input is a Left. */
  decode(bytes: Uint8Array, signal: AbortSignal): Observable<Either<RejectionFields, Loaded>>;
}

/** A look at the source, tagged with what triggered it. */
export interface Observation {
  readonly trigger: TriggerKind;
  readonly state: SourceState;
}

/** A decoded, validated candidate config, ready to be applied. */
export interface Candidate {
  readonly kind: 'candidate';
  readonly trigger: TriggerKind;
  readonly loaded: Loaded;
  readonly sha256: string;
  /** Manual reload requests up to this number are answered by this attempt. */
  readonly answers: number;
  /** scheduler.now() when the attempt began, for the audit log's duration. */
  readonly startedAt: number;
}

/** A load that failed before it could be applied. */
export interface FailedLoad {
  readonly kind: 'failed';
  readonly rejection: Rejection;
  readonly answers: number;
  readonly startedAt: number;
  readonly sha256?: string;
}

/**
 * A committed change, as `changes$` tells it: the config before and after, the fields applied
 * live, and the fields kept back because they need a restart.
 * @example rc.changes$.subscribe(({ changes }) => console.log(changes.map((c) => c.text)));
 */
export interface ConfigChange {
  readonly oldConfig: TorConfig;
  readonly newConfig: TorConfig;
  readonly changes: ReadonlyArray<FieldChange>;
  readonly restartRequired: ReadonlyArray<FieldChange>;
  readonly generation: number;
  readonly trigger: TriggerKind;
}

/**
 * What `reload()` resolves with: whether anything changed, what, and what still needs a restart.
 * @example const { status, changes } = await rc.reload();
 */
export interface ReloadResult {
  readonly status: 'applied' | 'unchanged';
  readonly changes: ReadonlyArray<FieldChange>;
  readonly restartRequired: ReadonlyArray<FieldChange>;
}

/** The end of one attempt: applied, unchanged or rejected. */
export type Outcome =
  | ({ readonly status: 'applied'; readonly change: ConfigChange } & OutcomeCommon & Loadable)
  | ({ readonly status: 'unchanged' } & OutcomeCommon & Loadable)
  | ({ readonly status: 'rejected'; readonly rejection: Rejection } & OutcomeCommon);

/** What an attempt that loaded a valid config also tells: its result and the file's warnings. */
interface Loadable extends ReloadResult {
  /** Warnings and notes from decoding (unknown keys, repeated options). */
  readonly warnings: ReadonlyArray<Problem>;
}

interface OutcomeCommon {
  readonly trigger: TriggerKind;
  readonly answers: number;
  readonly startedAt: number;
  readonly sha256?: string;
}
