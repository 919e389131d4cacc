import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import { formatProblem } from '../../lib/core/problem.js';
import { maxProblems } from '../../lib/formats/cap-problems.js';
import { createJsonFormat, jsoncFormat, jsonFormat } from '../../lib/formats/json.js';
import {
  holdsRefusedKey,
  offsetAt,
  parse,
  parsed,
  pathsOf,
  problemsOf,
  refused,
} from '../support/formats.js';

const FILE = 'app.json';

describe('jsonFormat', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-json-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real file into plain data, naming the file it read', async () => {
    const path = join(dir, 'app.json');
    await writeFile(
      path,
      '{\n  "server": { "port": 8080 },\n  "features": ["a", "b"],\n  "debug": false,\n  "ratio": -1.5e3,\n  "none": null\n}\n',
    );
    const doc = await parsed(jsonFormat, await readFile(path), path);
    assert.deepEqual(doc.value, {
      server: { port: 8080 },
      features: ['a', 'b'],
      debug: false,
      ratio: -1500,
      none: null,
    });
    assert.deepEqual(doc.files, [path]);
    assert.deepEqual(doc.watched, [path]);
    assert.deepEqual(doc.warnings, []);
    assert.equal(jsonFormat.name, 'json');
  });

  it('locates a value at its first character, an absent path at its nearest present parent', async () => {
    const text = '{\n  "server": {\n    "port": 8080\n  },\n  "features": ["a", "b"]\n}\n';
    const doc = await parsed(jsonFormat, text, FILE);
    assert.deepEqual(doc.locate(['server', 'port']), { file: FILE, line: 3, column: 13 });
    assert.deepEqual(doc.locate(['features', 1]), { file: FILE, line: 5, column: 21 });
    assert.deepEqual(doc.locate(['features', '1']), { file: FILE, line: 5, column: 21 });
    assert.deepEqual(doc.locate([]), { file: FILE, line: 1, column: 1 });
    // A missing key points at the object that should hold it.
    assert.deepEqual(doc.locate(['server', 'host']), { file: FILE, line: 2, column: 13 });
    assert.deepEqual(doc.locate(['nope', 'deeper']), { file: FILE, line: 1, column: 1 });
    assert.deepEqual(doc.locate(['features', 7]), { file: FILE, line: 5, column: 15 });
  });

  it('counts CRLF and lone CR as one line break each', async () => {
    const doc = await parsed(jsonFormat, '{\r\n"a":\r1,\r\n"b": 2}', FILE);
    assert.deepEqual(doc.locate(['a']), { file: FILE, line: 3, column: 1 });
    assert.deepEqual(doc.locate(['b']), { file: FILE, line: 4, column: 6 });
  });

  it('agrees with JSON.parse on every JSON value, and locates every path at its value (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(0, 2), async (v, indent) => {
        fc.pre(!holdsRefusedKey(v));
        const text = JSON.stringify(v, null, indent);
        const doc = await parsed(jsonFormat, text, FILE);
        assert.deepStrictEqual(doc.value, JSON.parse(text));
        for (const { path, value } of pathsOf(JSON.parse(text))) {
          const at = doc.locate(path);
          assert.ok(at !== undefined);
          const rest = text.slice(offsetAt(text, at));
          if (indent === 0) assert.ok(rest.startsWith(JSON.stringify(value)), `${path} at ${rest}`);
          else assert.equal(rest[0], (JSON.stringify(value) as string)[0]);
        }
      }),
    );
  });

  it('accepts exactly what JSON.parse accepts, on token soup (property)', async () => {
    const token = fc.constantFrom(
      ...['{', '}', '[', ']', ',', ':', '"a"', '"b"', '"\\u00e9"', '"\\q"', '1', '-', '0', '.5'],
      ...['e3', 'true', 'nul', 'null', ' ', '\n', '\t', '"', '\\', 'x', '//', '/*', "'"],
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 12 }), async (tokens) => {
        const text = tokens.join('');
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        const r = await parse(jsonFormat, text, FILE);
        if (isLeft(r)) {
          const duplicate = r.left.every((p) => p.message.startsWith('duplicate key'));
          assert.ok(!valid || duplicate, `refused valid JSON ${JSON.stringify(text)}`);
          for (const p of r.left) assert.ok((p.line ?? 0) >= 1 && (p.column ?? 0) >= 1);
        } else {
          assert.ok(valid, `accepted invalid JSON ${JSON.stringify(text)}`);
          assert.deepStrictEqual(r.right.value, expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reports every syntax error at once, each at its line and column', async () => {
    const text = '{\n  "a": 1\n  "b": 2,\n  "c": tru,\n  "d": [1, 2,],\n  \'e\': 3\n}\n';
    assert.deepEqual(await refused(jsonFormat, text, FILE), [
      "app.json:3:3: expected ',' or '}'",
      'app.json:4:8: unexpected "tru"',
      'app.json:5:13: trailing comma: JSON allows none after the last member',
      "app.json:6:3: unexpected 'e': JSON strings take double quotes",
    ]);
  });

  it('says what is wrong in words, for each kind of syntax error', async () => {
    const cases: Array<[string, string]> = [
      ['{"a": 1,}', 'app.json:1:8: trailing comma: JSON allows none after the last member'],
      [
        '{"a": 1 // note\n}',
        'app.json:1:9: comments are not allowed in JSON (jsoncFormat allows them)',
      ],
      [
        '{"a": 1 /* note */}',
        'app.json:1:9: comments are not allowed in JSON (jsoncFormat allows them)',
      ],
      ['{"a": 01}', 'app.json:1:7: invalid number: JSON numbers have no leading zero'],
      ['{"a": 1.}', 'app.json:1:7: invalid number "1."'],
      [
        '{"a": "x\ty"}',
        'app.json:1:9: control character in a string: write it as an escape (\\t, \\n, \\u0000)',
      ],
      [
        '{"a": "ok\\q"}',
        'app.json:1:10: invalid escape: JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u with four hex digits',
      ],
      [
        '{"a": "\\u12"}',
        'app.json:1:8: invalid escape: JSON knows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u with four hex digits',
      ],
      ['{"a"  1}', "app.json:1:7: expected ':' after the key"],
      ['[1 2]', "app.json:1:4: expected ',' or ']'"],
      ['{"a": 1}}', 'app.json:1:9: expected the end of the file: a JSON file holds one value'],
      ['{"a": 1} {}', 'app.json:1:10: expected the end of the file: a JSON file holds one value'],
      [
        '{"a": "open',
        "app.json:1:7: unterminated string: expected '\"' before the end of the line",
      ],
      ['{"a": NaN}', 'app.json:1:7: unexpected "NaN"'],
      [
        '{"a":\u00a01}',
        'app.json:1:6: unexpected U+00A0: JSON allows only spaces, tabs and line breaks between values',
      ],
      ['{"a": \u0000}', 'app.json:1:7: unexpected character U+0000'],
      ['{"a": 1', "app.json:1:8: expected '}' to close the object"],
      ['{"a":}', 'app.json:1:6: expected a value'],
      ['{1: 2}', 'app.json:1:2: expected a key in double quotes'],
      ['', 'app.json:1:1: the file is empty: a JSON file holds a value ({} for all defaults)'],
      [' \n\t', 'app.json:2:2: the file is empty: a JSON file holds a value ({} for all defaults)'],
    ];
    for (const [text, problem] of cases) {
      assert.deepEqual(await refused(jsonFormat, text, FILE), [problem], JSON.stringify(text));
    }
  });

  it('refuses a duplicate key, naming where the first one is', async () => {
    const text = '{\n  "port": 80,\n  "pool": { "max": 1, "max": 2 },\n  "port": 81\n}';
    assert.deepEqual(await refused(jsonFormat, text, FILE), [
      'app.json:3:23: duplicate key "max" (first at line 3, column 13)',
      'app.json:4:3: duplicate key "port" (first at line 2, column 3)',
    ]);
    // The same key in two different objects is no duplicate.
    assert.deepEqual((await parsed(jsonFormat, '[{"a": 1}, {"a": 2}]', FILE)).value, [
      { a: 1 },
      { a: 2 },
    ]);
  });

  it("refuses a number past a double's range, which JSON.parse would read as Infinity", async () => {
    const text = '{\n  "timeout": 1e400,\n  "floor": [-2e308, 1.7976931348623157e308]\n}';
    assert.equal(JSON.parse(text).timeout, Number.POSITIVE_INFINITY);
    assert.deepEqual(await refused(jsonFormat, text, FILE), [
      'app.json:2:14: number 1e400 is out of range (it reads as Infinity)',
      'app.json:3:13: number -2e308 is out of range (it reads as -Infinity)',
    ]);
  });

  it('names the first key of the object the duplicate is in, even one under a repeated key', async () => {
    // The second "a" holds the object: the first "x" is in it, not under the first "a".
    assert.deepEqual(await refused(jsonFormat, '{"a": 1, "a": [{"x": 1, "x": 2}]}', FILE), [
      'app.json:1:10: duplicate key "a" (first at line 1, column 2)',
      'app.json:1:25: duplicate key "x" (first at line 1, column 17)',
    ]);
    // A key written without a value is no duplicate, but is the first that a later one names.
    assert.deepEqual(await refused(jsonFormat, '{"a": , "a": 1, "a": 2}', FILE), [
      'app.json:1:7: expected a value',
      'app.json:1:17: duplicate key "a" (first at line 1, column 2)',
    ]);
  });

  it('refuses a key repeated 40,000 times after 40,000 others, each time naming the first', async () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `"k${i}":0`);
    const text = `{"a":{${[...keys, ...Array(40_000).fill('"k39999":0')].join(',')}}}`;
    assert.ok(text.length > 850_000);
    const first = text.indexOf('"k39999"') + 1;
    // Each repeat is `"k39999":0,` (11 characters) after the one before.
    const repeat = (i: number) => first + 11 * (i + 1);
    const shown = Array.from(
      { length: maxProblems },
      (_, i) =>
        `app.json:1:${repeat(i)}: duplicate key "k39999" (first at line 1, column ${first})`,
    );
    assert.deepEqual((await problemsOf(jsonFormat, text, FILE)).map(formatProblem), [
      ...shown,
      `app.json:1:${repeat(maxProblems)}: ${40_000 - maxProblems} more problems not shown`,
    ]);
  });

  it('refuses a duplicate in each of 40,000 objects of one object, each naming its own first', async () => {
    const members = Array.from({ length: 40_000 }, (_, i) => `"k${i}":{"d":0,"d":1}`);
    const text = `{${members.join(',')}}`;
    // The first "d" of member i, then the second six characters on (`"d":0,`).
    const d = (i: number) => text.indexOf(`"k${i}":`) + `"k${i}":{`.length + 1;
    const shown = Array.from(
      { length: maxProblems },
      (_, i) => `app.json:1:${d(i) + 6}: duplicate key "d" (first at line 1, column ${d(i)})`,
    );
    assert.deepEqual((await problemsOf(jsonFormat, text, FILE)).map(formatProblem), [
      ...shown,
      `app.json:1:${d(maxProblems) + 6}: ${40_000 - maxProblems} more problems not shown`,
    ]);
  });

  it('refuses __proto__, constructor and prototype keys, at any depth, and pollutes nothing', async () => {
    const text =
      '{"__proto__": {"polluted": 1}, "a": {"constructor": {"prototype": {"polluted": 1}}}}';
    assert.deepEqual(await refused(jsonFormat, text, FILE), [
      'app.json:1:2: the key "__proto__" is refused: through it, code that merges objects could change every object\'s prototype',
      'app.json:1:38: the key "constructor" is refused: through it, code that merges objects could change every object\'s prototype',
      'app.json:1:54: the key "prototype" is refused: through it, code that merges objects could change every object\'s prototype',
    ]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // Other names that Object.prototype has are ordinary keys, and own properties.
    const doc = await parsed(jsonFormat, '{"toString": 1, "hasOwnProperty": 2}', FILE);
    assert.deepEqual(doc.value, { toString: 1, hasOwnProperty: 2 });
  });

  it('refuses nesting past maxDepth before parsing, even a million deep, without a stack overflow', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.ok((await parsed(jsonFormat, deep(100), FILE)).value);
    assert.deepEqual(await refused(jsonFormat, deep(101), FILE), [
      'app.json:1:101: nested more than 100 deep (maxDepth)',
    ]);
    assert.deepEqual(await refused(jsonFormat, `{"a":${'{"a":'.repeat(1_000_000)}1`, FILE), [
      'app.json:1:501: nested more than 100 deep (maxDepth)',
    ]);
    const shallow = createJsonFormat({ maxDepth: 2 });
    assert.deepEqual(await refused(shallow, '{"a": {"b": {"c": 1}}}', FILE), [
      'app.json:1:13: nested more than 2 deep (maxDepth)',
    ]);
  });

  it('reads a large file (a 2 MB array, 200,000 members)', async () => {
    const values = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `v${i}` }));
    const text = JSON.stringify(values);
    assert.ok(text.length > 2_000_000);
    const doc = await parsed(jsonFormat, text, FILE);
    assert.deepStrictEqual(doc.value, values);
    const at = doc.locate([199_999, 's']);
    assert.ok(at !== undefined);
    assert.ok(text.slice(offsetAt(text, at)).startsWith('"v199999"'));
  });

  it('skips a UTF-8 byte order mark, columns counting from the character after it', async () => {
    const doc = await parsed(jsonFormat, Buffer.from('\ufeff{"a": 1}', 'utf8'), FILE);
    assert.deepEqual(doc.value, { a: 1 });
    assert.deepEqual(doc.locate(['a']), { file: FILE, line: 1, column: 7 });
  });

  it('refuses UTF-16 and invalid UTF-8, at the line and column of the first bad byte', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]);
    assert.deepEqual(await refused(jsonFormat, utf16, FILE), [
      'app.json:1:1: the file is UTF-16 or UTF-32 (it starts with a byte order mark): save it as UTF-8',
    ]);
    const bad = Buffer.concat([
      Buffer.from('{\n  "name": "caf', 'utf8'),
      Buffer.from([0xe9]),
      Buffer.from('"\n}'),
    ]);
    assert.deepEqual(await refused(jsonFormat, bad, FILE), [
      'app.json:2:15: invalid UTF-8 (byte 0xe9): the file must be saved as UTF-8',
    ]);
  });

  it('never throws on garbage bytes, and caps the problems it lists (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const r = await parse(jsonFormat, bytes, FILE);
        if (isLeft(r)) {
          assert.ok(r.left.length >= 1 && r.left.length <= maxProblems + 1);
          for (const p of r.left)
            assert.ok(p.file === FILE && (p.line ?? 0) >= 1 && (p.column ?? 0) >= 1);
        }
      }),
    );
    const noise = `[\n${Array.from({ length: 200 }, (_, i) => `x${i},`).join('\n')}\n1]`;
    const problems = await problemsOf(jsonFormat, noise, FILE);
    assert.equal(problems.length, maxProblems + 1);
    assert.equal(problems[maxProblems]?.message, `${200 - maxProblems} more problems not shown`);
    assert.equal(problems[maxProblems]?.line, maxProblems + 2);
  });

  it('rejects with the reason once the signal is aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('newer version');
    controller.abort(reason);
    await assert.rejects(
      async () =>
        jsonFormat.parse({ bytes: Buffer.from('{}'), file: FILE, signal: controller.signal }),
      (e) => e === reason,
    );
  });

  it('throws a TypeError for an unknown or invalid option', () => {
    assert.throws(
      () => createJsonFormat({ comment: true } as never),
      /unknown JSON format option 'comment'/,
    );
    assert.throws(
      () => createJsonFormat({ maxDepth: 0 }),
      /maxDepth must be an integer >= 1, got 0/,
    );
  });
});

describe('jsoncFormat', () => {
  it('accepts comments and trailing commas, with positions unchanged', async () => {
    const text = '{\n  // the port\n  "port": 80, /* web */\n  "tags": ["a",],\n}\n';
    const doc = await parsed(jsoncFormat, text, 'app.jsonc');
    assert.deepEqual(doc.value, { port: 80, tags: ['a'] });
    assert.deepEqual(doc.locate(['port']), { file: 'app.jsonc', line: 3, column: 11 });
    assert.equal(jsoncFormat.name, 'jsonc');
  });

  it('still refuses what JSONC does not allow', async () => {
    assert.deepEqual(await refused(jsoncFormat, '{"a": 1 /* open', 'app.jsonc'), [
      "app.jsonc:1:9: unterminated comment: expected '*/'",
    ]);
    assert.deepEqual(await refused(jsoncFormat, '{"a": 1, "a": 2}', 'app.jsonc'), [
      'app.jsonc:1:10: duplicate key "a" (first at line 1, column 2)',
    ]);
  });

  it('can allow comments without trailing commas', async () => {
    const comments = createJsonFormat({ comments: true });
    assert.deepEqual((await parsed(comments, '{"a": 1 // x\n}', FILE)).value, { a: 1 });
    assert.deepEqual(await refused(comments, '{"a": 1,}', FILE), [
      'app.json:1:8: trailing comma: JSON allows none after the last member',
    ]);
  });
});
