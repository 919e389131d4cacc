import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import type * as Yaml from 'yaml';
import type { Problem } from '../core/problem.js';
import type { Format } from '../engine/format.js';
import { putOwn } from '../engine/put-own.js';
import { capProblems } from './cap-problems.js';
import { refusedKey } from './refused-key.js';
import { type PositionNode, type TextLocator, textDocument, textLocator } from './text-document.js';
import { decodeUtf8Text } from './utf8-text.js';
import { withWatchedFile } from './with-watched-file.js';

/**
 * Options of createYamlFormat.
 * @example createYamlFormat({ maxDepth: 20, maxAliasNodes: 1000 });
 */
export interface YamlFormatOptions {
  /**
   * How deep collections may nest, aliases followed. Deeper input is refused before it is
   * composed, since the YAML composer (and every step after it) recurses per level.
   */
  readonly maxDepth: number;
  /**
   * How many nodes aliases may bring in, in all (an alias of a list of 10 brings 11). Past it the
   * file is refused as an alias bomb ("billion laughs": nine lines that expand to 10^9 nodes).
   */
  readonly maxAliasNodes: number;
}

/**
 * Nesting at most 100 deep, aliases bringing in at most 10,000 nodes.
 * @example createYamlFormat(defaultYamlFormatOptions) // the same as yamlFormat
 */
export const defaultYamlFormatOptions: YamlFormatOptions = Object.freeze({
  maxDepth: 100,
  maxAliasNodes: 10_000,
});

function resolveOptions(options: Partial<YamlFormatOptions> | undefined): YamlFormatOptions {
  for (const key of Object.keys(options ?? {})) {
    if (!Object.hasOwn(defaultYamlFormatOptions, key)) {
      throw new TypeError(`unknown YAML format option '${key}'`);
    }
  }
  const resolved = { ...defaultYamlFormatOptions, ...options };
  for (const key of ['maxDepth', 'maxAliasNodes'] as const) {
    const v = resolved[key];
    if (!Number.isInteger(v) || v < 1)
      throw new TypeError(`${key} must be an integer >= 1, got ${v}`);
  }
  return resolved;
}

// Loaded on the first parse, so that a service reading only torrc or JSON never loads it.
let yamlModule: Promise<typeof Yaml> | undefined;
const loadYaml = (): Promise<typeof Yaml> => {
  yamlModule ??= import('yaml');
  return yamlModule;
};

// Characters YAML 1.2 does not allow in a stream (its c-printable, §5.1), which the yaml package
// lets through.
const unprintable =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/g;

function unprintables(text: string, at: TextLocator): Problem[] {
  const out: Problem[] = [];
  for (const m of text.matchAll(unprintable)) {
    const hex = (m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
    out.push(at.problem(m.index, `control character U+${hex} is not allowed in YAML`));
    if (out.length > 50) break;
  }
  return out;
}

// How deep the concrete syntax tree nests, walked with a stack of our own (the tree may be
// deeper than the call stack allows): the offset of the first collection past maxDepth.
function tooDeep(token: Yaml.CST.Token, maxDepth: number): number | undefined {
  const stack: Array<{ token: Yaml.CST.Token; depth: number }> = [{ token, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const t = top.token;
    let depth = top.depth;
    if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      depth++;
      if (depth > maxDepth) return t.offset;
      for (const item of t.items) {
        if (item.key) stack.push({ token: item.key, depth });
        if (item.value) stack.push({ token: item.value, depth });
      }
    } else if (t.type === 'document' && t.value) {
      stack.push({ token: t.value, depth });
    }
  }
  return undefined;
}

// The yaml package reports a quoted scalar left open at the end of the input, where it noticed;
// the offset where the scalar opens says more. The first open one in the syntax tree is it.
function openQuote(tokens: ReadonlyArray<Yaml.CST.Token>): number | undefined {
  const stack = [...tokens].reverse();
  for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
    if (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') {
      const q = t.source[0] as string;
      const body = t.source.slice(1);
      const closed =
        q === '"' ? /(^|[^\\])(\\\\)*"$/.test(body) : body.replaceAll("''", '').endsWith("'");
      if (!closed) return t.offset;
    }
    const kids: Yaml.CST.Token[] = [];
    if (t.type === 'document' && t.value) kids.push(t.value);
    if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      for (const item of t.items) {
        if (item.key) kids.push(item.key);
        if (item.value) kids.push(item.value);
      }
    }
    stack.push(...kids.reverse());
  }
  return undefined;
}

const core = 'tag:yaml.org,2002:';
const plainTags: ReadonlySet<string> = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => core + t),
);
const shownTag = (tag: string): string =>
  tag.startsWith(core) ? `!!${tag.slice(core.length)}` : tag;

interface Built {
  readonly value: unknown;
  readonly node: PositionNode;
  /** Nodes in the value, aliases expanded. */
  readonly size: number;
  /** Collections nested in the value, aliases expanded. */
  readonly depth: number;
}

type Anchorable = Yaml.Scalar | Yaml.YAMLMap | Yaml.YAMLSeq;

// The node each alias names, as Alias.resolve finds it (the last node before the alias with that
// anchor, in document order), for every alias in one walk. Alias.resolve walks the whole document
// on each call, and its cache (a toJS context) still scans every anchor and alias before the one
// resolved: N aliases would cost N^2.
function aliasTargets(Y: typeof Yaml, doc: Yaml.Document): Map<Yaml.Alias, Anchorable | undefined> {
  const targets = new Map<Yaml.Alias, Anchorable | undefined>();
  const latest = new Map<string, Anchorable>();
  Y.visit(doc, {
    Node: (_key, node) => {
      if (Y.isAlias(node)) targets.set(node, latest.get(node.source));
      else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  return targets;
}

/**
 * The YAML document as plain data with positions, refusing what plain data cannot be (tags that
 * make other things, keys that are collections, merge keys), keys that are refused or repeated,
 * and alias bombs. Recursion is bounded: the syntax tree was checked against maxDepth, and an
 * alias is never walked again, only counted. Exported for its spec, which counts how often each
 * node is read.
 * @example plainData(Y, Y.parseDocument(text), textLocator(text, 'app.yaml'), defaultYamlFormatOptions).root?.value // { a: 1, b: 1 } for 'a: &x 1\nb: *x\n'
 */
export function plainData(
  Y: typeof Yaml,
  doc: Yaml.Document,
  at: TextLocator,
  o: YamlFormatOptions,
): {
  readonly root: { readonly value: unknown; readonly node: PositionNode } | undefined;
  readonly problems: Problem[];
} {
  const problems: Problem[] = [];
  // Only a document with an alias pays for the walk that finds their anchors.
  let targets: Map<Yaml.Alias, Anchorable | undefined> | undefined;
  const resolve = (alias: Yaml.Alias): Anchorable | undefined => {
    targets ??= aliasTargets(Y, doc);
    return targets.get(alias);
  };
  const anchored = new Map<unknown, Built>();
  const building = new Set<unknown>();
  let aliasNodes = 0;
  let bombed = false;
  let tooDeepReported = false;
  const offsetOf = (n: { range?: Yaml.Range | null | undefined } | null | undefined): number =>
    n?.range?.[0] ?? 0;
  const nothing = (offset: number): Built => ({ value: null, node: { offset }, size: 1, depth: 0 });

  const tagRefused = (node: Yaml.Node): boolean => {
    if (node.tag === undefined || plainTags.has(node.tag)) return false;
    problems.push(
      at.problem(
        offsetOf(node),
        `the tag ${shownTag(node.tag)} is not supported: a config holds plain data (maps, lists, strings, numbers, booleans, null)`,
      ),
    );
    return true;
  };

  const keyOf = (pair: Yaml.Pair<unknown, unknown>, fallback: number): string | undefined => {
    let key = pair.key;
    const offset = Y.isNode(key) ? offsetOf(key) : fallback;
    if (Y.isAlias(key)) key = resolve(key);
    if (Y.isScalar(key) && key.type === 'PLAIN' && key.value === '<<') {
      problems.push(at.problem(offset, 'merge keys (<<) are not supported: write the keys out'));
      return undefined;
    }
    const v = Y.isScalar(key) ? key.value : undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      if (Y.isScalar(key) && tagRefused(key)) return undefined;
      return String(v);
    }
    problems.push(
      at.problem(
        offset,
        'a key must be a string, a number or a boolean (not empty, null or a collection)',
      ),
    );
    return undefined;
  };

  const build = (n: unknown, fallback: number): Built => {
    if (!Y.isNode(n)) return nothing(fallback);
    const offset = offsetOf(n);
    if (Y.isAlias(n)) {
      // Past the limit the file is refused already: the aliases left are neither resolved nor
      // expanded, so a bomb costs no more than its own text.
      if (bombed) return nothing(offset);
      const target = resolve(n);
      if (target === undefined) {
        problems.push(at.problem(offset, `unknown alias *${n.source}`));
        return nothing(offset);
      }
      if (building.has(target)) {
        problems.push(at.problem(offset, `the alias *${n.source} is inside the node it names`));
        return nothing(offset);
      }
      const built = anchored.get(target) ?? build(target, offset);
      aliasNodes += built.size;
      if (aliasNodes > o.maxAliasNodes) {
        // An alias whose anchor was built just now may pass the limit after an alias inside it did.
        if (!bombed) {
          const message = `aliases bring in more than ${o.maxAliasNodes} nodes (maxAliasNodes): refused as an alias bomb`;
          problems.push(at.problem(offset, message));
        }
        bombed = true;
        return nothing(offset);
      }
      const { children } = built.node;
      return { ...built, node: children === undefined ? { offset } : { offset, children } };
    }
    if (tagRefused(n)) return nothing(offset);
    building.add(n);
    const built = Y.isScalar(n) ? scalar(n, offset) : collection(n, offset);
    building.delete(n);
    if (n.anchor !== undefined) anchored.set(n, built);
    if (built.depth > o.maxDepth && !tooDeepReported) {
      tooDeepReported = true;
      problems.push(
        at.problem(offset, `nested more than ${o.maxDepth} deep through aliases (maxDepth)`),
      );
    }
    return built;
  };

  const scalar = (n: Yaml.Scalar, offset: number): Built => {
    const v = n.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      return { value: v, node: { offset }, size: 1, depth: 0 };
    }
    problems.push(
      at.problem(offset, 'this value is not plain data (a string, number, boolean or null)'),
    );
    return nothing(offset);
  };

  const collection = (n: Yaml.Node, offset: number): Built => {
    const children = new Map<string, PositionNode>();
    let size = 1;
    let depth = 0;
    const add = (key: string, b: Built): void => {
      children.set(key, b.node);
      size += b.size;
      depth = Math.max(depth, b.depth);
    };
    if (Y.isSeq(n)) {
      const value: unknown[] = [];
      for (const item of n.items) {
        const b = build(item, offset);
        add(String(value.length), b);
        value.push(b.value);
      }
      return { value, node: { offset, children }, size, depth: depth + 1 };
    }
    if (!Y.isMap(n)) {
      problems.push(at.problem(offset, 'this value is not plain data'));
      return nothing(offset);
    }
    const value: Record<string, unknown> = {};
    const first = new Map<string, number>();
    for (const pair of n.items) {
      const keyOffset = Y.isNode(pair.key) ? offsetOf(pair.key) : offset;
      const key = keyOf(pair, keyOffset);
      const b = build(pair.value, keyOffset);
      if (key === undefined) continue;
      const why = refusedKey(key);
      const earlier = first.get(key);
      if (why !== undefined) {
        problems.push(at.problem(keyOffset, why));
      } else if (earlier !== undefined) {
        const p = at.position(earlier);
        const message = `duplicate key "${key}" (first at line ${p.line}, column ${p.column})`;
        problems.push(at.problem(keyOffset, message));
      } else {
        first.set(key, keyOffset);
        putOwn(value, key, b.value);
        add(key, b);
      }
    }
    return { value, node: { offset, children }, size, depth: depth + 1 };
  };

  const contents = doc.contents;
  const root = contents === null ? undefined : build(contents, 0);
  return { root, problems };
}

/**
 * Builds a YAML format over the `yaml` package (YAML 1.2, core schema), which it loads on the
 * first parse. Every problem at once, each with line and column. What a config file may hold is
 * plain data, so these are refused where they stand: a second document (`---`); a duplicate key
 * (the message names where the first is); a key through which naive merging reaches
 * `Object.prototype` (`__proto__`, `constructor`, `prototype`); a key that is a collection or
 * null; merge keys (`<<`); tags other than the core ones (`!!binary`, `!!set`, `!!timestamp`,
 * `!custom`; `!!str 12` is fine); an unknown alias; aliases bringing in more than
 * `maxAliasNodes` nodes; nesting deeper than `maxDepth`; characters YAML does not allow (C0
 * controls, NUL); invalid UTF-8 and UTF-16 files. A UTF-8 byte order mark is skipped. The core
 * schema holds even under `%YAML 1.1`, so `yes`/`no`/`on`/`off` are strings. A file of only
 * comments (or nothing) holds no value: every key keeps its default. An alias shares its
 * anchor's value (the same object).
 * @example const yaml = createYamlFormat({ maxAliasNodes: 1000 });
 */
export function createYamlFormat(options?: Partial<YamlFormatOptions>): Format {
  const o = resolveOptions(options);
  return {
    name: 'yaml',
    parse: withWatchedFile(async ({ bytes, file, signal }) => {
      signal.throwIfAborted();
      const decoded = decodeUtf8Text(bytes, file);
      if (isLeft(decoded)) return decoded;
      const text = decoded.right;
      const at = textLocator(text, file);
      const bad = unprintables(text, at);
      if (bad.length > 0) return left(capProblems(bad));
      const Y = await loadYaml();
      signal.throwIfAborted();

      const tokens = Array.from(new Y.Parser().parse(text));
      for (const token of tokens) {
        const deep = tooDeep(token, o.maxDepth);
        if (deep !== undefined) {
          return left([at.problem(deep, `nested more than ${o.maxDepth} deep (maxDepth)`)]);
        }
      }
      const composer = new Y.Composer({
        version: '1.2',
        schema: 'core',
        merge: false,
        uniqueKeys: false,
        resolveKnownTags: false,
        strict: true,
      });
      const docs = Array.from(composer.compose(tokens, true, text.length));
      const doc = docs[0] as Yaml.Document;
      const problems: Problem[] = doc.errors.map((e) => {
        const opened =
          e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? openQuote(tokens) : undefined;
        return at.problem(opened ?? e.pos[0], e.message);
      });
      const second = docs[1];
      if (second !== undefined) {
        const message = 'a second document: a config file holds one YAML document (no second ---)';
        problems.push(at.problem(second.range[0], message));
      }
      const data = plainData(Y, doc, at, o);
      problems.push(...data.problems);
      if (problems.length > 0) {
        return left(
          capProblems(
            problems.sort(
              (a, b) =>
                (a.line as number) - (b.line as number) ||
                (a.column as number) - (b.column as number),
            ),
          ),
        );
      }
      // Unresolved tags are refused above, more plainly than the yaml package's warning says.
      const warnings = doc.warnings
        .filter((w) => w.code !== 'TAG_RESOLVE_FAILED')
        .map((w) => at.problem(w.pos[0], w.message, 'warning'));
      return right(
        textDocument({
          value: data.root?.value,
          root: data.root?.node,
          locator: at,
          file,
          warnings,
        }),
      );
    }),
  };
}

/**
 * YAML 1.2 with positions, for plain-data configs.
 * @example const r = await yamlFormat.parse({ bytes: Buffer.from('pool:\n  max: 10\n'), file: 'app.yaml', signal });
 */
export const yamlFormat: Format = createYamlFormat();
