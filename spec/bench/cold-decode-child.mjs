// Run by benchDecode and benchLoad in a fresh process: times one first call, named by argv[2],
// and prints `{ "ms": ... }` on stdout. hotrc comes from its build (dist/), as users run it (the
// bench builds it first): through tsx, a first call would also time tsx's compiling and its
// garbage. `load PATH` is loadFromFile of a torrc; `json PATH` is JSON.parse plus
// TorConfig.decode of a JSON file (read before the clock starts, as the torrc's bytes are not:
// loadFromFile's own read is part of what it costs); `text PATH` is loadTorrcText of a torrc
// read before the clock starts (what the watcher does with the bytes it read); `parse PATH` is
// JSON.parse alone of a JSON file. Nothing else runs first, so V8 meets the code cold, as on a
// rare production reload.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadFromFile, loadTorrcText, TorConfig } from '../../dist/index.js';

const [what, path] = process.argv.slice(2);
if (path === undefined || !['load', 'json', 'text', 'parse'].includes(what)) {
  process.stderr.write('usage: cold-decode-child.mjs load|json|text|parse PATH\n');
  process.exit(2);
}
let ms;
let size;
if (what === 'load') {
  const t0 = performance.now();
  const config = await loadFromFile(path);
  ms = performance.now() - t0;
  size = config.BridgeAddresses.length;
} else if (what === 'text') {
  const text = readFileSync(path, 'utf8');
  const t0 = performance.now();
  const loaded = await loadTorrcText(text, path);
  ms = performance.now() - t0;
  if (loaded._tag !== 'Right') throw new Error('bench: the torrc does not load');
  size = loaded.right.files.length;
} else {
  const json = readFileSync(path, 'utf8');
  const t0 = performance.now();
  const parsed = JSON.parse(json);
  const decoded = what === 'json' ? TorConfig.decode(parsed) : undefined;
  ms = performance.now() - t0;
  if (decoded?._tag === 'Left') throw new Error('bench: the JSON config does not decode');
  size = decoded === undefined ? Object.keys(parsed).length : decoded.right.BridgeAddresses.length;
}
process.stdout.write(`${JSON.stringify({ ms, size })}\n`);
