import type { Summary } from './summarize.js';

/**
 * One line of the table: a subject and the baseline measured beside it, and their ratio.
 * @example const row: Row = { name: 'parse 1 MiB', subject: 'parseTorrc', baseline: 'split+trim', measured: c.subject, reference: c.baseline, ratio: c.ratio };
 */
export interface Row {
  readonly name: string;
  /** What was measured (`parseTorrc`). */
  readonly subject: string;
  /** What it is measured against (`split+trim`). */
  readonly baseline: string;
  readonly measured: Summary;
  readonly reference: Summary;
  /** measured.median / reference.median. */
  readonly ratio: number;
}

/**
 * A number worth printing that is not a comparison (reads counted, fs calls per look).
 * @example const f: Fact = { label: 'reads after first load', value: 0, unit: '' };
 */
export interface Fact {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
}

/**
 * A target checked at the end of the run.
 * @example const t: Target = target('parse 1 MiB median', 9.1, '<', 50, 'ms', 'issue');
 */
export interface Target {
  readonly name: string;
  readonly actual: number;
  readonly op: '<' | '<=' | '==' | '>=';
  readonly limit: number;
  readonly unit: string;
  /** Where the limit comes from (the issue, FIELD-NOTES, or why it is what it is). */
  readonly source: string;
  readonly pass: boolean;
}

/**
 * What one benchmark hands back to the runner.
 * @example const r: BenchResult = { id: 'parse', title: 'Parsing', rows: [], facts: [], targets: [] };
 */
export interface BenchResult {
  readonly id: string;
  readonly title: string;
  readonly rows: ReadonlyArray<Row>;
  readonly facts: ReadonlyArray<Fact>;
  readonly targets: ReadonlyArray<Target>;
}

/**
 * Builds a Target and decides it. NaN never passes.
 * @example target('reads after first load', 0, '==', 0, '', 'FIELD-NOTES row 17').pass // true
 */
export function target(
  name: string,
  actual: number,
  op: Target['op'],
  limit: number,
  unit: string,
  source: string,
): Target {
  const pass =
    op === '<'
      ? actual < limit
      : op === '<='
        ? actual <= limit
        : op === '>='
          ? actual >= limit
          : actual === limit;
  return { name, actual, op, limit, unit, source, pass };
}
