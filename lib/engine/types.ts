import type { Either } from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import type { Problem } from '../core/problem.js';
import type { Rejection, RejectionFields, SourceState, TriggerKind } from '../core/source.js';

export type {
  ChangeHint,
  ReadResult,
  Rejection,
  RejectionFields,
  RejectionKind,
  SnapshotSource,
  SourceHealth,
  SourceState,
  TriggerKind,
} from '../core/source.js';

/**
 * Bytes to a config: parse, decode, validate (a profile's work, wired by the engine). Never
 * errors: bad input is a Left. Aborting `signal` means the result is no longer wanted.
 * @example const load: Load<AppConfig> = (bytes, signal) => from(loadDocument(profile, { bytes, file, signal }));
 */
export type Load<C> = (
  bytes: Uint8Array,
  signal: AbortSignal,
) => Observable<Either<RejectionFields, Loaded<C>>>;

/**
 * A config read from a source, and what reading it showed.
 * @example const { config, warnings } = loaded;
 */
export interface Loaded<C> {
  readonly config: C;
  /** Warnings and notes; never errors. */
  readonly warnings: ReadonlyArray<Problem>;
  /** Every file read (main first, then includes). */
  readonly files: ReadonlyArray<string>;
  /** Files and directories whose change could change the config. */
  readonly watched: ReadonlyArray<string>;
}

/**
 * One field (a dotted path) that differs between two configs. `text` is safe to log: secrets
 * are redacted.
 * @example { field: 'pool.max', from: 10, to: 20, text: 'pool.max: 10 -> 20', reloadable: true }
 */
export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly text: string;
  readonly reloadable: boolean;
}

/** A look at the source, tagged with what triggered it. */
export interface Observation {
  readonly trigger: TriggerKind;
  readonly state: SourceState;
}

/** A decoded, validated candidate config, ready to be applied. */
export interface Candidate<C> {
  readonly kind: 'candidate';
  readonly trigger: TriggerKind;
  readonly loaded: Loaded<C>;
  readonly sha256: string;
  /** The source's version of what was read (a file fingerprint, an etcd revision). */
  readonly version: string;
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
  readonly version?: string;
}

/**
 * A committed change, as `changes$` tells it: the config before and after, the fields applied
 * live, and the fields kept back because they need a restart.
 * @example rc.changes$.subscribe(({ changes }) => console.log(changes.map((c) => c.text)));
 */
export interface ConfigChange<C> {
  readonly oldConfig: C;
  readonly newConfig: C;
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
export type Outcome<C> =
  | ({ readonly status: 'applied'; readonly change: ConfigChange<C> } & OutcomeCommon & Loadable)
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
  /** The source's version of what was read, when it was read. */
  readonly version?: string;
}
