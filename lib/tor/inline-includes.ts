// A torrc for etcd must be whole: a host reading it from etcd has no files beside it to follow a
// `%include` to. So a push names every `%include` line, or inlines what each one includes, read
// exactly as the watcher reads it (resolveTorrcDocument: same order, same file policy). The main
// file's own lines stay as written; only the `%include` lines are replaced, and the result is
// parsed again and must give the very entries the original gave, or it is refused.
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import type { FilePolicy } from '../sources/file-policy.js';
import { problemOf } from './config-file.js';
import { resolveTorrcDocument } from './include.js';
import { quoteTorrcValue } from './schema/values/text.js';
import { includeKeyword, parseTorrcEntries, type TorrcEntry } from './torrc.js';

/**
 * The `%include` lines of a torrc's main text, each an error at its line. Text that does not
 * parse has none here (its load says what is wrong).
 * @example findTorrcIncludes('%include torrc.d\n', '/etc/tor/torrc')[0]?.line // 1
 */
export function findTorrcIncludes(text: string, file: string): ReadonlyArray<Problem> {
  const entries = parseTorrcEntries(text, { file });
  if (isLeft(entries)) return [];
  return entries.right
    .filter((e) => e.key === includeKeyword)
    .map((e) => ({
      severity: 'error',
      message: `%include ${JSON.stringify(e.value)}: a host cannot read it from etcd (push --inline-includes puts what it includes in its place)`,
      file,
      line: e.line,
    }));
}

const prefix = { set: '', append: '+', clear: '/' } as const;

// One entry as a torrc line that parses back to it.
function entryLine(e: TorrcEntry): string {
  return e.op === 'clear' ? `/${e.key}` : `${prefix[e.op]}${e.key} ${quoteTorrcValue(e.value)}`;
}

const same = (a: ReadonlyArray<TorrcEntry>, b: ReadonlyArray<TorrcEntry>): boolean =>
  a.length === b.length &&
  a.every((e, i) => {
    const f = b[i] as TorrcEntry;
    return e.key === f.key && e.value === f.value && e.op === f.op;
  });

/**
 * `text` (the torrc `file`) with each `%include` line replaced by the entries it includes, under
 * a comment naming the include and each file. Included files are read under `policy`, as the
 * watcher reads them. A Left names the line that failed: a missing or refused include, or one
 * whose inlining would not parse back to the same entries (a `%include` continued over lines).
 * @example const r = await inlineTorrcIncludes('%include torrc.d\n', '/etc/tor/torrc', policy);
 */
export async function inlineTorrcIncludes(
  text: string,
  file: string,
  policy: FilePolicy,
): Promise<Either<ReadonlyArray<Problem>, string>> {
  const own = parseTorrcEntries(text, { file });
  if (isLeft(own)) return left([problemOf(own.left)]);
  const includes = own.right.filter((e) => e.key === includeKeyword);
  if (includes.length === 0) return right(text);
  const doc = await resolveTorrcDocument(text, file, policy);
  if (isLeft(doc)) return left([problemOf(doc.left)]);
  const { entries, files } = doc.right;
  const main = files[0] ?? file;
  // The resolved entries, in Tor's order: the main file's own, and between them the runs an
  // include brought in. A run goes to the first of the includes since the last own entry (two
  // includes in a row share one run, in the same order, so the text means the same).
  const runs = new Map<TorrcEntry, TorrcEntry[]>();
  let pending: TorrcEntry[] = [];
  let j = 0;
  const take = (until: TorrcEntry | undefined) => {
    const run: TorrcEntry[] = [];
    while (j < entries.length) {
      const e = entries[j] as TorrcEntry;
      if (until !== undefined && e.file === main && e.line === until.line) break;
      run.push(e);
      j++;
    }
    for (const [i, inc] of pending.entries()) runs.set(inc, i === 0 ? run : []);
    pending = [];
  };
  for (const e of own.right) {
    if (e.key === includeKeyword) {
      pending.push(e);
      continue;
    }
    if (pending.length > 0) take(e);
    j++;
  }
  if (pending.length > 0) take(undefined);
  const lines = text.split('\n');
  for (const inc of includes) {
    const run = runs.get(inc) ?? [];
    const from = [...new Set(run.map((e) => e.file))];
    lines[inc.line - 1] = [
      `# ${includeKeyword} ${JSON.stringify(inc.value)}, inlined by hotrc push${from.length === 0 ? ' (it includes nothing)' : ` from ${from.map((f) => JSON.stringify(f)).join(', ')}`}`,
      ...run.map(entryLine),
    ].join('\n');
  }
  const inlined = lines.join('\n');
  const again = parseTorrcEntries(inlined, { file });
  if (isLeft(again) || !same(again.right, entries)) {
    const first = includes[0] as TorrcEntry;
    return left([
      {
        severity: 'error',
        message: `%include ${JSON.stringify(first.value)}: cannot inline it so that it means the same (write each %include on one line of its own)`,
        file,
        line: first.line,
      },
    ]);
  }
  return right(inlined);
}
