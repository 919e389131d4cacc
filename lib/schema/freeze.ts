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
 * @example const c = deepFreeze({ a: [1] }); Object.isFrozen(c.a) // true
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
