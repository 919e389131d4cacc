import type { PathSegment } from './format.js';

/**
 * A path as people write it in messages and in path lists: segments joined by dots, array
 * indexes as numbers (`servers.0.port`); the document itself is `''`.
 * @example dottedPath(['pool', 'max']) // 'pool.max'
 */
export function dottedPath(path: ReadonlyArray<PathSegment>): string {
  return path.join('.');
}

/**
 * Whether any of `patterns` covers `path`: a pattern covers its own path and everything under it,
 * segment by segment (`pool` covers `pool.max`, not `poolSize`), and a `*` segment stands for any
 * one key or index (`servers.*.password`). A key that itself holds a dot cannot be named.
 * @example covers(['pool', 'max'], ['pool']) // true
 * @example covers(['servers', 2, 'password'], ['servers.*.password']) // true
 */
export function covers(path: ReadonlyArray<PathSegment>, patterns: ReadonlyArray<string>): boolean {
  return patterns.some((pattern) => {
    const segments = pattern.split('.');
    if (segments.length > path.length) return false;
    return segments.every((s, i) => s === '*' || s === String(path[i]));
  });
}
