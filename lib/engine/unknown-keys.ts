import type { Problem } from '../core/problem.js';
import { dottedPath } from './dotted-path.js';
import type { ParsedDocument, PathSegment } from './format.js';
import { isPlainObject } from './overlay.js';
import { putOwn } from './put-own.js';

/** What a codec says about the keys of the values it decodes, read from its io-ts structure. */
type Shape =
  | { readonly kind: 'object'; readonly props: Readonly<Record<string, unknown>> }
  | { readonly kind: 'array'; readonly element: unknown }
  | { readonly kind: 'record'; readonly values: unknown }
  | { readonly kind: 'open' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

// Through the wrappers that keep a codec's keys (exact, readonly, refinements and brands) to the
// shape under them. A union, or anything this does not know, is open: its keys are not judged.
function shapeOf(codec: unknown, depth = 0): Shape {
  if (!isObject(codec) || depth > 20) return { kind: 'open' };
  switch (codec._tag) {
    case 'ExactType':
    case 'ReadonlyType':
    case 'RefinementType':
      return shapeOf(codec.type, depth + 1);
    case 'InterfaceType':
    case 'PartialType':
      return isObject(codec.props) ? { kind: 'object', props: codec.props } : { kind: 'open' };
    case 'IntersectionType': {
      const members = Array.isArray(codec.types)
        ? codec.types.map((m) => shapeOf(m, depth + 1))
        : [];
      if (members.length === 0 || !members.every((m) => m.kind === 'object'))
        return { kind: 'open' };
      const props: Record<string, unknown> = {};
      for (const m of members) if (m.kind === 'object') Object.assign(props, m.props);
      return { kind: 'object', props };
    }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { kind: 'array', element: codec.type };
    case 'DictionaryType':
      return { kind: 'record', values: codec.codomain };
    default:
      return { kind: 'open' };
  }
}

/**
 * The top-level keys an object codec knows, read through the wrappers that keep them (exact,
 * readonly, refinements, intersections); undefined for a codec whose keys cannot be read.
 * @example codecKeys(t.type({ a: t.number })) // Set { 'a' }
 */
export function codecKeys(codec: unknown): ReadonlySet<string> | undefined {
  const shape = shapeOf(codec);
  return shape.kind === 'object' ? new Set(Object.keys(shape.props)) : undefined;
}

// Optimal string alignment distance, for "did you mean": small inputs only (keys of one object).
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function suggestion(key: string, known: ReadonlyArray<string>): string {
  if (key.length > 64) return '';
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3));
  for (const k of known) {
    const dist = distance(key, k);
    if (dist <= bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

/** How many unknown keys are listed before the rest are only counted. */
const maxListed = 100;

/**
 * The keys of a document that its codec does not know (io-ts decodes right past them, so a
 * misspelt key silently leaves its default in force): one problem per key, at the key's line and
 * column, with the nearest known key suggested (`unknown key 'poool' (did you mean 'pool'?)`).
 * Warnings, or errors when `strict`. Objects under a union or any codec whose keys cannot be read
 * are not judged; record (dictionary) keys are free. The first 100 are listed, the rest counted.
 * @example unknownKeys(doc, AppConfig, false)[0]?.message // "unknown key 'poool' (did you mean 'pool'?)"
 */
export function unknownKeys(
  document: ParsedDocument,
  codec: unknown,
  strict: boolean,
): ReadonlyArray<Problem> {
  const severity = strict ? 'error' : 'warning';
  const found: Problem[] = [];
  let more = 0;
  const walk = (
    c: unknown,
    value: unknown,
    path: ReadonlyArray<PathSegment>,
    depth: number,
  ): void => {
    if (depth > 200) return;
    const shape = shapeOf(c);
    if (shape.kind === 'object' && isPlainObject(value)) {
      const known = Object.keys(shape.props);
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape.props, key)) {
          walk(shape.props[key], value[key], [...path, key], depth + 1);
          continue;
        }
        if (found.length >= maxListed) {
          more++;
          continue;
        }
        const at = document.locate([...path, key]);
        const field = dottedPath([...path, key]);
        found.push({
          severity,
          message: `unknown key '${field}'${suggestion(key, known)}`,
          field,
          ...(at === undefined ? {} : { file: at.file, line: at.line, column: at.column }),
        });
      }
    } else if (shape.kind === 'array' && Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(shape.element, v, [...path, i], depth + 1);
    } else if (shape.kind === 'record' && isPlainObject(value)) {
      for (const key of Object.keys(value))
        walk(shape.values, value[key], [...path, key], depth + 1);
    }
  };
  walk(codec, document.value, [], 0);
  if (more > 0) {
    found.push({ severity, message: `${more} more unknown keys not listed` });
  }
  return found;
}

/**
 * `value` without the keys its codec does not know (see unknownKeys), copied where something was
 * dropped: the config then holds what its type says, nothing else. A key's place in the
 * document is unchanged, so positions found afterwards still hold.
 * @example withoutUnknownKeys({ pool: { max: 1, mx: 2 } }, AppConfig) // { pool: { max: 1 } }
 */
export function withoutUnknownKeys(value: unknown, codec: unknown, depth = 0): unknown {
  if (depth > 200) return value;
  const shape = shapeOf(codec);
  if (shape.kind === 'array' && Array.isArray(value)) {
    return value.map((v) => withoutUnknownKeys(v, shape.element, depth + 1));
  }
  if ((shape.kind !== 'object' && shape.kind !== 'record') || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // A record's keys are all known; an object's are its props.
    if (shape.kind === 'object' && !Object.hasOwn(shape.props, key)) continue;
    const inner = shape.kind === 'object' ? shape.props[key] : shape.values;
    putOwn(out, key, withoutUnknownKeys(value[key], inner, depth + 1));
  }
  return out;
}
