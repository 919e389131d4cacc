import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  defer,
  map,
  Observable,
  type Observer,
  type OperatorFunction,
  of,
  type Subscriber,
  Subscription,
} from 'rxjs';
import { errorsOf, formatProblem, type Problem } from '../core/problem.js';
import { deepFreeze } from './freeze.js';
import { badProblems, describeError, internalRejection } from './guard.js';
import type { Profile } from './profile.js';
import { type ReloadCallback, type TransactionOptions, transaction } from './transaction.js';
import type { Candidate, FailedLoad, Outcome, Rejection } from './types.js';

/** What the apply stage reads and writes. */
export interface ApplyContext<C> extends TransactionOptions {
  /** How changes are found, which of them need a restart, and how the rest is made live. */
  readonly profile: Pick<Profile<C>, 'diff' | 'keepRestartRequired' | 'validate'>;
  /** The live config. */
  readonly current: () => C;
  /** Makes `config` live (one reference swap) and returns its generation. */
  readonly commit: (config: C) => number;
  /** The callbacks registered now, in order. */
  readonly callbacks: () => ReadonlyArray<ReloadCallback<C>>;
  /** `keep`: restart-only changes are kept back and reported; `reject`: they reject the reload (Tor). */
  readonly restartRequired: 'keep' | 'reject';
}

function applyCandidate<C>(
  candidate: Candidate<C>,
  context: ApplyContext<C>,
): Observable<Outcome<C>> {
  const { trigger, answers, startedAt, sha256, version } = candidate;
  const common = { trigger, answers, startedAt, sha256, version };
  const rejected = (rejection: Omit<Rejection, 'trigger' | 'path'>): Outcome<C> => ({
    status: 'rejected',
    ...common,
    rejection: { ...rejection, trigger, version, path: candidate.loaded.files[0] ?? '' },
  });

  const current = context.current();
  const { warnings } = candidate.loaded;
  const all = context.profile.diff(current, candidate.loaded.config);
  const changes = all.filter((c) => c.reloadable);
  const restartRequired = all.filter((c) => !c.reloadable);

  if (restartRequired.length > 0 && context.restartRequired === 'reject') {
    const fields = restartRequired.map((c) => c.field).join(', ');
    return of(
      rejected({
        kind: 'invalid',
        cause: 'restart',
        reason: `changing ${fields} requires a restart`,
        problems: [],
      }),
    );
  }
  if (changes.length === 0) {
    return of({ status: 'unchanged', ...common, changes, restartRequired, warnings });
  }
  const next =
    restartRequired.length === 0
      ? candidate.loaded.config
      : deepFreeze(context.profile.keepRestartRequired(current, candidate.loaded.config));
  // Each side was valid on its own; the mix of live and kept-back fields must be too.
  const said: unknown = restartRequired.length === 0 ? [] : context.profile.validate(next);
  const malformed = badProblems(said);
  if (malformed !== undefined) {
    const path = candidate.loaded.files[0] ?? '';
    const error = new Error(`validate returned ${malformed}`);
    return of(rejected(internalRejection(path, 'validate', error)));
  }
  const invalid = errorsOf(said as ReadonlyArray<Problem>);
  if (invalid.length > 0) {
    return of(
      rejected({
        kind: 'invalid',
        cause: 'merge',
        reason: invalid.map(formatProblem).join('; '),
        problems: invalid,
      }),
    );
  }
  return transaction(context.callbacks(), current, next, context).pipe(
    map((result): Outcome<C> => {
      if (E.isLeft(result)) {
        const { index, error, cause } = result.left;
        const said = describeError(error);
        const reason =
          cause === 'stopped'
            ? `reload callback #${index + 1} was cut short: ${said}`
            : `reload callback #${index + 1} rejected the change: ${said}`;
        return rejected({ kind: 'vetoed', cause, reason, problems: [], error });
      }
      // Commit, then notify: by the time anyone hears of the change, get() returns it (row 14).
      const generation = context.commit(next);
      const change = {
        oldConfig: current,
        newConfig: next,
        changes,
        restartRequired,
        generation,
        trigger,
      };
      return { status: 'applied', ...common, changes, restartRequired, warnings, change };
    }),
  );
}

function rejectedOutcome<C>(item: FailedLoad): Outcome<C> {
  return {
    status: 'rejected',
    trigger: item.rejection.trigger,
    answers: item.answers,
    startedAt: item.startedAt,
    ...(item.sha256 === undefined ? {} : { sha256: item.sha256 }),
    ...(item.version === undefined ? {} : { version: item.version }),
    rejection: item.rejection,
  };
}

// Whatever throws while applying (a config diffConfig cannot format, a bug) is a rejection of
// kind internal: nothing was committed, and the stage goes on with the next candidate.
function applyGuarded<C>(
  candidate: Candidate<C>,
  context: ApplyContext<C>,
): Observable<Outcome<C>> {
  return defer(() => applyCandidate(candidate, context)).pipe(
    catchError((err: unknown) => {
      const path = candidate.loaded.files[0] ?? '';
      const { trigger, answers, startedAt, sha256, version } = candidate;
      return of<Outcome<C>>({
        status: 'rejected',
        trigger,
        answers,
        startedAt,
        sha256,
        version,
        rejection: { ...internalRejection(path, 'apply', err), trigger, version },
      });
    }),
  );
}

/**
 * The apply stage: one candidate at a time, each to its end, never interrupted by a newer one
 * (a half-run set of callbacks is worse than a late one). While one runs, at most one candidate
 * waits, and a newer candidate replaces it: ten saves during a slow callback lead to one more
 * apply, of the last save, not ten. A failed load does not wait (it changes nothing): it comes
 * out as a rejected outcome at once. Each candidate's change is split into live and restart-only
 * fields, run through the veto transaction and committed. Never errors: a throw while applying
 * is a rejected outcome of kind `internal`.
 *
 * When the input completes, the running and waiting candidates are still applied. Once
 * `stopSignal` has aborted, a waiting candidate is dropped, none is started, and the running
 * one's callback is cut short (see TransactionOptions).
 * @example loads$.pipe(applySerially(context)).subscribe(report)
 */
export function applySerially<C>(
  context: ApplyContext<C>,
): OperatorFunction<Candidate<C> | FailedLoad, Outcome<C>> {
  return (source) =>
    new Observable<Outcome<C>>((subscriber) => {
      const serial = new Serial(context, subscriber);
      const input = source.subscribe(serial);
      return () => {
        input.unsubscribe();
        serial.running?.unsubscribe();
      };
    });
}

// One subscription's state, and the observer of its input: an object whose methods are on the
// prototype, which a watcher keeps for as long as it runs (not a context and five closures).
class Serial<C> implements Observer<Candidate<C> | FailedLoad> {
  running: Subscription | undefined;
  #waiting: Candidate<C> | undefined;
  #inputDone = false;
  #draining = false;

  constructor(
    private readonly context: ApplyContext<C>,
    private readonly subscriber: Subscriber<Outcome<C>>,
  ) {}

  next(item: Candidate<C> | FailedLoad): void {
    if (item.kind === 'failed') {
      this.subscriber.next(rejectedOutcome(item));
      return;
    }
    this.#waiting = item; // the newest wins; the one it replaces was never started
    this.#drain();
  }

  error(err: unknown): void {
    this.subscriber.error(err);
  }

  complete(): void {
    this.#inputDone = true;
    this.#drain();
  }

  // Starts the waiting candidate when none runs. A loop, not recursion, so applies that end
  // synchronously do not grow the stack; re-entrant calls (an outcome's subscriber causing a
  // new candidate) leave the work to the loop already running.
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      // Once stopped, nothing new starts: a candidate still waiting is dropped.
      if (this.context.stopSignal?.aborted === true) this.#waiting = undefined;
      while (this.running === undefined && this.#waiting !== undefined) {
        const candidate = this.#waiting;
        this.#waiting = undefined;
        const current = new Subscription();
        this.running = current;
        current.add(
          applyGuarded(candidate, this.context).subscribe({
            next: (outcome) => this.subscriber.next(outcome),
            complete: () => {
              if (this.running === current) this.running = undefined;
              this.#drain();
            },
          }),
        );
      }
    } finally {
      this.#draining = false;
    }
    if (this.#inputDone && this.running === undefined && this.#waiting === undefined) {
      this.subscriber.complete();
    }
  }
}
