import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  defer,
  EMPTY,
  filter,
  from,
  Observable,
  type ObservableInput,
  type Observer,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import type {
  ChangeHint,
  Load,
  Loaded,
  ReadResult,
  RejectionFields,
  SnapshotSource,
  SourceHealth,
  SourceState,
} from './types.js';

/**
 * What a thrown value says, without trusting it: a hostile object whose `toString` throws still
 * gets a description.
 * @example describeError(new Error('boom')) // 'boom'
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return 'an error that cannot be described';
  }
}

/**
 * A plug-in or hotrc bug as a rejection of kind `internal`: `stage` says where it happened,
 * `error` keeps what was thrown. The last good config stays; watching goes on.
 * @example internalRejection('/etc/tor/torrc', 'look', new Error('EBADF')).reason // 'internal error in look of /etc/tor/torrc: EBADF'
 */
export function internalRejection(path: string, stage: string, error: unknown): RejectionFields {
  const reason = `internal error in ${stage} of ${path}: ${describeError(error)}`;
  return {
    kind: 'internal',
    cause: stage,
    reason,
    path,
    problems: [{ severity: 'error', message: reason, file: path }],
    error,
  };
}

const kinds: ReadonlySet<unknown> = new Set(['invalid', 'vetoed', 'io', 'security', 'internal']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function badRejection(r: unknown): string | undefined {
  if (!isObject(r)) return 'a problem without a rejection';
  if (!kinds.has(r.kind)) return `a rejection of unknown kind ${describeError(r.kind)}`;
  if (typeof r.reason !== 'string' || typeof r.cause !== 'string' || typeof r.path !== 'string')
    return 'a rejection without a reason, cause or path';
  if (!Array.isArray(r.problems)) return 'a rejection without a problems list';
  return undefined;
}

function badState(s: unknown): string | undefined {
  if (!isObject(s)) return 'a state that is not an object';
  if (s.kind === 'problem') return badRejection(s.rejection);
  if (s.kind !== 'snapshot') return `a state of unknown kind ${describeError(s.kind)}`;
  if (typeof s.version !== 'string') return 'a snapshot without a string version';
  if (typeof s.racy !== 'boolean') return 'a snapshot without a boolean racy';
  if (typeof s.read !== 'function') return 'a snapshot without a read function';
  const wait = s.waitMs;
  if (wait !== undefined && (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0))
    return 'a snapshot whose waitMs is not a number >= 0';
  if (s.readVerifies !== undefined && typeof s.readVerifies !== 'boolean')
    return 'a snapshot whose readVerifies is not a boolean';
  return undefined;
}

function badRead(r: unknown): string | undefined {
  if (!isObject(r)) return 'a read result that is not an object';
  if (r.kind === 'moved') return undefined;
  if (r.kind === 'problem') return badRejection(r.rejection);
  if (r.kind !== 'read') return `a read result of unknown kind ${describeError(r.kind)}`;
  if (!(r.bytes instanceof Uint8Array)) return 'a read without bytes';
  if (typeof r.sha256 !== 'string') return 'a read without a sha256';
  return undefined;
}

const severities: ReadonlySet<unknown> = new Set(['error', 'warning', 'info']);

// A plug-in's odd value in a message: a string quoted, so 'fatal' is not read as prose.
const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : describeError(v));

/**
 * What is wrong with the list a profile's `validate` returned, if anything: not an array, or a
 * problem without a known severity or a string message. A problem of severity 'fatal' is not a
 * warning: the engine cannot tell whether it meant to refuse the file, so it refuses it as an
 * `internal` rejection rather than apply it.
 * @example badProblems([{ severity: 'fatal', message: 'no' }]) // "a problem of unknown severity 'fatal'"
 */
export function badProblems(list: unknown): string | undefined {
  if (!Array.isArray(list)) return `a problems list that is ${shown(list)}`;
  for (const p of list) {
    if (!isObject(p)) return `a problem that is ${shown(p)}`;
    if (!severities.has(p.severity)) return `a problem of unknown severity ${shown(p.severity)}`;
    if (typeof p.message !== 'string') return 'a problem without a string message';
  }
  return undefined;
}

const isStrings = (v: unknown): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

function badDecode(d: unknown, isConfig?: (v: unknown) => boolean): string | undefined {
  if (!isObject(d) || (d._tag !== 'Left' && d._tag !== 'Right'))
    return 'a decode that is not an Either';
  if (d._tag === 'Left') return badRejection(d.left);
  const loaded = d.right;
  if (!isObject(loaded)) return 'a decode without a loaded config';
  if (isConfig !== undefined && !isConfig(loaded.config)) {
    return 'a decoded config that its codec does not accept';
  }
  if (!Array.isArray(loaded.warnings)) return 'a decode without a warnings list';
  if (!isStrings(loaded.files) || !isStrings(loaded.watched))
    return 'a decode without files and watched lists';
  return undefined;
}

/**
 * One value from a plug-in's observable, checked: a synchronous throw, an error, no value, or a
 * value of the wrong shape all become `fallback(internal rejection)`; a good value is handed on
 * through `accept`. Never errors.
 *
 * One hand-written subscriber rather than five operators (defer, take, throwIfEmpty, map,
 * catchError): every look, read and decode goes through here, and a thousand watchers make the
 * operators' objects in bulk, which V8 then allocates straight into the old generation, where
 * the garbage of every look stays until a full GC that an idle process never runs.
 */
function guarded<T>(
  path: string,
  stage: string,
  make: () => Observable<T>,
  bad: (value: unknown) => string | undefined,
  fallback: (rejection: RejectionFields) => T,
  accept: (value: T) => T = (value) => value,
  limit?: AnswerLimit,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    let done = false;
    let inner: Subscription | undefined;
    let timer: Subscription | undefined;
    const finish = (value: () => T): void => {
      if (done) return;
      done = true;
      inner?.unsubscribe();
      timer?.unsubscribe();
      subscriber.next(value());
      subscriber.complete();
    };
    const failed = (err: unknown) => () => fallback(internalRejection(path, stage, err));
    if (limit !== undefined) {
      timer = limit.scheduler.schedule(
        () => finish(failed(new Error(`${stage} did not answer within ${limit.ms} ms`))),
        limit.ms,
      );
    }
    try {
      inner = from(make()).subscribe({
        next: (value) =>
          finish(() => {
            let wrong: string | undefined;
            try {
              wrong = bad(value);
            } catch (err) {
              return failed(err)();
            }
            return wrong === undefined
              ? accept(value)
              : fallback(internalRejection(path, stage, new Error(wrong)));
          }),
        error: (err: unknown) => finish(failed(err)),
        complete: () => finish(failed(new Error(`${stage} completed without a value`))),
      });
    } catch (err) {
      finish(failed(err));
    }
    // A value that came while subscribing: the plug-in's observable is let go of now.
    if (done) inner?.unsubscribe();
    return () => {
      inner?.unsubscribe();
      timer?.unsubscribe();
    };
  });
}

/**
 * How long a source's look may take before it is given up, and the clock that says so.
 * @example guardSource(mySource, { ms: 30_000, scheduler: asyncScheduler })
 */
export interface AnswerLimit {
  readonly ms: number;
  readonly scheduler: SchedulerLike;
}

/**
 * A SnapshotSource that keeps its promise never to error, whatever the source it wraps does:
 * every `look()` and snapshot `read()` gives exactly one well-formed value, and any throw,
 * error, missing value or malformed value becomes a problem of kind `internal`, with the error
 * kept; a `track()` that throws or rejects is ignored (the next load tells it again); a
 * `changeHints()` stream that throws or errors ends as one `unavailable` hint (polling goes on),
 * and a hint of an unknown shape is a `changed`. Given `lookLimit`, a look that has not answered
 * by then is given up (its observable unsubscribed) as an `internal` problem too, so a look that
 * hangs cannot stop polling: the next trigger looks again. The engine
 * wraps every source with it, so a custom source (etcd, a test double, a user's own) cannot end
 * polling.
 * @example const safe = guardSource(mySource); safe.look().subscribe(console.log); // never errors
 */
export function guardSource(source: SnapshotSource, lookLimit?: AnswerLimit): SnapshotSource {
  const name = typeof source.name === 'string' ? source.name : '(unnamed source)';
  const problem = (rejection: RejectionFields): SourceState => ({ kind: 'problem', rejection });
  const guardRead = (state: SourceState): SourceState => {
    if (state.kind !== 'snapshot') return state;
    const read = state.read;
    return {
      ...state,
      read: () =>
        guarded<ReadResult>(
          name,
          'read',
          () => read.call(state),
          badRead,
          (rejection) => ({
            kind: 'problem',
            rejection,
          }),
        ),
    };
  };
  const track = source.track;
  const changeHints = source.changeHints;
  const health = source.health;
  return {
    name,
    ...(source.selfContained === true ? { selfContained: true } : {}),
    look: () =>
      guarded<SourceState>(
        name,
        'look',
        () => source.look(),
        badState,
        problem,
        guardRead,
        lookLimit,
      ),
    ...(typeof track === 'function'
      ? {
          track: async (paths: ReadonlyArray<string>) => {
            try {
              await track.call(source, paths);
            } catch {
              // Nothing to report it to that would help: the next load tracks again.
            }
          },
        }
      : {}),
    ...(typeof changeHints === 'function'
      ? {
          changeHints: (scheduler: SchedulerLike) =>
            new Observable<ChangeHint>((subscriber) =>
              guardedHints(name, () => changeHints.call(source, scheduler), subscriber),
            ),
        }
      : {}),
    ...(typeof health === 'function'
      ? {
          // Health is only shown: a broken stream of it ends it, and touches nothing else.
          health: () =>
            defer(() => health.call(source)).pipe(
              filter(isHealth),
              catchError(() => EMPTY),
            ),
        }
      : {}),
  };
}

// Hints only ever speed polling up: a stream of them that throws or errors ends as one
// `unavailable` hint, and leaves polling alone. Written out (as defer, map and catchError would
// behave) with one observer object: a watcher keeps its hint stream for as long as it runs.
function guardedHints(
  name: string,
  hints: () => ObservableInput<ChangeHint>,
  subscriber: Subscriber<ChangeHint>,
): Subscription | undefined {
  const failed = (err: unknown): void => {
    subscriber.next({
      kind: 'unavailable',
      reason: internalRejection(name, 'changeHints', err).reason,
      error: err,
    });
    subscriber.complete();
  };
  let stream: Observable<ChangeHint>;
  try {
    stream = from(hints());
  } catch (err) {
    failed(err);
    return undefined;
  }
  try {
    return stream.subscribe(new CheckedHints(subscriber, failed));
  } catch (err) {
    failed(err);
    return undefined;
  }
}

class CheckedHints implements Observer<unknown> {
  #ended = false;
  constructor(
    private readonly subscriber: Subscriber<ChangeHint>,
    private readonly failed: (err: unknown) => void,
  ) {}
  next(h: unknown): void {
    if (this.#ended) return;
    let hint: ChangeHint;
    try {
      hint = checkedHint(h);
    } catch (err) {
      // A hint whose shape throws when looked at (a Proxy): the stream is broken.
      this.error(err);
      return;
    }
    this.subscriber.next(hint);
  }
  error(err: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.failed(err);
  }
  complete(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.subscriber.complete();
  }
}

function isHealth(h: unknown): h is SourceHealth {
  return (
    isObject(h) &&
    typeof h.reachable === 'boolean' &&
    typeof h.since === 'number' &&
    typeof h.detail === 'string'
  );
}

// A hint of a shape the engine does not know is taken for `changed`: a look is always safe.
function checkedHint(h: unknown): ChangeHint {
  if (!isObject(h)) return { kind: 'changed' };
  if (h.kind === 'armed') return { kind: 'armed' };
  if (h.kind === 'unavailable') {
    return {
      kind: 'unavailable',
      reason: typeof h.reason === 'string' ? h.reason : describeError(h.reason),
      ...(h.error === undefined ? {} : { error: h.error }),
    };
  }
  return { kind: 'changed' };
}

/**
 * A load (bytes to config) that keeps its promise never to error: a throw from any plug-in it
 * runs (a format, a codec, a validate), an error, no value or a malformed value (a config that
 * `isConfig` refuses) becomes a Left of kind `internal`, cause `decode`, with the error kept.
 * Leave `isConfig` out for a load that checks its configs with the codec itself (loadDocument
 * does): a big config is then not walked twice.
 * @example const safe = guardLoad('/etc/app.yaml', load, AppConfig.is);
 */
export function guardLoad<C>(
  name: string,
  load: Load<C>,
  isConfig?: (v: unknown) => boolean,
): Load<C> {
  return (bytes, signal) =>
    guarded<E.Either<RejectionFields, Loaded<C>>>(
      name,
      'decode',
      () => load(bytes, signal),
      (d) => badDecode(d, isConfig),
      E.left,
    );
}
