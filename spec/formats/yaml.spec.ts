import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as Y from 'yaml';
import { formatProblem } from '../../lib/core/problem.js';
import { maxProblems } from '../../lib/formats/cap-problems.js';
import { textLocator } from '../../lib/formats/text-document.js';
import {
  createYamlFormat,
  defaultYamlFormatOptions,
  plainData,
  yamlFormat,
} from '../../lib/formats/yaml.js';
import { tsxScriptOutput } from '../support/cli.js';
import {
  holdsRefusedKey,
  offsetAt,
  parse,
  parsed,
  pathsOf,
  problemsOf,
  refused,
} from '../support/formats.js';

const FILE = 'app.yaml';
const refusedTag = (tag: string) =>
  `the tag ${tag} is not supported: a config holds plain data (maps, lists, strings, numbers, booleans, null)`;

describe('yamlFormat', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-yaml-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real file into plain data, naming the file it read', async () => {
    const path = join(dir, 'app.yaml');
    await writeFile(
      path,
      [
        '# app.yaml',
        'server:',
        '  port: 8080',
        '  host: "::1"',
        'features: [a, b]',
        'pool:',
        '  min: 2',
        '  max: 0x10',
        'ratio: -1.5e3',
        'debug: false',
        'none: ~',
        'empty:',
        'text: |',
        '  two',
        '  lines',
        '',
      ].join('\n'),
    );
    const doc = await parsed(yamlFormat, await readFile(path), path);
    assert.deepStrictEqual(doc.value, {
      server: { port: 8080, host: '::1' },
      features: ['a', 'b'],
      pool: { min: 2, max: 16 },
      ratio: -1500,
      debug: false,
      none: null,
      empty: null,
      text: 'two\nlines\n',
    });
    assert.deepEqual(doc.files, [path]);
    assert.deepEqual(doc.watched, [path]);
    assert.deepEqual(doc.warnings, []);
    assert.equal(yamlFormat.name, 'yaml');
  });

  it('locates a value at its first character, an absent path at its nearest present parent', async () => {
    const text = 'server:\n  port: 8080\nlist:\n  - x\n  - {k: v}\npool:\n  max: ten\n';
    const doc = await parsed(yamlFormat, text, FILE);
    assert.deepEqual(doc.locate(['pool', 'max']), { file: FILE, line: 7, column: 8 });
    assert.deepEqual(doc.locate(['server', 'port']), { file: FILE, line: 2, column: 9 });
    assert.deepEqual(doc.locate(['list', 1, 'k']), { file: FILE, line: 5, column: 9 });
    assert.deepEqual(doc.locate(['list', '0']), { file: FILE, line: 4, column: 5 });
    // A missing key points at the map that should hold it: a block map starts at its first key.
    assert.deepEqual(doc.locate(['server', 'host']), { file: FILE, line: 2, column: 3 });
    assert.deepEqual(doc.locate(['list', 1, 'other']), { file: FILE, line: 5, column: 5 });
    assert.deepEqual(doc.locate(['nope']), { file: FILE, line: 1, column: 1 });
  });

  it('reads any JSON text as YAML 1.2 does, and locates every path at its value (property)', async () => {
    // YAML limits an implicit key to 1024 characters; JSON's keys here stay well under it.
    const json = fc.jsonValue({ maxDepth: 4 });
    await fc.assert(
      fc.asyncProperty(json, fc.constantFrom(0, 2), async (v, indent) => {
        fc.pre(!holdsRefusedKey(v));
        const text = JSON.stringify(v, null, indent);
        const expected = JSON.parse(text);
        const doc = await parsed(yamlFormat, text, FILE);
        assert.deepStrictEqual(doc.value, expected);
        for (const { path, value } of pathsOf(expected)) {
          const at = doc.locate(path);
          assert.ok(at !== undefined);
          assert.equal(text[offsetAt(text, at)], (JSON.stringify(value) as string)[0], `${path}`);
        }
      }),
    );
  });

  it('reports every problem at once, each at its line and column', async () => {
    const text = [
      'a: 1',
      'a: 2',
      'b: !!binary aGVsbG8=',
      'c:',
      '\t- x',
      '__proto__: {}',
      'd: *nowhere',
      '',
    ].join('\n');
    assert.deepEqual(await refused(yamlFormat, text, FILE), [
      'app.yaml:2:1: duplicate key "a" (first at line 1, column 1)',
      `app.yaml:3:13: ${refusedTag('!!binary')}`,
      'app.yaml:5:1: Tabs are not allowed as indentation',
      'app.yaml:6:1: the key "__proto__" is refused: through it, code that merges objects could change every object\'s prototype',
      'app.yaml:7:4: unknown alias *nowhere',
    ]);
  });

  it('reports syntax errors with line and column', async () => {
    // A quoted scalar may span lines, so it is missed only at the end; the problem says where it opens.
    assert.deepEqual(await refused(yamlFormat, 'a: 1\nb: "open\nc: 1\n', FILE), [
      'app.yaml:2:4: Missing closing "quote',
    ]);
    assert.deepEqual(await refused(yamlFormat, "a: 1\nb: ['x', 'open]\n", FILE), [
      "app.yaml:2:10: Missing closing 'quote",
      'app.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(await refused(yamlFormat, 'a: [1, 2\nb: {x: 1\n', FILE), [
      'app.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'app.yaml:3:1: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
    assert.deepEqual(await refused(yamlFormat, 'a: b: c\n', FILE), [
      'app.yaml:1:4: Nested mappings are not allowed in compact mappings',
    ]);
  });

  it('refuses a duplicate key, naming where the first one is, whatever the scalar style', async () => {
    assert.deepEqual(await refused(yamlFormat, 'pool:\n  max: 1\n  "max": 2\n', FILE), [
      'app.yaml:3:3: duplicate key "max" (first at line 2, column 3)',
    ]);
    // 1 and "1" are one key in a JavaScript object.
    assert.deepEqual(await refused(yamlFormat, '{1: a, "1": b}', FILE), [
      'app.yaml:1:8: duplicate key "1" (first at line 1, column 2)',
    ]);
    assert.deepEqual((await parsed(yamlFormat, '- {a: 1}\n- {a: 2}\n', FILE)).value, [
      { a: 1 },
      { a: 2 },
    ]);
  });

  it('refuses __proto__, constructor and prototype keys, at any depth, and pollutes nothing', async () => {
    const text =
      '__proto__:\n  polluted: 1\na:\n  constructor:\n    prototype:\n      polluted: 1\n';
    const why = `is refused: through it, code that merges objects could change every object's prototype`;
    assert.deepEqual(await refused(yamlFormat, text, FILE), [
      `app.yaml:1:1: the key "__proto__" ${why}`,
      `app.yaml:4:3: the key "constructor" ${why}`,
      `app.yaml:5:5: the key "prototype" ${why}`,
    ]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const doc = await parsed(yamlFormat, 'toString: 1\nhasOwnProperty: 2\n', FILE);
    assert.deepEqual(doc.value, { toString: 1, hasOwnProperty: 2 });
  });

  it('refuses an alias bomb ("billion laughs") at the alias that crosses the limit', async () => {
    const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const problems = await refused(yamlFormat, `${lines.join('\n')}\n`, FILE);
    assert.deepEqual(problems, [
      'app.yaml:5:8: aliases bring in more than 10000 nodes (maxAliasNodes): refused as an alias bomb',
    ]);
    // A few aliases of a small anchor are fine, and share their anchor's value.
    const doc = await parsed(yamlFormat, 'base: &b {retries: 3}\nx: *b\ny: *b\n', FILE);
    assert.deepEqual(doc.value, { base: { retries: 3 }, x: { retries: 3 }, y: { retries: 3 } });
    // An alias locates where it is written; inside it, where its anchor's members are.
    assert.deepEqual(doc.locate(['y']), { file: FILE, line: 3, column: 4 });
    assert.deepEqual(doc.locate(['y', 'retries']), { file: FILE, line: 1, column: 20 });
    const strict = createYamlFormat({ maxAliasNodes: 3 });
    assert.deepEqual(await refused(strict, 'base: &b {retries: 3}\nx: *b\ny: *b\n', FILE), [
      'app.yaml:3:4: aliases bring in more than 3 nodes (maxAliasNodes): refused as an alias bomb',
    ]);
  });

  it('reads 20,000 aliases of one anchor, each where it is written', async () => {
    const n = 20_000;
    const text = `x: &a 1\na: [${Array(n).fill('*a').join(',')}]\n`;
    const doc = await parsed(createYamlFormat({ maxAliasNodes: n }), text, FILE);
    assert.deepStrictEqual(doc.value, { x: 1, a: Array(n).fill(1) });
    // `a: [` then three characters an alias.
    assert.deepEqual(doc.locate(['a', n - 1]), { file: FILE, line: 2, column: 5 + 3 * (n - 1) });
  });

  it('refuses 100,000 aliases at the one that passes maxAliasNodes', async () => {
    const text = `x: &a 1\na: [${Array(100_000).fill('*a').join(',')}]\n`;
    // Each alias of a scalar brings in one node: the 10,001st passes the limit.
    assert.deepEqual(await refused(yamlFormat, text, FILE), [
      `app.yaml:2:${5 + 3 * 10_000}: aliases bring in more than 10000 nodes (maxAliasNodes): refused as an alias bomb`,
    ]);
  });

  it('reads each list member at most twice however many aliases it holds, past maxAliasNodes too', () => {
    // Resolving each alias by a walk of the document, as the yaml package's Alias.resolve does,
    // reads every member once per alias (n^2): here each read of a member is counted.
    const aliases = (n: number, maxAliasNodes: number) => {
      const text = `x: &a 1\na: [${Array(n).fill('*a').join(',')}]\n`;
      const doc = Y.parseDocument(text, { version: '1.2', merge: false, uniqueKeys: false });
      const list = doc.get('a', true) as Y.YAMLSeq;
      let reads = 0;
      list.items = new Proxy(list.items, {
        get(items, key, receiver) {
          if (typeof key === 'string' && /^[0-9]+$/.test(key)) reads++;
          return Reflect.get(items, key, receiver);
        },
      });
      const options = { ...defaultYamlFormatOptions, maxAliasNodes };
      const { root, problems } = plainData(Y, doc, textLocator(text, FILE), options);
      return { reads, value: root?.value, problems: problems.map(formatProblem) };
    };
    // Once to find which anchor each alias names, once to build the list.
    const accepted = aliases(2000, 2000);
    assert.ok(accepted.reads <= 2 * 2000, `${accepted.reads} reads of 2000 members`);
    assert.deepStrictEqual(accepted.value, { x: 1, a: Array(2000).fill(1) });
    assert.deepEqual(accepted.problems, []);
    const bomb = aliases(20_000, 2000);
    assert.ok(bomb.reads <= 2 * 20_000, `${bomb.reads} reads of 20,000 members`);
    assert.deepEqual(bomb.problems, [
      `app.yaml:2:${5 + 3 * 2000}: aliases bring in more than 2000 nodes (maxAliasNodes): refused as an alias bomb`,
    ]);
  });

  it('refuses an alias inside the node it names, and an alias to no anchor', async () => {
    assert.deepEqual(await refused(yamlFormat, 'a: &x [*x]\n', FILE), [
      'app.yaml:1:8: the alias *x is inside the node it names',
    ]);
    assert.deepEqual(await refused(yamlFormat, 'a: *later\nb: &later 1\n', FILE), [
      'app.yaml:1:4: unknown alias *later',
    ]);
  });

  it('refuses tags that make non-plain data, and keeps the core ones', async () => {
    const text =
      'a: !!binary aGVsbG8=\nb: !!set {x}\nc: !custom bar\nd: !!timestamp 2001-12-14\ne: !!omap [a: 1]\n';
    assert.deepEqual(await refused(yamlFormat, text, FILE), [
      `app.yaml:1:13: ${refusedTag('!!binary')}`,
      `app.yaml:2:10: ${refusedTag('!!set')}`,
      `app.yaml:3:12: ${refusedTag('!custom')}`,
      `app.yaml:4:16: ${refusedTag('!!timestamp')}`,
      `app.yaml:5:11: ${refusedTag('!!omap')}`,
    ]);
    const doc = await parsed(
      yamlFormat,
      'a: !!str 12\nb: !!int "3"\nc: !!map {x: 1}\nd: !!seq [1]\n',
      FILE,
    );
    assert.deepStrictEqual(doc.value, { a: '12', b: 3, c: { x: 1 }, d: [1] });
  });

  it('keeps the YAML 1.2 core schema even under %YAML 1.1: yes, on and dates stay strings', async () => {
    const doc = await parsed(
      yamlFormat,
      '%YAML 1.1\n---\na: yes\nb: on\nc: 2001-12-14\nd: 0777\n',
      FILE,
    );
    assert.deepStrictEqual(doc.value, { a: 'yes', b: 'on', c: '2001-12-14', d: 777 });
  });

  it('refuses merge keys, and keys that are collections or null', async () => {
    assert.deepEqual(await refused(yamlFormat, 'base: &b {x: 1}\nc:\n  <<: *b\n', FILE), [
      'app.yaml:3:3: merge keys (<<) are not supported: write the keys out',
    ]);
    const notAKey =
      'a key must be a string, a number or a boolean (not empty, null or a collection)';
    assert.deepEqual(await refused(yamlFormat, '[a, b]: 1\n~: 2\n', FILE), [
      `app.yaml:1:1: ${notAKey}`,
      `app.yaml:2:1: ${notAKey}`,
    ]);
    // A quoted "<<" is an ordinary key.
    assert.deepEqual((await parsed(yamlFormat, '"<<": 1\n', FILE)).value, { '<<': 1 });
  });

  it('refuses a second document', async () => {
    assert.deepEqual(await refused(yamlFormat, 'a: 1\n---\nb: 2\n', FILE), [
      'app.yaml:2:1: a second document: a config file holds one YAML document (no second ---)',
    ]);
    // One document may start with --- and end with ...
    assert.deepEqual((await parsed(yamlFormat, '---\na: 1\n...\n', FILE)).value, { a: 1 });
  });

  it('reads a file of only comments (or nothing) as no value, which leaves every default', async () => {
    for (const text of ['', '# all defaults\n# port: 80\n', '\n\n']) {
      const doc = await parsed(yamlFormat, text, FILE);
      assert.equal(doc.value, undefined);
      assert.equal(doc.locate(['port']), undefined);
    }
    assert.equal((await parsed(yamlFormat, '~\n', FILE)).value, null);
  });

  it('refuses nesting past maxDepth before composing, even ten thousand deep, without a stack overflow', async () => {
    const flow = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.ok((await parsed(yamlFormat, flow(100), FILE)).value);
    assert.deepEqual(await refused(yamlFormat, flow(101), FILE), [
      'app.yaml:1:101: nested more than 100 deep (maxDepth)',
    ]);
    assert.deepEqual(await refused(yamlFormat, `${'- '.repeat(10_000)}x\n`, FILE), [
      'app.yaml:1:201: nested more than 100 deep (maxDepth)',
    ]);
    const block = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    assert.deepEqual(await refused(yamlFormat, `${block} 1\n`, FILE), [
      'app.yaml:101:101: nested more than 100 deep (maxDepth)',
    ]);
  });

  it('counts nesting through aliases too', async () => {
    const shallow = createYamlFormat({ maxDepth: 3 });
    assert.ok(await parsed(shallow, 'a: &a [[1]]\n', FILE));
    assert.deepEqual(await refused(shallow, 'a: &a [[1]]\nb: [[*a]]\n', FILE), [
      'app.yaml:2:4: nested more than 3 deep through aliases (maxDepth)',
    ]);
  });

  it('reads a large file (20,000 list items)', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `v${i}` }));
    const text = items.map((v) => `- i: ${v.i}\n  s: ${v.s}`).join('\n');
    const doc = await parsed(yamlFormat, text, FILE);
    assert.deepStrictEqual(doc.value, items);
    assert.deepEqual(doc.locate([19_999, 's']), { file: FILE, line: 40_000, column: 6 });
  });

  it('refuses characters YAML does not allow, NUL included', async () => {
    assert.deepEqual(await refused(yamlFormat, 'a: "x\u0001"\nb: c\u0000d\n', FILE), [
      'app.yaml:1:6: control character U+0001 is not allowed in YAML',
      'app.yaml:2:5: control character U+0000 is not allowed in YAML',
    ]);
  });

  it('skips a UTF-8 byte order mark; refuses UTF-16 and invalid UTF-8 at the first bad byte', async () => {
    const doc = await parsed(yamlFormat, Buffer.from('\ufeffa: 1\n', 'utf8'), FILE);
    assert.deepEqual(doc.value, { a: 1 });
    assert.deepEqual(doc.locate(['a']), { file: FILE, line: 1, column: 4 });
    const utf16 = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a: 1\n', 'utf16le')]);
    assert.deepEqual(await refused(yamlFormat, utf16, FILE), [
      'app.yaml:1:1: the file is UTF-16 or UTF-32 (it starts with a byte order mark): save it as UTF-8',
    ]);
    const bad = Buffer.concat([Buffer.from('a: 1\nname: caf', 'utf8'), Buffer.from([0xc3, 0x28])]);
    assert.deepEqual(await refused(yamlFormat, bad, FILE), [
      'app.yaml:2:10: invalid UTF-8 (byte 0xc3): the file must be saved as UTF-8',
    ]);
  });

  it('never throws on garbage bytes, and caps the problems it lists (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const r = await parse(yamlFormat, bytes, FILE);
        if (isLeft(r)) {
          assert.ok(r.left.length >= 1 && r.left.length <= maxProblems + 1);
          for (const p of r.left)
            assert.ok(p.file === FILE && (p.line ?? 0) >= 1 && (p.column ?? 0) >= 1);
        }
      }),
    );
    const text = Array.from({ length: 200 }, (_, i) => `k${i}: !t${i} v`).join('\n');
    const problems = await problemsOf(yamlFormat, text, FILE);
    assert.equal(problems.length, maxProblems + 1);
    assert.equal(problems[maxProblems]?.message, `${200 - maxProblems} more problems not shown`);
  });

  it('passes on the yaml package warnings, located', async () => {
    const doc = await parsed(yamlFormat, '%FOO bar\n---\na: 1\n', FILE);
    assert.deepEqual(doc.value, { a: 1 });
    assert.deepEqual(
      doc.warnings.map((w) => [w.severity, w.line, w.column]),
      [['warning', 1, 1]],
    );
  });

  it('rejects with the reason once the signal is aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('newer version');
    controller.abort(reason);
    await assert.rejects(
      async () =>
        yamlFormat.parse({ bytes: Buffer.from('a: 1'), file: FILE, signal: controller.signal }),
      (e) => e === reason,
    );
  });

  it('throws a TypeError for an unknown or invalid option', () => {
    assert.throws(
      () => createYamlFormat({ maxAliases: 1 } as never),
      /unknown YAML format option 'maxAliases'/,
    );
    assert.throws(
      () => createYamlFormat({ maxAliasNodes: -1 }),
      /maxAliasNodes must be an integer >= 1, got -1/,
    );
  });

  it('loads the yaml package only on the first parse: importing the formats and the engine does not', async () => {
    // A child process whose module resolution is watched by a loader hook, so that what it loads
    // is seen, not inferred from the import lines.
    const lib = (p: string) => pathToFileURL(join(import.meta.dirname, '../../lib', p)).href;
    await writeFile(
      join(dir, 'hooks.mjs'),
      'let port;\nexport function initialize(data) { port = data.port; }\n' +
        'export async function resolve(specifier, context, next) {\n' +
        '  const r = await next(specifier, context);\n  port.postMessage(r.url);\n  return r;\n}\n',
    );
    await writeFile(
      join(dir, 'main.mjs'),
      `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const loaded = [];
port1.on('message', (url) => loaded.push(url));
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
// Waits until the hook has reported a marker import, so every earlier report has arrived.
async function settled(marker) {
  await import('data:text/javascript,export default ' + marker);
  while (!loaded.some((u) => u.endsWith('export default ' + marker))) await new Promise((r) => setTimeout(r, 5));
}
const yamlLoaded = () => loaded.some((u) => u.includes('/node_modules/yaml/'));
const jsonLoaded = () => loaded.some((u) => u.includes('/node_modules/jsonc-parser/'));
const signal = new AbortController().signal;
const { jsonFormat } = await import(${JSON.stringify(lib('formats/json.ts'))});
const { yamlFormat } = await import(${JSON.stringify(lib('formats/yaml.ts'))});
const { decodeDocument } = await import(${JSON.stringify(lib('engine/decode-document.ts'))});
await import(${JSON.stringify(lib('engine/format.ts'))});
const doc = await jsonFormat.parse({ bytes: Buffer.from('{"a": 1}'), file: 'a.json', signal });
decodeDocument(doc.right, { decode: (u) => ({ _tag: 'Right', right: u }), encode: (a) => a }, {});
await settled(1);
const before = { yaml: yamlLoaded(), json: jsonLoaded() };
const y = await yamlFormat.parse({ bytes: Buffer.from('a: 1'), file: 'a.yaml', signal });
await settled(2);
console.log(JSON.stringify({ before, after: { yaml: yamlLoaded() }, value: y.right.value }));
port1.close();
`,
    );
    const out = await tsxScriptOutput(join(dir, 'main.mjs'));
    assert.deepEqual(JSON.parse(out), {
      before: { yaml: false, json: true },
      after: { yaml: true },
      value: { a: 1 },
    });
  });
});
