// Run by benchParse in a fresh process: times the first parseTorrc of the realistic 1 MiB torrc
// (the parser has never run, so V8 starts it in the interpreter, as on a rare production reload)
// and then the first split+trim, and prints both as JSON on stdout.
import { performance } from 'node:perf_hooks';
import { isLeft } from 'fp-ts/lib/Either.js';
import { parseTorrc } from '../../lib/index.js';
import { realisticTorrc } from './realistic-torrc.js';

const { text, entries } = realisticTorrc(1024 * 1024);
const t0 = performance.now();
const parsed = parseTorrc(text);
const t1 = performance.now();
let sink = 0;
for (const line of text.split('\n')) sink += line.trim().length;
const t2 = performance.now();
if (isLeft(parsed) || parsed.right.length !== entries || sink === 0) {
  process.exitCode = 1;
} else {
  process.stdout.write(`${JSON.stringify({ parseMs: t1 - t0, splitMs: t2 - t1 })}\n`);
}
