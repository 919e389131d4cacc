import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Either, isLeft, isRight, left, right } from 'fp-ts/lib/Either.js';
import type { Problem } from '../../lib/core/problem.js';
import type { FormatInput, ParsedDocument } from '../../lib/engine/format.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { withWatchedFile } from '../../lib/formats/with-watched-file.js';
import { yamlFormat } from '../../lib/formats/yaml.js';

// A parse of its own bytes only: one `key=value` per line, a line without `=` refused there.
async function keyValues(
  input: FormatInput,
): Promise<Either<ReadonlyArray<Problem>, ParsedDocument>> {
  const lines = new TextDecoder().decode(input.bytes).split('\n');
  const problems: Problem[] = [];
  const value: Record<string, string> = {};
  for (const [i, text] of lines.entries()) {
    if (text === '') continue;
    const eq = text.indexOf('=');
    if (eq < 0)
      problems.push({
        severity: 'error',
        message: 'expected key=value',
        file: input.file,
        line: i + 1,
        column: 1,
      });
    else value[text.slice(0, eq)] = text.slice(eq + 1);
  }
  if (problems.length > 0) return left(problems);
  return right({
    value,
    locate: () => ({ file: input.file, line: 1, column: 1 }),
    files: [input.file],
    watched: [input.file],
    warnings: [],
  });
}

describe('withWatchedFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-watched-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const input = async (name: string, text: string): Promise<FormatInput> => {
    const file = join(dir, name);
    await writeFile(file, text);
    return { bytes: await readFile(file), file, signal: new AbortController().signal };
  };

  it('turns the problems of a refused file into a failure that watches that file alone', async () => {
    const given = await input('app.kv', 'a=1\nbroken\nb=2\nalso broken\n');
    const r = await withWatchedFile(keyValues)(given);
    assert.ok(isLeft(r));
    assert.deepEqual(r.left, {
      problems: [
        { severity: 'error', message: 'expected key=value', file: given.file, line: 2, column: 1 },
        { severity: 'error', message: 'expected key=value', file: given.file, line: 4, column: 1 },
      ],
      watched: [given.file],
    });
    // Its own bytes are never a policy refusal.
    assert.equal('refused' in r.left, false);
  });

  it('hands a parsed document through unchanged', async () => {
    const given = await input('app.kv', 'a=1\nb=2\n');
    const direct = await keyValues(given);
    const r = await withWatchedFile(keyValues)(given);
    assert.ok(isRight(r) && isRight(direct));
    assert.deepEqual(r.right.value, { a: '1', b: '2' });
    assert.deepEqual(r.right.files, [given.file]);
    assert.deepEqual(r.right.watched, [given.file]);
  });

  it('passes the whole input to the parse, and lets a rejection (an abort) through', async () => {
    const given = await input('app.kv', 'a=1\n');
    const controller = new AbortController();
    const reason = new Error('superseded');
    controller.abort(reason);
    let seen: FormatInput | undefined;
    const parse = withWatchedFile(async (i) => {
      seen = i;
      i.signal.throwIfAborted();
      return keyValues(i);
    });
    await assert.rejects(parse({ ...given, signal: controller.signal }), (e) => e === reason);
    assert.equal(seen?.file, given.file);
    assert.equal(seen?.bytes, given.bytes);
  });

  for (const [format, name, bad] of [
    [jsonFormat, 'app.json', '{\n  "a": 1,,\n}\n'],
    [yamlFormat, 'app.yaml', 'a: [1, 2\n'],
  ] as const) {
    it(`is how ${format.name}Format reports a syntax error: located, watching only the file`, async () => {
      const given = await input(name, bad);
      const r = await format.parse(given);
      assert.ok(isLeft(r));
      assert.deepEqual(r.left.watched, [given.file]);
      assert.ok(r.left.problems.length > 0);
      for (const p of r.left.problems) {
        assert.equal(p.file, given.file);
        assert.equal(typeof p.line, 'number');
        assert.equal(typeof p.column, 'number');
      }
    });
  }
});
