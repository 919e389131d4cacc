// Helpers for the format specs: parse real bytes, and find what a position points at.
import assert from 'node:assert/strict';
import { type Either, isLeft, left } from 'fp-ts/lib/Either.js';
import { formatProblem, type Problem } from '../../lib/core/problem.js';
import type {
  Format,
  ParsedDocument,
  PathSegment,
  SourcePosition,
} from '../../lib/engine/format.js';

/** The bytes of `text` as UTF-8, or the bytes given. */
export const bytesOf = (input: string | Uint8Array): Uint8Array =>
  typeof input === 'string' ? Buffer.from(input, 'utf8') : input;

/**
 * `format.parse` of `input`, with a signal nobody aborts, its failure as the problems alone (a
 * format that reads only its own bytes watches only its file, which is checked here).
 */
export async function parse(
  format: Format,
  input: string | Uint8Array,
  file: string,
): Promise<Either<ReadonlyArray<Problem>, ParsedDocument>> {
  const r = await format.parse({
    bytes: bytesOf(input),
    file,
    signal: new AbortController().signal,
  });
  if (!isLeft(r)) return r;
  assert.deepEqual(r.left.watched, [file]);
  return left(r.left.problems);
}

/** The document, failing the test with the problems if the format refused the input. */
export async function parsed(
  format: Format,
  input: string | Uint8Array,
  file: string,
): Promise<ParsedDocument> {
  const r = await parse(format, input, file);
  if (isLeft(r)) assert.fail(`refused: ${r.left.map(formatProblem).join('; ')}`);
  return r.right;
}

/** The problems as `FILE:LINE:COLUMN: message` lines, failing the test if the input was accepted. */
export async function refused(
  format: Format,
  input: string | Uint8Array,
  file: string,
): Promise<string[]> {
  const r = await parse(format, input, file);
  if (!isLeft(r)) assert.fail(`accepted: ${JSON.stringify(r.right.value)}`);
  return r.left.map(formatProblem);
}

/** The problems themselves. */
export async function problemsOf(
  format: Format,
  input: string | Uint8Array,
  file: string,
): Promise<ReadonlyArray<Problem>> {
  const r = await parse(format, input, file);
  if (!isLeft(r)) assert.fail(`accepted: ${JSON.stringify(r.right.value)}`);
  return r.left;
}

/** The offset in `text` of a 1-based line and column (columns in UTF-16 code units). */
export function offsetAt(text: string, at: SourcePosition): number {
  let offset = 0;
  for (let line = 1; line < at.line; line++) {
    const next = text.slice(offset).search(/\r\n?|\n/);
    assert.notEqual(next, -1, `line ${at.line} is past the end`);
    offset += next + (text.startsWith('\r\n', offset + next) ? 2 : 1);
  }
  return offset + at.column - 1;
}

/** Every path in a plain value, the value itself first. */
export function pathsOf(
  v: unknown,
  prefix: PathSegment[] = [],
): Array<{ path: PathSegment[]; value: unknown }> {
  const out: Array<{ path: PathSegment[]; value: unknown }> = [{ path: prefix, value: v }];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push(...pathsOf(x, [...prefix, i]));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  }
  return out;
}

/** Whether a plain value holds any of the keys the formats refuse. */
export function holdsRefusedKey(v: unknown): boolean {
  return pathsOf(v).some(({ path }) =>
    path.some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype'),
  );
}
