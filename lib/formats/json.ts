import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  createScanner,
  type Node as JsonNode,
  type ParseErrorCode,
  type ParseOptions,
  parseTree,
  printParseErrorCode,
  visit,
} from 'jsonc-parser';
import type { Problem } from '../core/problem.js';
import type { Format, PathSegment } from '../engine/format.js';
import { capProblems } from './cap-problems.js';
import { refusedKey } from './refused-key.js';
import { type TextLocator, textLocator } from './text-document.js';
import { decodeUtf8Text } from './utf8-text.js';
import { withWatchedFile } from './with-watched-file.js';

/**
 * Options of createJsonFormat.
 * @example createJsonFormat({ comments: true, maxDepth: 20 });
 */
export interface JsonFormatOptions {
  /** Allow `//` and `/* *\/` comments, as JSONC (VS Code's settings.json, tsconfig.json) does. */
  readonly comments: boolean;
  /** Allow a comma after the last member of an object or array, as JSONC does. */
  readonly trailingCommas: boolean;
  /**
   * How deep arrays and objects may nest. Deeper input is refused before it is parsed, since a
   * parser (and every step after it) recurses per level and would overflow the stack.
   */
  readonly maxDepth: number;
}

/**
 * Strict JSON (RFC 8259), nesting at most 100 deep.
 * @example createJsonFormat(defaultJsonFormatOptions) // the same as jsonFormat
 */
export const defaultJsonFormatOptions: JsonFormatOptions = Object.freeze({
  comments: false,
  trailingCommas: false,
  maxDepth: 100,
});

function resolveOptions(options: Partial<JsonFormatOptions> | undefined): JsonFormatOptions {
  for (const key of Object.keys(options ?? {})) {
    if (!Object.hasOwn(defaultJsonFormatOptions, key)) {
      throw new TypeError(`unknown JSON format option '${key}'`);
    }
  }
  const resolved = { ...defaultJsonFormatOptions, ...options };
  if (!Number.isInteger(resolved.maxDepth) || resolved.maxDepth < 1) {
    throw new TypeError(`maxDepth must be an integer >= 1, got ${resolved.maxDepth}`);
  }
  return resolved;
}

const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

// Within a string token, the offset of what made it invalid (a control character, a bad escape).
function badInString(text: string, from: number, to: number, what: 'control' | 'escape'): number {
  for (let i = from + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (what === 'control' && c < 0x20) return i;
    if (what === 'escape' && c === 0x5c) {
      const next = text[i + 1] ?? '';
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return i;
      } else if (!escapes.has(next)) return i;
      i++;
    }
  }
  return from;
}

function previousNonSpace(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && ' \t\r\n'.includes(text[i] as string)) i--;
  return i;
}

function unexpected(text: string, offset: number, length: number): string {
  const c = text.codePointAt(offset) ?? 0;
  if (c < 0x20 || c > 0x7e) {
    const hex = c.toString(16).toUpperCase().padStart(4, '0');
    return c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200b) || c === 0x3000
      ? `unexpected U+${hex}: JSON allows only spaces, tabs and line breaks between values`
      : `unexpected character U+${hex}`;
  }
  const token = text.slice(offset, offset + Math.min(length, 20));
  return token.startsWith("'")
    ? `unexpected ${token}: JSON strings take double quotes`
    : `unexpected ${JSON.stringify(token)}`;
}

// One syntax error in words, at the offset that best shows it.
function syntaxProblem(
  code: ParseErrorCode,
  offset: number,
  length: number,
  text: string,
  options: JsonFormatOptions,
  at: TextLocator,
  inside: 'object' | 'array' | undefined,
): Problem {
  const closer = text[offset] === '}' || text[offset] === ']';
  // jsonc-parser's codes are a const enum, which isolated modules cannot read: go by name.
  const name = printParseErrorCode(code);
  switch (name) {
    case 'PropertyNameExpected':
    case 'ValueExpected': {
      const before = previousNonSpace(text, offset);
      if (closer && text[before] === ',') {
        return at.problem(before, 'trailing comma: JSON allows none after the last member');
      }
      if (name === 'ValueExpected' && /^[ \t\r\n]*$/.test(text)) {
        return at.problem(
          offset,
          'the file is empty: a JSON file holds a value ({} for all defaults)',
        );
      }
      return at.problem(
        offset,
        name === 'ValueExpected' ? 'expected a value' : 'expected a key in double quotes',
      );
    }
    case 'InvalidSymbol':
      return at.problem(offset, unexpected(text, offset, length));
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return at.problem(
        offset,
        `invalid number ${JSON.stringify(text.slice(offset, offset + Math.min(length, 20)))}`,
      );
    case 'ColonExpected':
      return at.problem(offset, "expected ':' after the key");
    case 'CommaExpected':
      if (/[0-9]/.test(text[offset] ?? '') && text[offset - 1] === '0') {
        return at.problem(offset - 1, 'invalid number: JSON numbers have no leading zero');
      }
      return at.problem(offset, `expected ',' or '${inside === 'array' ? ']' : '}'}'`);
    case 'CloseBraceExpected':
      return at.problem(offset, "expected '}' to close the object");
    case 'CloseBracketExpected':
      return at.problem(offset, "expected ']' to close the array");
    case 'EndOfFileExpected':
      return at.problem(offset, 'expected the end of the file: a JSON file holds one value');
    case 'InvalidCommentToken':
      return at.problem(
        offset,
        options.comments
          ? 'invalid comment'
          : 'comments are not allowed in JSON (jsoncFormat allows them)',
      );
    case 'UnexpectedEndOfComment':
      return at.problem(offset, "unterminated comment: expected '*/'");
    case 'UnexpectedEndOfString':
      return at.problem(offset, "unterminated string: expected '\"' before the end of the line");
    case 'InvalidUnicode':
    case 'InvalidEscapeCharacter':
      return at.problem(
        badInString(text, offset, offset + length, 'escape'),
        'invalid escape: JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u with four hex digits',
      );
    case 'InvalidCharacter':
      return at.problem(
        badInString(text, offset, offset + length, 'control'),
        'control character in a string: write it as an escape (\\t, \\n, \\u0000)',
      );
    default:
      return at.problem(offset, 'invalid JSON');
  }
}

// jsonc-parser's SyntaxKind (a const enum, which isolated modules cannot read).
const openBrace = 1;
const closeBrace = 2;
const openBracket = 3;
const closeBracket = 4;
const endOfFile = 17;

// Refuses nesting deeper than maxDepth before the (recursive) parser sees it, with the scanner,
// which is a loop.
function tooDeep(text: string, options: JsonFormatOptions, at: TextLocator): Problem | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== endOfFile; token = scanner.scan()) {
    if (token === openBrace || token === openBracket) {
      depth++;
      if (depth > options.maxDepth) {
        return at.problem(
          scanner.getTokenOffset(),
          `nested more than ${options.maxDepth} deep (maxDepth)`,
        );
      }
    } else if (token === closeBrace || token === closeBracket) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

type Frame =
  | {
      readonly kind: 'object';
      readonly value: Record<string, unknown>;
      /** Where the object opens: the offset of its node in jsonc-parser's tree. */
      readonly offset: number;
      key: string | undefined;
    }
  | {
      readonly kind: 'array';
      readonly value: unknown[];
    };

// Where each key is first written, in each object of jsonc-parser's tree that opens at one of
// `objects`: one walk of the tree and one pass over each of those objects, however many
// duplicates there are.
function firstKeys(root: JsonNode, objects: ReadonlySet<number>): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  const stack = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.type === 'object' && objects.has(node.offset)) {
      const firsts = new Map<string, number>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0]?.value;
        if (typeof key === 'string' && !firsts.has(key)) firsts.set(key, property.offset);
      }
      out.set(node.offset, firsts);
    }
    for (const child of node.children ?? []) stack.push(child);
  }
  return out;
}

// jsonc-parser's tree, walked as far as `path` goes: the last node reached.
function nodeAt(root: JsonNode, path: ReadonlyArray<PathSegment>): JsonNode {
  let node = root;
  for (const segment of path) {
    const key = String(segment);
    let next: JsonNode | undefined;
    if (node.type === 'object') {
      next = node.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
    } else if (node.type === 'array' && /^(0|[1-9][0-9]*)$/.test(key)) {
      next = node.children?.[Number(key)];
    }
    if (next === undefined) break;
    node = next;
  }
  return node;
}

// The plain data of a JSON text, and what refuses it. Positions are not kept here: most loads
// never need one, so `locate` parses the text again, once, on first use.
function readJson(text: string, o: JsonFormatOptions, at: TextLocator, tree: () => JsonNode) {
  const syntax: Problem[] = [];
  const refused: Problem[] = [];
  const stack: Frame[] = [];
  let root: { value: unknown } | undefined;
  // Counts what the parser understood; an error met with no progress since the last one follows
  // from it (`{'a': 1}` gives three), and is left out.
  let progress = 0;
  let progressAtLastError = -1;
  // Rare: each is noted with the object it is in, and the firsts are looked up in the tree once
  // the walk is done, all in one pass, rather than every key's offset remembered.
  const duplicates: Array<{ key: string; offset: number; object: number }> = [];
  const place = (value: unknown): void => {
    progress++;
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root ??= { value };
    } else if (top.kind === 'array') {
      top.value.push(value);
    } else if (top.key !== undefined) {
      // Plain assignment makes an own property for every key but `__proto__` (the one accessor
      // on Object.prototype), which is refused and never placed.
      top.value[top.key] = value;
      top.key = undefined;
    }
  };
  const open = (frame: Frame): void => {
    place(frame.value);
    stack.push(frame);
  };
  const close = (): void => {
    progress++;
    stack.pop();
  };
  visit(
    text,
    {
      onObjectBegin: (offset) => open({ kind: 'object', value: {}, offset, key: undefined }),
      onObjectProperty: (key, offset) => {
        progress++;
        const top = stack[stack.length - 1];
        if (top?.kind !== 'object') return;
        const why = refusedKey(key);
        top.key = why === undefined ? key : undefined;
        if (why !== undefined) {
          refused.push(at.problem(offset, why));
        } else if (Object.hasOwn(top.value, key)) {
          duplicates.push({ key, offset, object: top.offset });
        }
      },
      onSeparator: () => {
        progress++;
      },
      onObjectEnd: close,
      onArrayBegin: () => open({ kind: 'array', value: [] }),
      onArrayEnd: close,
      onLiteralValue: (value, offset, length) => {
        // JSON.parse reads a number past a double's range (1e400) as Infinity, silently: a
        // config value that is no number the file wrote.
        if (typeof value === 'number' && !Number.isFinite(value)) {
          const written = text.slice(offset, offset + Math.min(length, 40));
          refused.push(
            at.problem(offset, `number ${written} is out of range (it reads as ${value})`),
          );
        }
        place(value);
      },
      onError: (code, offset, length) => {
        if (progress === progressAtLastError) return;
        // A container left open at the end, after an error, was mostly left open by it (an
        // unterminated string or comment runs to the end).
        const name = printParseErrorCode(code);
        const unclosed = name === 'CloseBraceExpected' || name === 'CloseBracketExpected';
        if (syntax.length > 0 && offset >= text.length && unclosed) return;
        progressAtLastError = progress;
        syntax.push(
          syntaxProblem(code, offset, length, text, o, at, stack[stack.length - 1]?.kind),
        );
      },
    },
    parseOptions(o),
  );
  if (duplicates.length > 0) {
    // The tree is built by the same parse, so its objects open where this walk's did. The first
    // is the first property of that name, even one a syntax error left without a value.
    const firsts = firstKeys(tree(), new Set(duplicates.map((d) => d.object)));
    for (const { key, offset, object } of duplicates) {
      const p = at.position(firsts.get(object)?.get(key) ?? offset);
      const message = `duplicate key "${key}" (first at line ${p.line}, column ${p.column})`;
      refused.push(at.problem(offset, message));
    }
  }
  const problems = [...syntax, ...refused].sort(
    (a, b) =>
      (a.line as number) - (b.line as number) || (a.column as number) - (b.column as number),
  );
  return { root, problems };
}

const parseOptions = (o: JsonFormatOptions): ParseOptions => ({
  disallowComments: !o.comments,
  allowTrailingComma: o.trailingCommas,
});

/**
 * Builds a JSON format. Every syntax error at once, each with line and column (leaving out the
 * errors that only follow from the one before, with nothing parsed between). Also refused, each
 * where it stands: a duplicate key (JSON.parse would keep the last one silently; the message
 * names where the first is), a key through which naive merging reaches `Object.prototype`
 * (`__proto__`, `constructor`, `prototype`), nesting deeper than `maxDepth`, invalid UTF-8 and
 * UTF-16 files. A UTF-8 byte order mark is skipped. An empty file is an error (a JSON file holds
 * a value; `{}` means all defaults). Positions cost nothing until asked for: the first `locate`
 * parses the text once more, into jsonc-parser's tree.
 * @example const jsonc = createJsonFormat({ comments: true, trailingCommas: true });
 */
export function createJsonFormat(options?: Partial<JsonFormatOptions>): Format {
  const o = resolveOptions(options);
  const name = o.comments || o.trailingCommas ? 'jsonc' : 'json';
  return {
    name,
    parse: withWatchedFile(async ({ bytes, file, signal }) => {
      signal.throwIfAborted();
      const decoded = decodeUtf8Text(bytes, file);
      if (isLeft(decoded)) return decoded;
      const text = decoded.right;
      const at = textLocator(text, file);
      const deep = tooDeep(text, o, at);
      if (deep !== undefined) return left([deep]);

      let tree: JsonNode | undefined;
      const treeOf = (): JsonNode => {
        // Parsed again only when a position is asked for; a text without a value (never the
        // case once readJson accepted it) locates at its start.
        tree ??= parseTree(text, [], parseOptions(o)) ?? { type: 'null', offset: 0, length: 0 };
        return tree;
      };
      const { root, problems } = readJson(text, o, at, treeOf);
      if (problems.length > 0 || root === undefined) return left(capProblems(problems));
      return right({
        value: root.value,
        locate: (path) => at.position(nodeAt(treeOf(), path).offset),
        files: [file],
        watched: [file],
        warnings: [],
      });
    }),
  };
}

/**
 * Strict JSON, as JSON.parse reads it, with positions.
 * @example const r = await jsonFormat.parse({ bytes: Buffer.from('{"port": 80}'), file: 'app.json', signal });
 */
export const jsonFormat: Format = createJsonFormat();

/**
 * JSON with comments and trailing commas (JSONC), as VS Code's settings.json and tsconfig.json.
 * @example const r = await jsoncFormat.parse({ bytes: Buffer.from('{"port": 80, // web\n}'), file: 'app.jsonc', signal });
 */
export const jsoncFormat: Format = createJsonFormat({ comments: true, trailingCommas: true });
