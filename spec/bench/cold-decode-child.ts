// Run by benchDecode in a fresh process: times one first call, named by argv[2], and prints
// `{ "ms": ... }` on stdout. `load PATH` is loadFromFile of a torrc; `json PATH` is JSON.parse
// plus TorConfig.decode of a JSON file (read before the clock starts, as the torrc's bytes are
// not: loadFromFile's own read is part of what it costs). Nothing else runs first, so V8 meets
// the code cold, as on a rare production reload.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isLeft } from 'fp-ts/lib/Either.js';
import { loadFromFile, TorConfig } from '../../lib/index.js';

const [what, path] = process.argv.slice(2);
if (path === undefined || (what !== 'load' && what !== 'json')) {
  process.stderr.write('usage: cold-decode-child.ts load|json PATH\n');
  process.exit(2);
}
let ms: number;
let bridges: number;
if (what === 'load') {
  const t0 = performance.now();
  const config = await loadFromFile(path);
  ms = performance.now() - t0;
  bridges = config.BridgeAddresses.length;
} else {
  const json = readFileSync(path, 'utf8');
  const t0 = performance.now();
  const decoded = TorConfig.decode(JSON.parse(json));
  ms = performance.now() - t0;
  if (isLeft(decoded)) throw new Error('bench: the JSON config does not decode');
  bridges = decoded.right.BridgeAddresses.length;
}
process.stdout.write(`${JSON.stringify({ ms, bridges })}\n`);
