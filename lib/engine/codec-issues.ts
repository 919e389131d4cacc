import type * as t from 'io-ts';
import { describeCodec, joinOr } from './describe-codec.js';

/**
 * One thing a codec refused, said about the data rather than about io-ts's context: where it is
 * (object keys and array indexes only), what was there, and what was wanted.
 * @example const i: CodecIssue = { path: ['pool', 'max'], value: 'ten', expected: 'a number' };
 */
export interface CodecIssue {
  /** Keys and indexes from the document's root; io-ts's union and intersection branches left out. */
  readonly path: ReadonlyArray<string>;
  /** What stands there; `undefined` when nothing does (a missing key). */
  readonly value: unknown;
  /** What the codec wanted there, in words (`a number`, `"a" or "b"`). */
  readonly expected: string;
  /** The codec's own message, when it gave one (`t.failure(u, c, message)`). */
  readonly message?: string;
}

interface Typed {
  readonly _tag?: string;
  readonly tag?: string;
  readonly types?: ReadonlyArray<unknown>;
  readonly props?: Readonly<Record<string, { readonly value?: unknown } | undefined>>;
  readonly type?: unknown;
}

const typed = (c: t.ContextEntry): Typed => c.type as unknown as Typed;
const isBranching = (c: t.ContextEntry | undefined): boolean =>
  c !== undefined && (typed(c)._tag === 'UnionType' || typed(c)._tag === 'IntersectionType');

// Entries after the root name a key or index, except under a union or an intersection, where
// they name the branch that was tried (`'0'`, `'1'`) on the same value.
function dataPath(context: t.Context, end: number): string[] {
  const path: string[] = [];
  for (let i = 1; i < end; i++) {
    const entry = context[i] as t.ContextEntry;
    if (!isBranching(context[i - 1])) path.push(entry.key);
  }
  return path;
}

function firstUnion(context: t.Context, from: number): number {
  for (let i = from; i < context.length - 1; i++) {
    if (typed(context[i] as t.ContextEntry)._tag === 'UnionType') return i;
  }
  // The union itself refused the value (a tagged union's tag matched no branch).
  const last = context.length - 1;
  return last >= from && typed(context[last] as t.ContextEntry)._tag === 'UnionType' ? last : -1;
}

function plainIssue(e: t.ValidationError): Ranked {
  const end = e.context.length;
  const last = e.context[end - 1] as t.ContextEntry;
  const literal = typed(last)._tag === 'LiteralType' ? { literal: true as const } : {};
  return {
    path: dataPath(e.context, end),
    value: e.value,
    expected: describeCodec(last.type),
    ...(e.message === undefined ? {} : { message: e.message }),
    ...literal,
  };
}

// The words for a tagged union's tag: the literal each branch wants there.
function tagWords(union: Typed, tag: string): string {
  const words: string[] = [];
  for (const branch of union.types ?? []) {
    let b = branch as Typed;
    while (b.props === undefined && b.type !== undefined) b = b.type as Typed;
    const literal = b.props?.[tag]?.value;
    if (literal !== undefined) words.push(JSON.stringify(literal));
  }
  return joinOr(words);
}

// Internally an issue remembers whether a literal refused it: a branch that refused a literal (a
// discriminant such as `kind: "circle"`) is very likely not the branch the file meant.
type Ranked = CodecIssue & { readonly literal?: true };

function score(issues: ReadonlyArray<Ranked>): number {
  let s = issues.length;
  for (const i of issues) if (i.literal) s += 1000;
  return s;
}

function resolve(errors: ReadonlyArray<t.ValidationError>, from: number): Ranked[] {
  const out: Ranked[] = [];
  // Errors under one union, in the order met; the union's context entry is shared by all of them.
  const unions = new Map<t.ContextEntry, { at: number; errors: t.ValidationError[] }>();
  const order: Array<t.ValidationError | t.ContextEntry> = [];
  for (const e of errors) {
    const u = firstUnion(e.context, from);
    if (u < 0) {
      order.push(e);
      continue;
    }
    const entry = e.context[u] as t.ContextEntry;
    let group = unions.get(entry);
    if (group === undefined) {
      group = { at: u, errors: [] };
      unions.set(entry, group);
      order.push(entry);
    }
    group.errors.push(e);
  }
  for (const item of order) {
    const group = 'context' in item ? undefined : unions.get(item);
    if (group === undefined) {
      out.push(plainIssue(item as t.ValidationError));
      continue;
    }
    out.push(...resolveUnion(item as t.ContextEntry, group.at, group.errors));
  }
  return out;
}

function resolveUnion(
  entry: t.ContextEntry,
  at: number,
  errors: ReadonlyArray<t.ValidationError>,
): Ranked[] {
  const union = typed(entry);
  const first = errors[0] as t.ValidationError;
  const path = dataPath(first.context, at + 1);
  const whole: Ranked = { path, value: entry.actual, expected: describeCodec(entry.type) };
  const branches = new Map<string, t.ValidationError[]>();
  for (const e of errors) {
    if (e.context.length === at + 1) {
      // A tagged union refuses at its own level: the value is no object, or its tag fits no branch.
      const tag = union.tag;
      const actual = entry.actual;
      if (tag === undefined || typeof actual !== 'object' || actual === null) return [whole];
      return [
        {
          path: [...path, tag],
          value: (actual as Record<string, unknown>)[tag],
          expected: tagWords(union, tag),
        },
      ];
    }
    const key = (e.context[at + 1] as t.ContextEntry).key;
    branches.set(key, [...(branches.get(key) ?? []), e]);
  }
  let best: Ranked[] | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const branchErrors of branches.values()) {
    const issues = resolve(branchErrors, at + 2);
    // A branch whose every issue lies below the union's value took the value's shape: it is the
    // one the file meant, and its issues say more than "expected a or b".
    if (!issues.every((i) => i.path.length > path.length)) continue;
    const s = score(issues);
    if (s < bestScore) {
      best = issues;
      bestScore = s;
    }
  }
  return best ?? [whole];
}

/**
 * io-ts's errors as issues about the data: one per place, with the path of keys and indexes;
 * for a union, the issues of the branch the value most likely meant (the one that took the
 * value's shape and has the fewest issues, a refused discriminant literal counting heavily), or
 * one issue naming every branch when none took its shape.
 * @example
 * const r = t.type({ pool: t.type({ max: t.number }) }).decode({ pool: { max: 'ten' } });
 * if (isLeft(r)) codecIssues(r.left) // [{ path: ['pool', 'max'], value: 'ten', expected: 'a number' }]
 */
export function codecIssues(errors: t.Errors): CodecIssue[] {
  return resolve(errors, 0).map(({ literal: _, ...issue }) => issue);
}
