/** A value whose every nested object and array is read-only. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

// The values known to be frozen all the way down: the roots deepFreeze and isDeepFrozen were
// handed, once the walk was done, and the objects those hold directly (what a deep-frozen value
// holds is deep-frozen too). Nothing under a frozen plain-data value can change, so neither
// deepFreeze nor isDeepFrozen walks one again: the engine freezes each config where it is made
// and checks it where it is handed over, and a config built over another (a torrc laid over its
// base) shares the base's lists, which are then not walked again either.
const frozenDeep = new WeakSet<object>();

// Remembers `value`, whose walk found everything under it frozen, and `held`, the objects it
// holds directly (collected by the walk: a getter is not read twice).
function remember(value: object, held: ReadonlyArray<object>): void {
  frozenDeep.add(value);
  for (const child of held) frozenDeep.add(child);
}

/**
 * Freezes a plain-data value in place, all the way down, and returns it.
 * Configs are shared between subscribers; freezing makes "nobody mutates a snapshot" a fact
 * instead of a convention (FIELD-NOTES row 10).
 *
 * Every object reachable through own enumerable properties is frozen, including the children
 * of an object that was already frozen: a shallow `Object.freeze` on a parent says nothing about
 * what it holds. Each object is visited once, so cycles and shared children are fine, and the
 * walk keeps its own stack, not the call stack, so depth is no limit. A value it froze before is
 * not walked again. Typed arrays and DataViews are left as they are (JavaScript cannot freeze
 * their elements); a config never holds one.
 * @example const c = deepFreeze({ a: [1] }); Object.isFrozen(c.a) // true
 * @example const inner = { n: 1 }; deepFreeze(Object.freeze({ inner })); Object.isFrozen(inner) // true
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || frozenDeep.has(value)) return value;
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  // What a plain object at the root holds (a config's lists), remembered with it; an array's
  // items are not (a list of thousands, seldom shared).
  const held: object[] = [];
  let views = false;
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || seen.has(next) || frozenDeep.has(next)) {
      continue;
    }
    seen.add(next);
    if (ArrayBuffer.isView(next)) {
      views = true;
      continue;
    }
    const root = next === value && !Array.isArray(next);
    // Object.values, not Object.keys and a lookup per key: the same own enumerable values, but an
    // array of thousands (a big torrc's bridge lines) is not turned into index strings and back.
    for (const child of Object.values(next)) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        if (root) held.push(child);
      }
    }
    Object.freeze(next);
  }
  if (!views) remember(value, held);
  return value;
}

/**
 * Whether every object reachable from `value` through own enumerable properties is frozen
 * (a typed array never is). At once for a value deepFreeze froze; otherwise by a walk, whose
 * positive answer is remembered likewise.
 * @example isDeepFrozen(deepFreeze({ a: [1] })) // true
 * @example isDeepFrozen(Object.freeze({ a: [1] })) // false: the array is not frozen
 */
export function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || frozenDeep.has(value)) return true;
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  const held: object[] = [];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || seen.has(next) || frozenDeep.has(next)) {
      continue;
    }
    if (ArrayBuffer.isView(next) || !Object.isFrozen(next)) return false;
    seen.add(next);
    const root = next === value && !Array.isArray(next);
    for (const child of Object.values(next)) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        if (root) held.push(child);
      }
    }
  }
  remember(value, held);
  return true;
}
