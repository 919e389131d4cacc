import { putOwn } from './put-own.js';

/**
 * Whether `v` is a plain object (`{}` or `Object.create(null)`), the only kind overlay merges:
 * arrays, class instances (a Date, a Map) and everything else are values that replace.
 * @example isPlainObject({ a: 1 }) // true
 * @example isPlainObject([1]) // false
 */
export function isPlainObject(v: unknown): v is Readonly<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// Copies the plain objects and arrays of `v`, so that what overlay returns never shares them with
// the defaults (the engine freezes a committed config, and must not freeze the caller's defaults).
function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) putOwn(out, key, copyPlain(v[key]));
  return out;
}

/**
 * Lays `top` (what a file says) over `base` (the defaults): where both are plain objects they
 * merge key by key, recursively, base keys first; anywhere else `top` replaces (arrays are
 * values: a list in the file is the whole list); where `top` is `undefined`, `base` stays. So a
 * key deleted from the file returns to its default on the next load. Neither input is changed,
 * and the result shares no object or array with `base`.
 * @example overlay({ pool: { min: 1, max: 5 }, tags: ['a'] }, { pool: { max: 9 }, tags: ['b'] })
 * // { pool: { min: 1, max: 9 }, tags: ['b'] }
 */
export function overlay(base: unknown, top: unknown): unknown {
  if (top === undefined) return copyPlain(base);
  if (!isPlainObject(base) || !isPlainObject(top)) return top;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) {
    putOwn(out, key, Object.hasOwn(top, key) ? overlay(base[key], top[key]) : copyPlain(base[key]));
  }
  for (const key of Object.keys(top)) if (!Object.hasOwn(base, key)) putOwn(out, key, top[key]);
  return out;
}
