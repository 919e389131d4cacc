import { covers } from '../engine/dotted-path.js';
import type { PathSegment } from '../engine/format.js';

/**
 * What `dump` prints in place of a secret, the same placeholder as everywhere in hotrc.
 * @example redactPaths({ db: { password: 'x' } }, ['db.password']) // { db: { password: '[REDACTED]' } }
 */
export const redactedValue = '[REDACTED]';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A copy of plain data with every value at a `secrets` path (see `covers`: a path covers what
 * lies under it, `*` stands for any one key or index) replaced by `[REDACTED]`, whatever it is
 * (a string, a number, a whole object). Keys stay, so the output still shows that a secret is
 * set. Pure; `value` is not changed.
 * @example redactPaths({ servers: [{ password: 'a' }] }, ['servers.*.password']) // { servers: [{ password: '[REDACTED]' }] }
 */
export function redactPaths(value: unknown, secrets: ReadonlyArray<string>): unknown {
  const walk = (v: unknown, path: ReadonlyArray<PathSegment>): unknown => {
    if (path.length > 0 && covers(path, secrets)) return redactedValue;
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (!isRecord(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      // defineProperty, so a key named __proto__ is an own key here as it was in the data.
      Object.defineProperty(out, key, {
        value: walk(item, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return secrets.length === 0 ? value : walk(value, []);
}
