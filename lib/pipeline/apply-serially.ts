import * as E from 'fp-ts/lib/Either.js';
import { concatMap, map, type Observable, type OperatorFunction, of } from 'rxjs';
import { diffConfig } from '../schema/diff.js';
import { deepFreeze } from '../schema/freeze.js';
import { formatProblem } from '../schema/problem.js';
import { fieldNames, isReloadable, type TorConfig } from '../schema/tor-config.js';
import { validateConfig } from '../schema/validate.js';
import { type ReloadCallback, type TransactionOptions, transaction } from './transaction.js';
import type { Candidate, FailedLoad, Outcome, Rejection } from './types.js';

/** What the apply stage reads and writes. */
export interface ApplyContext extends TransactionOptions {
  /** The live config. */
  readonly current: () => TorConfig;
  /** Makes `config` live (one reference swap) and returns its generation. */
  readonly commit: (config: TorConfig) => number;
  /** The callbacks registered now, in order. */
  readonly callbacks: () => ReadonlyArray<ReloadCallback>;
  /** `keep`: restart-only changes are kept back and reported; `reject`: they reject the reload (Tor). */
  readonly restartRequired: 'keep' | 'reject';
}

/**
 * The reloadable fields of `fileConfig` over the rest of `current`: what a reload makes live.
 * @example mergeReloadable(current, fromFile).SocksPort === current.SocksPort // true
 */
export function mergeReloadable(current: TorConfig, fileConfig: TorConfig): TorConfig {
  return deepFreeze(
    Object.fromEntries(
      fieldNames.map((f) => [f, isReloadable(f) ? fileConfig[f] : current[f]]),
    ) as unknown as TorConfig,
  );
}

function applyCandidate(candidate: Candidate, context: ApplyContext): Observable<Outcome> {
  const { trigger, answers, startedAt, sha256 } = candidate;
  const common = { trigger, answers, startedAt, sha256 };
  const rejected = (rejection: Omit<Rejection, 'trigger' | 'path'>): Outcome => ({
    status: 'rejected',
    ...common,
    rejection: { ...rejection, trigger, path: candidate.loaded.files[0] ?? '' },
  });

  const current = context.current();
  const { warnings } = candidate.loaded;
  const all = diffConfig(current, candidate.loaded.config);
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
  const next = mergeReloadable(current, candidate.loaded.config);
  // Each side was valid on its own; the mix of live and kept-back fields must be too.
  const valid = validateConfig(next);
  if (E.isLeft(valid)) {
    return of(
      rejected({
        kind: 'invalid',
        cause: 'merge',
        reason: valid.left.map(formatProblem).join('; '),
        problems: valid.left,
      }),
    );
  }
  return transaction(context.callbacks(), current, next, context).pipe(
    map((result): Outcome => {
      if (E.isLeft(result)) {
        const { index, error } = result.left;
        const said = error instanceof Error ? error.message : String(error);
        return rejected({
          kind: 'vetoed',
          cause: 'veto',
          reason: `reload callback #${index + 1} rejected the change: ${said}`,
          problems: [],
          error,
        });
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

/**
 * The apply stage: one candidate at a time, each to the end, never interrupted by a newer one
 * (a `concatMap`: a half-run set of callbacks is worse than a late one). Splits the change into
 * live and restart-only fields, runs the veto transaction, commits, and turns every failed load
 * into a rejected outcome. Never errors.
 * @example loads$.pipe(applySerially(context)).subscribe(report)
 */
export function applySerially(
  context: ApplyContext,
): OperatorFunction<Candidate | FailedLoad, Outcome> {
  return concatMap((item) =>
    item.kind === 'failed'
      ? of<Outcome>({
          status: 'rejected',
          trigger: item.rejection.trigger,
          answers: item.answers,
          startedAt: item.startedAt,
          ...(item.sha256 === undefined ? {} : { sha256: item.sha256 }),
          rejection: item.rejection,
        })
      : applyCandidate(item, context),
  );
}
