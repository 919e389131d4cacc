import { type Either, isRight, left } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Problem } from '../core/problem.js';
import { type CodecIssue, codecIssues } from './codec-issues.js';
import { covers, dottedPath } from './dotted-path.js';
import type { ParsedDocument, PathSegment } from './format.js';
import { isPlainObject, overlay } from './overlay.js';

/**
 * Options of decodeDocument.
 * @example decodeDocument(doc, AppConfig, defaults, { secrets: ['apiKey', 'db.password'] });
 */
export interface DecodeOptions {
  /** Dotted paths (see `covers`) whose values no message ever shows. */
  readonly secrets: ReadonlyArray<string>;
}

/**
 * What stands in place of a secret value in a message.
 * @example decodeDocument(doc, codec, defaults, { secrets: ['apiKey'] }) // 'apiKey: expected a string, got [REDACTED]'
 */
export const redacted = '[REDACTED]';

const shownLength = 40;

// A value as a message shows it: short, and never the inside of an object or array (which could
// hold anything, secrets included, and be as large as the file).
function show(v: unknown): string {
  if (typeof v === 'string') {
    return v.length <= shownLength
      ? JSON.stringify(v)
      : `${JSON.stringify(v.slice(0, shownLength)).slice(0, -1)}…"`;
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (isPlainObject(v)) return 'an object';
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}

// Whether the document itself holds a value at `path` (as opposed to the defaults).
function inDocument(value: unknown, path: ReadonlyArray<PathSegment>): boolean {
  let v = value;
  for (const segment of path) {
    if (v === undefined || v === null || typeof v !== 'object') return false;
    const key = String(segment);
    if (!Object.hasOwn(v, key)) return false;
    v = (v as Record<string, unknown>)[key];
  }
  return v !== undefined;
}

// Whether a secret lies strictly inside the value at `path` (`db` holds `db.password`).
function holdsSecret(path: ReadonlyArray<string>, secrets: ReadonlyArray<string>): boolean {
  return secrets.some((s) => {
    const segments = s.split('.');
    return (
      segments.length > path.length &&
      path.every((p, i) => segments[i] === '*' || segments[i] === p)
    );
  });
}

// A codec's own message may quote the value. Under a secret it is kept only when it plainly does
// not (the value is a scalar whose text is not in it); over a value holding a secret, not at all.
function safeMessage(issue: CodecIssue, secrets: ReadonlyArray<string>): string | undefined {
  const m = issue.message;
  if (m === undefined) return undefined;
  const v = issue.value;
  if (covers(issue.path, secrets)) {
    if (v === null || typeof v === 'object' || typeof v === 'function') return undefined;
    const text = String(v);
    return text !== '' && !m.includes(text) ? m : undefined;
  }
  return typeof v === 'object' && v !== null && holdsSecret(issue.path, secrets) ? undefined : m;
}

function sentence(issue: CodecIssue, secrets: ReadonlyArray<string>): string {
  const own = safeMessage(issue, secrets);
  if (own !== undefined) return own;
  if (issue.value === undefined) return `missing (expected ${issue.expected})`;
  const got = covers(issue.path, secrets) ? redacted : show(issue.value);
  return `expected ${issue.expected}, got ${got}`;
}

function problemOf(
  issue: CodecIssue,
  doc: ParsedDocument,
  secrets: ReadonlyArray<string>,
): Problem {
  const field = dottedPath(issue.path);
  const text = sentence(issue, secrets);
  const message = field === '' ? text : `${field}: ${text}`;
  const base = { severity: 'error' as const, message, ...(field === '' ? {} : { field }) };
  // A value the defaults gave, not the file, has no place in the file to point at.
  if (issue.value !== undefined && !inDocument(doc.value, issue.path)) return base;
  const at = doc.locate(issue.path);
  if (at === undefined) {
    const file = doc.files[0];
    return file === undefined ? base : { ...base, file };
  }
  return { ...base, file: at.file, line: at.line, column: at.column };
}

function byPlace(a: Problem, b: Problem): number {
  if ((a.line === undefined) !== (b.line === undefined)) return a.line === undefined ? 1 : -1;
  if (a.file !== b.file) return (a.file ?? '') < (b.file ?? '') ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Lays a parsed document over the defaults (see `overlay`: objects merge, arrays and scalars
 * replace, a key absent from the file keeps its default) and decodes the result with the codec.
 * Every problem at once, each at the line and column where its value stands, in file order:
 * `pool.max: expected a number, got "ten"`; a missing key at the object that should hold it,
 * `pool.max: missing (expected a number)`; a value only the defaults gave has no line. Values at
 * `secrets` paths are never shown. Pure; never throws for any document (a codec of the caller's
 * own that throws is the caller's to fix).
 * @example
 * const AppConfig = t.type({ pool: t.type({ min: t.number, max: t.number }) });
 * decodeDocument(doc, AppConfig, { pool: { min: 1, max: 10 } })
 * // left([{ severity: 'error', message: 'pool.max: expected a number, got "ten"', file: 'app.yaml', line: 7, column: 8, field: 'pool.max' }])
 */
export function decodeDocument<C>(
  doc: ParsedDocument,
  codec: t.Type<C, unknown, unknown>,
  defaults: C,
  options: Partial<DecodeOptions> = {},
): Either<ReadonlyArray<Problem>, C> {
  const secrets = options.secrets ?? [];
  // Defaults are a decoded config; the file holds the encoded form (a codec may turn an ISO
  // string into a Date), so they meet as encoded values.
  const merged = overlay(codec.encode(defaults), doc.value);
  const decoded = codec.decode(merged);
  if (isRight(decoded)) return decoded;
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const issue of codecIssues(decoded.left)) {
    const p = problemOf(issue, doc, secrets);
    const id = `${p.file}\u0000${p.line}\u0000${p.column}\u0000${p.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(p);
  }
  return left(problems.sort(byPlace));
}
