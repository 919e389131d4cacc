import { torOptionNames } from '../../lib/index.js';

/**
 * A generated torrc and what parsing it must give.
 * @example const { text, entries } = realisticTorrc(1 << 20); // text.length <= 1 MiB
 */
export interface GeneratedTorrc {
  readonly text: string;
  /** Entries a correct parse yields: the benchmark checks it, so it never times a failed parse. */
  readonly entries: number;
  readonly lines: number;
}

// mulberry32: a tiny seeded PRNG, so every run parses the same text.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keys = [...torOptionNames];
const words = [
  'relay',
  'circuit',
  'guard',
  'bridge',
  'exit',
  'onion',
  'service',
  'bandwidth',
  'policy',
  'directory',
  'consensus',
  'timeout',
  'isolation',
  'stream',
];

interface Block {
  readonly text: string;
  readonly entries: number;
}

type Make = (r: () => number) => Block;

const pick = <T>(r: () => number, xs: ReadonlyArray<T>): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: () => number, max: number) => Math.floor(r() * max);
const key = (r: () => number) => pick(r, keys);
const phrase = (r: () => number, n: number) =>
  Array.from({ length: 1 + int(r, n) }, () => pick(r, words)).join(' ');
const plainValue = (r: () => number): string =>
  pick(r, [
    () => String(int(r, 65536)),
    () => `${int(r, 256)}.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}:${1 + int(r, 65535)}`,
    () => `${1 + int(r, 59)} ${pick(r, ['seconds', 'minutes', 'hours', 'days'])}`,
    () => `/var/lib/tor/${pick(r, words)}/${pick(r, words)}-${int(r, 1000)}`,
    () => `{${pick(r, ['us', 'de', 'nl', 'fr', 'ru', 'cn'])}},{${pick(r, ['se', 'ch', 'is'])}}`,
    () => pick(r, ['0', '1', 'auto', 'yes', 'no']),
    () => `accept ${int(r, 256)}.${int(r, 256)}.0.0/16:${1 + int(r, 65535)}`,
  ])();

// Weights roughly as in big real torrcs (relay operators' files, generated bridge lists):
// mostly plain lines and comments, a fair share of quoted values, a few continuations.
const makers: ReadonlyArray<readonly [number, Make]> = [
  [30, (r) => ({ text: `${key(r)} ${plainValue(r)}\n`, entries: 1 })],
  [10, (r) => ({ text: `${key(r)} ${plainValue(r)}   # ${phrase(r, 6)}\n`, entries: 1 })],
  [
    6,
    (r) => ({
      text: `${pick(r, ['  ', '\t', ' \t '])}${key(r)}\t${plainValue(r)}  \n`,
      entries: 1,
    }),
  ],
  [18, (r) => ({ text: `## ${phrase(r, 12)}\n`, entries: 0 })],
  [5, (r) => ({ text: `#${key(r)} ${plainValue(r)}\n`, entries: 0 })],
  [9, () => ({ text: '\n', entries: 0 })],
  [
    5,
    (r) => ({
      text: `${key(r)} "C:\\\\Program Files\\\\Tor\\\\${pick(r, words)}\\t${int(r, 100)}"\n`,
      entries: 1,
    }),
  ],
  [
    4,
    (r) => ({
      text: `${key(r)} "\\x41\\102 \\"${phrase(r, 3)}\\" caf\\xc3\\xa9 \\'x\\'"  # quoted\n`,
      entries: 1,
    }),
  ],
  [3, (r) => ({ text: `${key(r)} "${phrase(r, 8)}"\n`, entries: 1 })],
  [
    3,
    (r) => ({
      text:
        `ExitPolicy accept *:${int(r, 1024)},\\\n` +
        `    accept *:${int(r, 65536)},\\\n` +
        `# ${phrase(r, 4)}\n` +
        `    reject ${int(r, 256)}.0.0.0/8:*,\\\n` +
        '    reject *:*\n',
      entries: 1,
    }),
  ],
  [
    2,
    (r) => ({
      text: `HiddenServicePort ${int(r, 65536)} \\\n  127.0.0.1:${int(r, 65536)}\n`,
      entries: 1,
    }),
  ],
  [3, (r) => ({ text: `+${key(r)} ${plainValue(r)}\n`, entries: 1 })],
  [2, (r) => ({ text: `/${key(r)}\n`, entries: 1 })],
];
const totalWeight = makers.reduce((sum, [w]) => sum + w, 0);

function nextBlock(r: () => number): Block {
  let x = r() * totalWeight;
  for (const [w, make] of makers) {
    x -= w;
    if (x < 0) return make(r);
  }
  return (makers[0] as (typeof makers)[number])[1](r);
}

/**
 * A torrc of at most `bytes` UTF-16 code units (ASCII, so bytes too), cut at a line boundary:
 * plain values, comments (whole-line, trailing, commented-out options), indented lines,
 * quoted values with every kind of escape, continuations (with Tor's comment-inside rule),
 * `+Key`/`/Key` prefixes, over Tor's ~350 option names. Deterministic for a given seed.
 * @example realisticTorrc(1024 * 1024).entries // about 17,000
 */
export function realisticTorrc(bytes: number, seed = 0x70c): GeneratedTorrc {
  const r = prng(seed);
  const parts: string[] = ['## Generated torrc for the hotrc benchmark.\n'];
  let length = parts[0]?.length ?? 0;
  let entries = 0;
  for (;;) {
    const block = nextBlock(r);
    if (length + block.text.length > bytes) break;
    parts.push(block.text);
    length += block.text.length;
    entries += block.entries;
  }
  const text = parts.join('');
  return { text, entries, lines: text.split('\n').length - 1 };
}
