/** How bad a problem is: errors reject the file, warnings and notes do not. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * One thing wrong (or worth saying) about a config, with where it came from.
 * `file`/`line` are absent only for problems no line caused (a default that no longer fits).
 * @example const p: Problem = { severity: 'error', message: 'ConnLimit must be at least 1', file: '/etc/tor/torrc', line: 3, field: 'ConnLimit' };
 */
export interface Problem {
  readonly severity: Severity;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  /** 1-based, in UTF-16 code units as editors count them; only with a line. */
  readonly column?: number;
  /** The TorConfig field concerned, when there is one. */
  readonly field?: string;
}

/** Where a problem points: a file and, when known, a line. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

/**
 * `FILE:LINE: message` (or `FILE:LINE:COLUMN: message` when the column is known), the way
 * `tor --verify-config` and compilers print a problem.
 * @example formatProblem({ severity: 'error', message: 'bad', file: 'torrc', line: 2 }) // 'torrc:2: bad'
 */
export function formatProblem(p: Problem): string {
  const at = p.column === undefined ? `${p.line}` : `${p.line}:${p.column}`;
  const where =
    p.file === undefined ? '' : p.line === undefined ? `${p.file}: ` : `${p.file}:${at}: `;
  const tag = p.severity === 'error' ? '' : `${p.severity}: `;
  return `${where}${tag}${p.message}`;
}

/**
 * Only the problems that reject a config.
 * @example errorsOf([{ severity: 'warning', message: 'x' }]) // []
 */
export function errorsOf(problems: ReadonlyArray<Problem>): ReadonlyArray<Problem> {
  return problems.filter((p) => p.severity === 'error');
}
