/**
 * A generated torrc that decodes without an error, and what it holds.
 * @example const { text, bridges } = bridgeHeavyTorrc(1 << 20);
 */
export interface BridgeHeavyTorrc {
  readonly text: string;
  /** Bridge lines in it: a correct load has exactly this many `BridgeAddresses`. */
  readonly bridges: number;
  /** ExcludeNodes and ExcludeExitNodes entries in it, together. */
  readonly excluded: number;
  readonly lines: number;
}

// mulberry32: a tiny seeded PRNG, so every run loads the same text.
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

type Random = () => number;

const int = (r: Random, max: number) => Math.floor(r() * max);
const pick = <T>(r: Random, xs: ReadonlyArray<T>): T => xs[int(r, xs.length)] as T;
const chars = (r: Random, alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[int(r, alphabet.length)]).join('');
const HEX = '0123456789ABCDEF';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const fingerprint = (r: Random) => chars(r, HEX, 40);
// Public addresses (no leading zeros, octets 1-254).
const ipv4 = (r: Random) => Array.from({ length: 4 }, () => String(1 + int(r, 254))).join('.');
const ipv6 = (r: Random) =>
  `2001:db8:${int(r, 0xffff).toString(16)}:${int(r, 0xffff).toString(16)}::${(1 + int(r, 0xfffe)).toString(16)}`;
const port = (r: Random) => 1 + int(r, 65535);
const countries = ['cn', 'ir', 'kp', 'ru', 'by', 'sy', 'cu', 'ae', 'sa', 'tm', '??'];

// Bridge lines as bridges.torproject.org and Tor Browser hand them out: mostly obfs4 with its
// 70-character cert, then webtunnel, snowflake and meek_lite with their URL arguments, plain
// bridges with the fingerprint in one piece or in Tor's groups of four.
const bridgeMakers: ReadonlyArray<readonly [number, (r: Random) => string]> = [
  [
    60,
    (r) =>
      `Bridge obfs4 ${ipv4(r)}:${port(r)} ${fingerprint(r)} cert=${chars(r, BASE64, 70)} iat-mode=${int(r, 3)}`,
  ],
  [
    12,
    (r) =>
      `Bridge webtunnel [${ipv6(r)}]:443 ${fingerprint(r)} url=https://${chars(r, ALNUM, 12).toLowerCase()}.example.net/${chars(r, ALNUM, 24)} ver=0.0.${1 + int(r, 3)}`,
  ],
  [
    6,
    (r) => {
      const fp = fingerprint(r);
      return `Bridge snowflake 192.0.2.${3 + int(r, 2)}:80 ${fp} fingerprint=${fp} url=https://1098762253.rsc.cdn77.org/ fronts=www.cdn77.com,www.phpmyadmin.net ice=stun:stun.antisip.com:3478,stun:stun.epygi.com:3478,stun:stun.uls.co.za:3478 utls-imitate=hellorandomizedalpn`;
    },
  ],
  [
    4,
    (r) =>
      `Bridge meek_lite 192.0.2.${18 + int(r, 2)}:80 ${fingerprint(r)} url=https://meek.azureedge.net/ front=ajax.aspnetcdn.com`,
  ],
  [10, (r) => `Bridge ${ipv4(r)}:${port(r)} ${fingerprint(r)}`],
  [
    4,
    (r) =>
      `Bridge ${ipv4(r)}:${port(r)}   ${(fingerprint(r).match(/.{4}/g) as string[]).join(' ')}`,
  ],
  [4, (r) => `Bridge [${ipv6(r)}]:${port(r)} ${fingerprint(r).toLowerCase()}`],
];
const bridgeWeight = bridgeMakers.reduce((n, [w]) => n + w, 0);

function bridge(r: Random): string {
  let x = r() * bridgeWeight;
  for (const [w, make] of bridgeMakers) {
    x -= w;
    if (x < 0) return make(r);
  }
  return (bridgeMakers[0] as (typeof bridgeMakers)[number])[1](r);
}

// One router set entry of each kind Tor reads: identities (with and without '$', with a
// nickname), nicknames, country codes and address patterns with masks and ports.
const entryMakers: ReadonlyArray<(r: Random) => string> = [
  (r) => `$${fingerprint(r)}`,
  (r) => fingerprint(r),
  (r) => `$${fingerprint(r)}~${chars(r, ALNUM, 1 + int(r, 19))}`,
  (r) => chars(r, ALNUM, 1 + int(r, 19)),
  (r) => `{${pick(r, countries)}}`,
  (r) => `${ipv4(r)}/${8 + int(r, 25)}`,
  (r) => `${ipv4(r)}:${port(r)}`,
  (r) => `${ipv4(r)}/255.255.0.0:1-1024`,
  (r) => `[${ipv6(r)}]/${16 + int(r, 113)}:*`,
  (r) => `*4:${port(r)}`,
];

function routerSet(r: Random, key: string): { text: string; entries: number } {
  const n = 4 + int(r, 16);
  const entries = Array.from({ length: n }, () => pick(r, entryMakers)(r));
  // Long lists are written over several lines with continuations, as people do.
  const rows: string[] = [];
  for (let i = 0; i < entries.length; i += 6) rows.push(entries.slice(i, i + 6).join(','));
  return { text: `${key} ${rows.join(', \\\n    ')}\n`, entries: n };
}

const header = `## Tor client for a censorship-circumvention fleet, generated for the hotrc benchmark.
## Bridges from bridges.torproject.org and Tor Browser's built-ins; exclusions per policy.

SocksPort 9050
ControlPort 9051
DataDirectory /var/lib/tor-fleet
LogLevel info
`;

const settings = `CircuitBuildTimeout 60 seconds
MaxCircuitDirtiness 10 minutes
NewCircuitPeriod 30 seconds
NumEntryGuards 3
ConnLimit 4096
DormantClientTimeout 24 hours
IsolationLevel destination
UseBridges 1
HiddenServiceDir /var/lib/tor-fleet/hs
HiddenServicePort 80 127.0.0.1:8080
HiddenServicePort 443 127.0.0.1:8443
HiddenServiceMaxStreams 64

`;

/**
 * A valid, bridge-heavy torrc of at most `bytes` bytes (ASCII), cut at a block boundary: a
 * header of ordinary settings and one onion service, then batches of bridge lines (about 85% of
 * the bytes) with a comment before each batch, and ExcludeNodes / ExcludeExitNodes router sets
 * of every entry kind, some continued over lines. Every value is one hotrc and Tor accept, so
 * the whole file loads without an error: this is the file a big fleet's operator reloads.
 * Deterministic for a given seed.
 * @example bridgeHeavyTorrc(1024 * 1024).bridges // about 6,000
 */
export function bridgeHeavyTorrc(bytes: number, seed = 0xb41d): BridgeHeavyTorrc {
  const r = prng(seed);
  const parts: string[] = [header, settings];
  let length = header.length + settings.length;
  let bridges = 0;
  let excluded = 0;
  for (let batch = 1; ; batch++) {
    const lines: string[] = [
      `## batch ${batch}: ${new Date(Date.UTC(2026, 0, batch)).toISOString().slice(0, 10)}\n`,
    ];
    let count = 0;
    for (let i = 0, n = 8 + int(r, 16); i < n; i++, count++) lines.push(`${bridge(r)}\n`);
    let entries = 0;
    if (batch % 4 === 0) {
      const set = routerSet(r, pick(r, ['ExcludeNodes', 'ExcludeExitNodes']));
      lines.push(set.text);
      entries = set.entries;
    }
    lines.push('\n');
    const block = lines.join('');
    if (length + block.length > bytes) break;
    parts.push(block);
    length += block.length;
    bridges += count;
    excluded += entries;
  }
  const text = parts.join('');
  return { text, bridges, excluded, lines: text.split('\n').length - 1 };
}
