import type * as t from 'io-ts';

// io-ts codecs say what they are in `_tag`, and carry their parts (`types`, `type`, `keys`, ...).
interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly value?: unknown;
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly type?: unknown;
  readonly types?: ReadonlyArray<unknown>;
  readonly predicate?: { readonly name?: string };
}

const simple: Readonly<Record<string, string>> = {
  NumberType: 'a number',
  StringType: 'a string',
  BooleanType: 'true or false',
  NullType: 'null',
  UndefinedType: 'nothing',
  VoidType: 'nothing',
  UnknownType: 'anything',
  AnyType: 'anything',
  NeverType: 'no value at all',
  BigIntType: 'a bigint',
  FunctionType: 'a function',
  UnknownRecordType: 'an object',
  AnyDictionaryType: 'an object',
  ObjectType: 'an object',
  InterfaceType: 'an object',
  PartialType: 'an object',
  StrictType: 'an object',
  ExactType: 'an object',
  DictionaryType: 'an object',
  UnknownArrayType: 'an array',
  AnyArrayType: 'an array',
};

const plurals: Readonly<Record<string, string>> = {
  'a number': 'numbers',
  'a string': 'strings',
  'true or false': 'booleans',
  'an integer': 'integers',
  'an object': 'objects',
};

// The name io-ts gives a refinement it was not given a name for: `(number | isPositive)`.
const defaultRefinementName = /^\((.*) \| ([^|()]*)\)$/;

/**
 * `a, b or c`, each once, in order.
 * @example joinOr(['a number', 'null']) // 'a number or null'
 */
export function joinOr(words: ReadonlyArray<string>): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

function describe(codec: Tagged, depth: number): string {
  // A recursive codec describes itself by name past a few levels.
  if (depth > 4) return codec.name;
  const tag = codec._tag ?? '';
  const known = simple[tag];
  if (known !== undefined) return known;
  switch (tag) {
    case 'LiteralType':
      return JSON.stringify(codec.value) ?? String(codec.value);
    case 'KeyofType':
      return joinOr(Object.keys(codec.keys ?? {}).map((k) => JSON.stringify(k)));
    case 'ArrayType':
    case 'ReadonlyArrayType': {
      const items = plurals[describe(codec.type as Tagged, depth + 1)];
      return items === undefined ? 'an array' : `an array of ${items}`;
    }
    case 'TupleType': {
      const n = codec.types?.length ?? 0;
      return `an array of ${n} ${n === 1 ? 'item' : 'items'}`;
    }
    case 'IntersectionType': {
      const parts = (codec.types ?? []).map((c) => describe(c as Tagged, depth + 1));
      return parts.every((p) => p === 'an object') ? 'an object' : codec.name;
    }
    case 'UnionType':
      return joinOr((codec.types ?? []).map((c) => describe(c as Tagged, depth + 1)));
    case 'ReadonlyType':
    case 'RecursiveType':
      return describe(codec.type as Tagged, depth + 1);
    case 'RefinementType': {
      const inner = describe(codec.type as Tagged, depth + 1);
      if (codec.name === 'Int' || codec.name === 'Integer') return 'an integer';
      const unnamed = defaultRefinementName.exec(codec.name);
      if (unnamed !== null) return unnamed[2] === '' ? inner : `${inner} that passes ${unnamed[2]}`;
      return `${codec.name} (${inner})`;
    }
    default:
      // A codec of the user's own (`new t.Type('Duration', ...)`) is best described by its name.
      return codec.name;
  }
}

/**
 * What a codec accepts, in words for an `expected ...` message: `a number`, `an array of strings`,
 * `"debug", "info" or "warn"`, `an integer`, `Port (a number)` for a named refinement or brand,
 * and a codec of your own by its name.
 * @example describeCodec(t.union([t.literal('debug'), t.literal('info')])) // '"debug" or "info"'
 */
export function describeCodec(codec: t.Decoder<unknown, unknown>): string {
  return describe(codec as unknown as Tagged, 0);
}
