import type { BenchResult, Target } from './bench-result.js';
import type { Summary } from './summarize.js';

/**
 * A number with three significant digits (no exponent), as the table shows it.
 * @example formatNumber(0.012345) // '0.0123'
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 6));
}

const withUnit = (x: number, unit: string) =>
  unit === '' || unit === 'x' || unit.startsWith('/')
    ? `${formatNumber(x)}${unit}`
    : `${formatNumber(x)} ${unit}`;

function cell(s: Summary): string {
  const median = withUnit(s.median, s.unit);
  return s.n < 2 ? median : `${median} (iqr ${Math.round(s.spread * 100)}%)`;
}

function table(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * A target as its PASS/FAIL line: verdict, name, actual, comparison, limit, where the limit
 * comes from.
 * @example formatTarget(target('reads', 0, '==', 0, '', 'FIELD-NOTES row 17')) // 'PASS  reads: 0 == 0  (FIELD-NOTES row 17)'
 */
export function formatTarget(t: Target): string {
  return `${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${withUnit(t.actual, t.unit)} ${t.op} ${withUnit(t.limit, t.unit)}  (${t.source})`;
}

/**
 * The human report: one table of every comparison (medians, spread as interquartile range over
 * median, ratio), the other numbers each benchmark found, then one PASS/FAIL line per target.
 * @example console.log(formatReport(results, 'node v20, 2 CPUs').join('\n'));
 */
export function formatReport(results: ReadonlyArray<BenchResult>, header: string): string[] {
  const rows: string[][] = [['#', 'measured', 'subject', 'median', 'baseline', 'median', 'ratio']];
  results.forEach((r) => {
    const n = r.title.split('.')[0] ?? '';
    for (const row of r.rows) {
      rows.push([
        n,
        row.name,
        row.subject,
        cell(row.measured),
        row.baseline,
        cell(row.reference),
        `${formatNumber(row.ratio)}x`,
      ]);
    }
  });
  const lines = [header, '', ...table(rows), ''];
  for (const r of results) {
    if (r.facts.length === 0) continue;
    lines.push(`${r.title}:`);
    lines.push(`  ${r.facts.map((f) => `${f.label} ${withUnit(f.value, f.unit)}`).join('; ')}`);
  }
  lines.push('', 'targets:');
  for (const r of results) for (const t of r.targets) lines.push(`  ${formatTarget(t)}`);
  return lines;
}
