import { errorsOf, formatProblem, type Problem } from '../core/problem.js';

/**
 * What a ConfigError knows besides its problems: whether the file policy refused a file, and
 * what the failed load looked at.
 * @example const d: ConfigErrorDetails = { refused: 'insecure', watched: ['/etc/tor/torrc'] };
 */
export interface ConfigErrorDetails {
  /**
   * Set when a file (the main one or an include) was refused by the file policy
   * (world-writable, outside the root, too large) rather than found broken: which check refused
   * it (`insecure`, `outside-root`, `too-large`).
   */
  readonly refused?: string | undefined;
  /** Files and directories the failed load looked at, a missing %include included. */
  readonly watched?: ReadonlyArray<string> | undefined;
}

/**
 * A config file that cannot be used, with every problem found in it (file and line each).
 * `message` lists them one per line as `FILE:LINE: message`. `refused` says the file policy
 * refused a file (a security refusal, e.g. a world-writable %include); `watched` lists what the
 * load looked at before it failed, so a watcher notices the fix.
 * @example
 * try { await loadConfig('app.yaml', appProfile); } catch (e) { if (e instanceof ConfigError) e.problems }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly refused: string | undefined;
  readonly watched: ReadonlyArray<string>;
  constructor(
    readonly path: string,
    readonly problems: ReadonlyArray<Problem>,
    details: ConfigErrorDetails = {},
  ) {
    super(
      [
        `Invalid configuration ${path}:`,
        ...errorsOf(problems).map((p) => `  ${formatProblem(p)}`),
      ].join('\n'),
    );
    this.refused = details.refused;
    this.watched = details.watched ?? [];
  }
}
