import type * as t from 'io-ts';
import { fieldCodecs, fieldNames, fields, TorConfig } from './tor-config.js';
import { Bool } from './values/bool.js';
import { BridgeLine } from './values/bridge-line.js';
import { ClientAuthKey } from './values/client-auth.js';
import { IsolationLevel, LogLevel } from './values/enums.js';
import { NonNegativeInt } from './values/integer.js';
import { Interval } from './values/interval.js';
import { TargetAddr, VirtualPort } from './values/onion-port.js';
import { Port } from './values/port.js';
import { RouterSetEntry } from './values/router-set.js';
import { NonEmptyText, Text } from './values/text.js';

/** A JSON Schema (draft 2020-12) document or fragment. */
export type JsonSchema = { readonly [key: string]: unknown };

const INT_MAX = 2147483647;

const enumOf = (codec: t.Mixed): JsonSchema => ({
  type: 'string',
  enum: Object.keys((codec as unknown as { keys: Record<string, unknown> }).keys),
});

// The leaf codecs, by identity; structure (arrays, objects) is walked generically below.
const leaves: ReadonlyMap<t.Mixed, JsonSchema> = new Map<t.Mixed, JsonSchema>([
  [Port, { oneOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { const: 'auto' }] }],
  [Bool, { type: 'boolean' }],
  [Interval, { type: 'integer', minimum: 0, maximum: INT_MAX * 1000, description: 'milliseconds' }],
  [NonNegativeInt, { type: 'integer', minimum: 0, maximum: INT_MAX }],
  [Text, { type: 'string' }],
  [NonEmptyText, { type: 'string', minLength: 1 }],
  [LogLevel, enumOf(LogLevel)],
  [IsolationLevel, enumOf(IsolationLevel)],
  [
    BridgeLine,
    {
      type: 'string',
      description: 'A Tor bridge line: [transport] addr:port [fingerprint] [k=v ...]',
    },
  ],
  [
    RouterSetEntry,
    { type: 'string', description: 'A $fingerprint, nickname, {cc} or address pattern' },
  ],
  [VirtualPort, { type: 'integer', minimum: 1, maximum: 65535 }],
  [TargetAddr, { type: 'string', minLength: 1 }],
  [
    ClientAuthKey,
    {
      type: 'string',
      pattern: '^descriptor:x25519:[A-Za-z2-7]{52}$',
      description: "A client's x25519 public key, as in Tor's authorized_clients files (a secret)",
    },
  ],
]);

type Walkable = t.Mixed & {
  readonly _tag?: string;
  readonly type?: t.Mixed;
  readonly props?: Record<string, t.Mixed>;
};

function schemaOf(codec: t.Mixed): JsonSchema {
  const leaf = leaves.get(codec);
  if (leaf !== undefined) return leaf;
  const c = codec as Walkable;
  switch (c._tag) {
    case 'ReadonlyType':
    case 'ExactType':
      if (c.type !== undefined) return schemaOf(c.type);
      break;
    case 'ReadonlyArrayType':
    case 'ArrayType':
      if (c.type !== undefined) return { type: 'array', items: schemaOf(c.type) };
      break;
    case 'InterfaceType':
      if (c.props !== undefined) {
        const props = c.props;
        return {
          type: 'object',
          properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, schemaOf(v)])),
          required: Object.keys(props),
          additionalProperties: false,
        };
      }
      break;
  }
  // A codec added to TorConfig without a schema here is a bug in hotrc, not bad input.
  throw new TypeError(`toJsonSchema: no JSON Schema for codec ${codec.name}`);
}

/**
 * A JSON Schema of a TorConfig in its JSON form (durations in milliseconds), with each field's
 * description, for editors and for validating configs pushed from elsewhere.
 * @example toJsonSchema().properties // { SocksPort: { oneOf: [...], description: 'SOCKS5 proxy port ...' }, ... }
 */
export function toJsonSchema(): JsonSchema {
  const properties = Object.fromEntries(
    fieldNames.map((f) => [
      f,
      {
        ...schemaOf(fieldCodecs[f] as t.Mixed),
        description: fields[f].doc,
        'x-hotrc-reloadable': fields[f].reloadable,
        'x-torrc-keys': fields[f].keys,
      },
    ]),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: TorConfig.name,
    type: 'object',
    properties,
    required: [...fieldNames],
    additionalProperties: false,
  };
}
