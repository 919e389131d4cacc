import type { Problem } from '../core/problem.js';

/**
 * Problems a format reports at most, so that a binary file fed to a parser yields a readable list
 * rather than one problem per byte.
 * @example capProblems(Array(500).fill(p)).length // maxProblems + 1
 */
export const maxProblems = 50;

/**
 * The first `maxProblems` problems, then one saying how many more there were (at the first of
 * those, so that a reader knows where to look next).
 * @example capProblems([p1, p2]) // [p1, p2]
 */
export function capProblems(problems: ReadonlyArray<Problem>): Problem[] {
  if (problems.length <= maxProblems) return [...problems];
  const next = problems[maxProblems] as Problem;
  const { field: _, ...where } = next;
  return [
    ...problems.slice(0, maxProblems),
    { ...where, message: `${problems.length - maxProblems} more problems not shown` },
  ];
}
