import { covers } from './dotted-path.js';
import { sameValue } from './same-value.js';
import type { FieldChange } from './types.js';

/**
 * How diffPaths is told which paths are secret and which reload live.
 * @example const options: DiffOptions = { secrets: ['db.password'], isReloadable: (p) => p !== 'server.port' };
 */
export interface DiffOptions {
  /** Dotted paths (a path covers everything under it) whose values are shown as `[REDACTED]`. */
  readonly secrets: ReadonlyArray<string>;
  readonly isReloadable: (path: string) => boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// A config is plain data: what its prototype holds is no part of it.
const ownValue = (record: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * A value as a change text shows it: strings bare (`info`), everything else as JSON, `(unset)`
 * for a key that is absent on one side. Long values are cut, so one line stays one line.
 * @example describeJson(['a', 'b']) // '["a","b"]'
 */
export function describeJson(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * What differs from `oldConfig` to `newConfig`, one change per dotted path: objects are walked
 * key by key (old keys first, then new ones), arrays and other values compared whole, so a list
 * that changed is one change (`features: ["a"] -> ["a","b"]`). A secret path's values are never
 * in `text`. Empty when the configs are equal, which keeps a comment-only save silent.
 * @example diffPaths({ pool: { max: 10 } }, { pool: { max: 20 } }, options)[0]?.text // 'pool.max: 10 -> 20'
 */
export function diffPaths(
  oldConfig: unknown,
  newConfig: unknown,
  options: DiffOptions,
): ReadonlyArray<FieldChange> {
  const changes: FieldChange[] = [];
  const walk = (a: unknown, b: unknown, path: ReadonlyArray<string>): void => {
    if (isRecord(a) && isRecord(b)) {
      const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !Object.hasOwn(a, k))];
      // Own keys only: a key only one side has (`toString`, say) is absent on the other, not
      // the builtin Object.prototype would lend it.
      for (const key of keys) walk(ownValue(a, key), ownValue(b, key), [...path, key]);
      return;
    }
    if (sameValue(a, b)) return;
    const field = path.join('.');
    const secret = covers(path, options.secrets);
    const show = (v: unknown) => (secret && v !== undefined ? '[REDACTED]' : describeJson(v));
    changes.push({
      field,
      from: a,
      to: b,
      text: `${field === '' ? '(config)' : field}: ${show(a)} -> ${show(b)}`,
      reloadable: options.isReloadable(field),
    });
  };
  walk(oldConfig, newConfig, []);
  return changes;
}
