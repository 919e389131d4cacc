const refused: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why a key is refused in a JSON or YAML config, or `undefined` for a key that is fine. The three
 * names through which code that merges or copies objects naively (`target[key] = ...`) reaches
 * and changes `Object.prototype` are refused outright: no config needs them, and refusing them
 * keeps the config safe to hand to any such code later, not only to hotrc's own merge.
 * @example refusedKey('__proto__') // 'the key "__proto__" is refused: ...'
 * @example refusedKey('port') // undefined
 */
export function refusedKey(key: string): string | undefined {
  return refused.has(key)
    ? `the key "${key}" is refused: through it, code that merges objects could change every object's prototype`
    : undefined;
}
