/**
 * Sets an own, enumerable data property, whatever the key: `out[key] = v` would call the
 * `__proto__` setter for a key a file chose, and change the object's prototype instead.
 * @example const o = {}; putOwn(o, '__proto__', 1); Object.keys(o) // ['__proto__']
 */
export function putOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}
