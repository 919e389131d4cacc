/** A value whose every nested object and array is read-only. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Freezes a plain-data value in place, all the way down, and returns it.
 * Configs are shared between subscribers; freezing makes "nobody mutates a snapshot" a fact
 * instead of a convention (FIELD-NOTES row 10).
 *
 * Every object reachable through own enumerable properties is frozen, including the children
 * of an object that was already frozen: a shallow `Object.freeze` on a parent says nothing about
 * what it holds. Each object is visited once, so cycles and shared children are fine, and the
 * walk keeps its own stack, not the call stack, so depth is no limit. Typed arrays and DataViews
 * are left as they are (JavaScript cannot freeze their elements); a config never holds one.
 * @example const c = deepFreeze({ a: [1] }); Object.isFrozen(c.a) // true
 * @example const inner = { n: 1 }; deepFreeze(Object.freeze({ inner })); Object.isFrozen(inner) // true
 */
export function deepFreeze<T>(value: T): T {
  const seen = new WeakSet<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || seen.has(next)) continue;
    seen.add(next);
    if (ArrayBuffer.isView(next)) continue;
    for (const key of Object.keys(next)) {
      const child: unknown = (next as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) pending.push(child);
    }
    Object.freeze(next);
  }
  return value;
}
