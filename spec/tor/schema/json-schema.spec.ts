import assert from 'node:assert/strict';
import { toJsonSchema } from '../../../lib/tor/schema/json-schema.js';
import { defaultConfig, fieldNames } from '../../../lib/tor/schema/tor-config.js';

type Schema = { [k: string]: unknown };

// A small checker for the keywords toJsonSchema uses, so the test proves the schema accepts real
// configs and rejects wrong ones, rather than only looking at its shape.
function conforms(value: unknown, schema: Schema): boolean {
  if (Array.isArray(schema.oneOf))
    return (schema.oneOf as Schema[]).filter((s) => conforms(value, s)).length === 1;
  if ('const' in schema) return value === schema.const;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  switch (schema.type) {
    case 'integer':
      return (
        Number.isInteger(value) &&
        (value as number) >= ((schema.minimum as number) ?? -Infinity) &&
        (value as number) <= ((schema.maximum as number) ?? Infinity)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && value.length >= ((schema.minLength as number) ?? 0);
    case 'array':
      return Array.isArray(value) && value.every((v) => conforms(v, schema.items as Schema));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const props = schema.properties as Record<string, Schema>;
      const v = value as Record<string, unknown>;
      return (
        (schema.required as string[]).every((k) => k in v) &&
        Object.keys(v).every((k) => k in props && conforms(v[k], props[k] as Schema))
      );
    }
  }
  return true;
}

describe('toJsonSchema', () => {
  const schema = toJsonSchema();

  it('describes every field, with its doc and whether it reloads', () => {
    const props = schema.properties as Record<string, Schema>;
    assert.deepEqual(Object.keys(props), fieldNames);
    assert.equal(props.LogLevel?.['x-hotrc-reloadable'], true);
    assert.equal(props.SocksPort?.['x-hotrc-reloadable'], false);
    assert.deepEqual(props.LogLevel?.enum, ['debug', 'info', 'warn', 'error']);
    assert.deepEqual(props.BridgeAddresses?.['x-torrc-keys'], ['Bridge']);
    assert.match(String(props.SocksPort?.description), /SOCKS5/);
  });

  it('accepts the defaults and rejects wrong types, ranges and extra keys', () => {
    assert.ok(conforms(defaultConfig(), schema));
    assert.ok(conforms({ ...defaultConfig(), SocksPort: 'auto' }, schema));
    assert.ok(!conforms({ ...defaultConfig(), SocksPort: 70000 }, schema));
    assert.ok(!conforms({ ...defaultConfig(), LogLevel: 'loud' }, schema));
    assert.ok(!conforms({ ...defaultConfig(), UseBridges: 'yes' }, schema));
    assert.ok(!conforms({ ...defaultConfig(), Extra: 1 }, schema));
    assert.ok(
      !conforms(
        {
          ...defaultConfig(),
          OnionServices: [
            { ServiceDir: '/hs', VirtualPort: 0, TargetAddr: 'x', MaxStreams: 0, ClientAuth: [] },
          ],
        },
        schema,
      ),
    );
  });

  it('is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
  });
});
