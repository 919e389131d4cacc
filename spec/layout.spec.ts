// The layout, read from the import lines of lib/ itself, so it cannot drift back: each folder
// imports only the folders below it, and no file imports itself round a cycle.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '../lib');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesUnder(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

// Every relative import (static, type-only, re-export or dynamic) of a file, as lib-relative paths.
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), m[1] as string).replace(/\.js$/, '.ts');
    found.push(relative(lib, target));
  }
  return found;
}

const files = filesUnder(lib).map((f) => relative(lib, f));
const graph = new Map(files.map((f) => [f, importsOf(join(lib, f))]));
const folderOf = (f: string) => (f.includes('/') ? (f.split('/')[0] as string) : '.');

// Who may import whom: a folder may use itself and what is listed for it, nothing else.
const allowed: Record<string, ReadonlyArray<string>> = {
  core: [],
  sources: ['core'],
  engine: ['core', 'sources'],
  formats: ['core', 'engine'],
  tor: ['core', 'sources', 'engine'],
  fleet: ['core', 'sources', 'engine'],
  cli: ['core', 'sources', 'engine', 'formats', 'tor', 'fleet', '.'],
  '.': ['core', 'sources', 'engine', 'formats', 'tor', 'fleet', 'cli'],
};

describe('layout (the import lines of lib/)', () => {
  it('finds the files and their imports', () => {
    assert.ok(files.length > 50, `only ${files.length} files under lib/`);
    assert.ok((graph.get('engine/reloadable-config.ts') ?? []).length > 5);
  });

  it('the engine imports nothing from the Tor folder (nor the formats or the CLI)', () => {
    const offending = [...graph]
      .filter(([f]) => folderOf(f) === 'engine')
      .flatMap(([f, imports]) =>
        imports
          .filter((i) => ['tor', 'formats', 'cli', '.'].includes(folderOf(i)))
          .map((i) => `${f} -> ${i}`),
      );
    assert.deepEqual(offending, []);
  });

  it('each folder imports only the folders below it', () => {
    const offending: string[] = [];
    for (const [f, imports] of graph) {
      const from = folderOf(f);
      const may = allowed[from];
      assert.ok(may !== undefined, `a folder the layout does not know: ${from} (${f})`);
      for (const i of imports) {
        const to = folderOf(i);
        if (to !== from && !may.includes(to)) offending.push(`${f} -> ${i}`);
      }
    }
    assert.deepEqual(offending, []);
  });

  it('every import names a file that exists', () => {
    const missing = [...graph].flatMap(([f, imports]) =>
      imports.filter((i) => !graph.has(i)).map((i) => `${f} -> ${i}`),
    );
    assert.deepEqual(missing, []);
  });

  it('has no import cycle, file by file', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const i of graph.get(f) ?? []) visit(i, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    assert.deepEqual(cycles, []);
  });
});
