import assert from 'node:assert/strict';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ParsedDocument } from '../../lib/engine/format.js';
import { codecKeys, unknownKeys, withoutUnknownKeys } from '../../lib/engine/unknown-keys.js';
import { jsonFormat } from '../../lib/formats/json.js';
import { yamlFormat } from '../../lib/formats/yaml.js';

const App = t.readonly(
  t.exact(
    t.type({
      server: t.type({ port: t.number }),
      pool: t.intersection([t.type({ max: t.number }), t.partial({ min: t.number })]),
      upstreams: t.array(t.type({ host: t.string })),
      labels: t.record(t.string, t.string),
      mode: t.union([t.type({ kind: t.literal('a') }), t.type({ kind: t.literal('b') })]),
    }),
  ),
);

async function doc(text: string, format = yamlFormat): Promise<ParsedDocument> {
  const r = await format.parse({
    bytes: Buffer.from(text),
    file: 'app.yaml',
    signal: new AbortController().signal,
  });
  if (E.isLeft(r)) assert.fail(JSON.stringify(r.left));
  return r.right;
}

describe('unknownKeys', () => {
  it('names each key the codec does not know, at its place, with the nearest known key', async () => {
    const d = await doc('server:\n  prot: 80\npoool: 1\nupstreams:\n  - host: a\n    hots: b\n');
    assert.deepEqual(
      unknownKeys(d, App, false).map((p) => [p.severity, p.message, p.line, p.field]),
      [
        ['warning', "unknown key 'server.prot' (did you mean 'port'?)", 2, 'server.prot'],
        ['warning', "unknown key 'poool' (did you mean 'pool'?)", 3, 'poool'],
        ['warning', "unknown key 'upstreams.0.hots' (did you mean 'host'?)", 6, 'upstreams.0.hots'],
      ],
    );
  });

  it('knows the keys of intersections and partials, leaves records and unions alone', async () => {
    const d = await doc(
      '{"pool": {"max": 1, "min": 0}, "labels": {"anything": "x"}, "mode": {"kind": "a", "extra": 1}}',
      jsonFormat,
    );
    assert.deepEqual(unknownKeys(d, App, false), []);
  });

  it('makes them errors when strict, and offers no guess for a key like nothing known', async () => {
    const d = await doc('zzzzzzzz: 1\n');
    const [p] = unknownKeys(d, App, true);
    assert.deepEqual([p?.severity, p?.message], ['error', "unknown key 'zzzzzzzz'"]);
  });

  it('lists the first 100 and counts the rest', async () => {
    const text = Array.from({ length: 150 }, (_, i) => `k${i}: 1`).join('\n');
    const found = unknownKeys(await doc(text), App, false);
    assert.equal(found.length, 101);
    assert.equal(found.at(-1)?.message, '50 more unknown keys not listed');
  });

  it('judges nothing for a codec whose keys it cannot read', async () => {
    assert.deepEqual(unknownKeys(await doc('a: 1\n'), t.unknown, false), []);
  });

  it('withoutUnknownKeys drops them, keeping everything the codec knows', async () => {
    const d = await doc(
      'server:\n  port: 80\n  prot: 81\npoool: 1\nlabels:\n  x: y\nupstreams:\n  - host: a\n    hots: b\n',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(withoutUnknownKeys(d.value, App))), {
      server: { port: 80 },
      labels: { x: 'y' },
      upstreams: [{ host: 'a' }],
    });
  });

  it('codecKeys reads the top-level keys through wrappers and intersections, or none', () => {
    assert.deepEqual([...(codecKeys(App) ?? [])].sort(), [
      'labels',
      'mode',
      'pool',
      'server',
      'upstreams',
    ]);
    assert.deepEqual(
      [...(codecKeys(t.intersection([t.type({ a: t.number }), t.partial({ b: t.string })])) ?? [])],
      ['a', 'b'],
    );
    assert.equal(codecKeys(t.union([t.type({ a: t.number }), t.string])), undefined);
  });
});
