import { formatProblem } from '../core/problem.js';
import { logMessages } from './log.js';
import type { SafeLog } from './safe-log.js';
import type { Observation, Outcome, Rejection } from './types.js';

type Loaded<C> = Extract<Outcome<C>, { status: 'applied' | 'unchanged' }>;
type Rejected<C> = Extract<Outcome<C>, { status: 'rejected' }>;

/**
 * The log lines of the reload attempts, and the little state that keeps them readable: an attempt
 * is announced once (`Configuration file changed, reloading` or `Manually reloading
 * configuration`) and always ends with an info-level outcome line; a problem a poll sees again
 * without a new version, a set of warnings already shown, and a restart-only change already
 * reported are not logged twice. De-duplication is for these lines only: the engine's streams
 * and promises hear of every attempt.
 * @example const lines = new OutcomeLog(log, path); lines.announce(observation); lines.rejected(outcome, 3);
 */
export class OutcomeLog {
  #lastProblem: string | undefined;
  #lastRestart = '';
  #lastWarnings = '';
  #lastVersion: string | undefined;
  /** An attempt was announced: its outcome line is info, whatever it is. */
  #announced = false;

  constructor(
    private readonly log: SafeLog,
    private readonly path: string,
  ) {}

  /** Logged when an attempt starts: a look that saw a new version, or a manual reload. */
  announce(observation: Observation): void {
    const { state, trigger } = observation;
    const version = state.kind === 'snapshot' ? state.version : undefined;
    if (trigger !== 'poll' && trigger !== 'watch') {
      this.log.info({ path: this.path, trigger }, logMessages.manualReload);
      this.#announced = true;
    } else if (
      version !== undefined &&
      this.#lastVersion !== undefined &&
      version !== this.#lastVersion
    ) {
      this.log.info({ path: this.path }, logMessages.fileChanged);
      this.#announced = true;
    }
    if (version !== undefined) this.#lastVersion = version;
  }

  /**
   * The lines of an attempt that loaded a valid config (applied or unchanged), in the design
   * document's order. Returns whether the set of restart-only changes moved (so the caller
   * updates `pendingRestart`).
   */
  loaded<C>(outcome: Loaded<C>, durationMs: number, generation: number): boolean {
    const announced = this.#takeAnnounced();
    if (this.#lastProblem !== undefined) {
      this.log.info({ path: this.path }, logMessages.recovered);
      this.#lastProblem = undefined;
    }
    this.log[outcome.status === 'applied' || announced ? 'info' : 'debug'](
      { ...this.#audit(outcome, durationMs), generation },
      logMessages.attempt,
    );
    if (outcome.status === 'applied') {
      const texts = outcome.changes.map((c) => c.text);
      this.log.info({ changes: texts, count: texts.length }, logMessages.fieldsUpdated);
    }
    this.#warnings(outcome);
    const restartKey = outcome.restartRequired.map((c) => c.text).join('\n');
    const restartMoved = restartKey !== this.#lastRestart;
    if (restartKey !== '' && restartMoved) {
      this.log.warn(
        {
          path: this.path,
          fields: outcome.restartRequired.map((c) => c.field),
          changes: outcome.restartRequired.map((c) => c.text),
        },
        logMessages.restartRequired,
      );
    }
    this.#lastRestart = restartKey;
    if (outcome.status === 'applied') this.log.info({ path: this.path }, logMessages.reloaded);
    return restartMoved;
  }

  /** The lines of a rejected attempt. */
  rejected<C>(outcome: Rejected<C>, durationMs: number): void {
    const announced = this.#takeAnnounced();
    const { rejection } = outcome;
    const audit = this.#audit(outcome, durationMs);
    const key = `${rejection.cause}\n${rejection.reason}`;
    // The same problem seen again by a look that announced nothing (a racy re-read, a file still
    // missing) is one state: its lines are written once.
    const looked = rejection.trigger === 'poll' || rejection.trigger === 'watch';
    const repeat = looked && !announced && key === this.#lastProblem;
    this.#lastProblem = key;
    if (repeat) {
      this.log.debug(audit, logMessages.attempt);
      return;
    }
    this.log.info({ ...audit, reason: rejection.reason }, logMessages.attempt);
    this.problem(rejection);
  }

  /** The line that says what is wrong, by cause: disappeared, unreadable, or rejected. */
  problem(rejection: Rejection): void {
    const err = rejection.error instanceof Error ? rejection.error : undefined;
    const fields = { path: this.path, ...(err === undefined ? {} : { err }) };
    if (rejection.cause === 'missing') this.log.warn(fields, logMessages.disappeared);
    else if (rejection.cause === 'denied')
      this.log.error({ ...fields, reason: rejection.reason }, logMessages.unreadable);
    else
      this.log.error(
        { ...fields, kind: rejection.kind, reason: rejection.reason },
        logMessages.rejected,
      );
  }

  #takeAnnounced(): boolean {
    const announced = this.#announced;
    this.#announced = false;
    return announced;
  }

  #audit<C>(outcome: Outcome<C>, durationMs: number) {
    return {
      path: this.path,
      trigger: outcome.trigger,
      sha256: outcome.sha256,
      outcome: outcome.status,
      durationMs,
    };
  }

  // Unknown keys and repeated options, logged once per distinct set (a racy re-read is quiet).
  #warnings<C>(outcome: Loaded<C>): void {
    const shown = outcome.warnings.filter((w) => w.severity === 'warning');
    const key = shown.map(formatProblem).join('\n');
    if (key === this.#lastWarnings) return;
    this.#lastWarnings = key;
    for (const w of shown) {
      this.log.warn(
        { path: this.path, file: w.file, line: w.line, reason: w.message },
        logMessages.warning,
      );
    }
  }
}
