// hotrc's value codecs against the real tor binary (--verify-config, --dump-config short).
//
// For every spelling below, hotrc must accept exactly what Tor accepts and read the same value,
// except in the two explicit tables: "hotrc extension" (go-tor spellings hotrc accepts on
// purpose, which Tor refuses) and "hotrc refuses" (spellings Tor accepts that hotrc refuses on
// purpose). Each test in those tables also proves the difference is real by asking Tor.
//
// Carriers are Tor options of the right type without clamping or cross-checks (found with
// `tor --list-torrc-options` and trying 0, 1 and 2147483647 on each): intervals go to
// NewCircuitPeriod, SocksTimeout, TrackHostExitsExpire, ShutdownWaitLength and
// RephistTrackTime; integers to NumEntryGuards, NumDirectoryGuards, NumPrimaryGuards, NumCPUs,
// DoSCircuitCreationBurst and AuthDirMaxServersPerAddr; booleans to SafeSocks, TestSocks,
// AllowNonRFC953Hostnames, DownloadExtraInfo and FascistFirewall; ports to SocksPort; router sets
// to ExcludeNodes; bridges to Bridge with UseBridges 1; onion ports to HiddenServicePort after a
// HiddenServiceDir in a temp directory; text to ContactInfo. `--dump-config short` leaves out
// values equal to the default, so each carrier's default stands in for a missing line.
//
// Values Tor accepts are checked in batches (one carrier per value) and any batch Tor refuses is
// re-run value by value, so a disagreement is always pinned to one spelling.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Either, isLeft, isRight, right } from 'fp-ts/lib/Either.js';
import { Bool } from '../../../../lib/tor/schema/values/bool.js';
import {
  formatBridgeLine,
  parseBridgeLine,
} from '../../../../lib/tor/schema/values/bridge-line.js';
import { NonNegativeInt } from '../../../../lib/tor/schema/values/integer.js';
import { parseInterval } from '../../../../lib/tor/schema/values/interval.js';
import { isV4Mapped, parseIPv6 } from '../../../../lib/tor/schema/values/ip-address.js';
import {
  formatHiddenServicePort,
  parseHiddenServicePort,
} from '../../../../lib/tor/schema/values/onion-port.js';
import { Port } from '../../../../lib/tor/schema/values/port.js';
import { parseRouterSet } from '../../../../lib/tor/schema/values/router-set.js';
import { quoteTorrcValue, unquoteCString } from '../../../../lib/tor/schema/values/text.js';
import { type TorVerdict, torBinary, torVerifyText } from '../../../support/tor.js';
import {
  addrPortText,
  bridgeLineText,
  normalBridgeLineText,
  portText,
  routerSetEntryText,
} from './near-misses.js';

// ---------------------------------------------------------------------------------------------
// Asking Tor

interface Carrier {
  readonly option: string;
  /** Tor's default as --dump-config short would print it (it omits lines equal to it). */
  readonly fallback: string | undefined;
}

/** Tor's reading of one value: refused with its messages, or accepted with the dumped values. */
interface TorReading {
  readonly valid: boolean;
  readonly messages: ReadonlyArray<string>;
  /** The dumped values of the carrier option (several for a line list). */
  readonly values: ReadonlyArray<string>;
  /** Every dump line, for checks that look at more than the carrier. */
  readonly verdict: TorVerdict;
}

/** Runs jobs with at most `limit` at a time; the machine is shared. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, limit = 4): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** A dumped value; Tor quotes the ones a plain line could not carry. */
function dumpedText(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  const unquoted = unquoteCString(raw);
  assert.ok(isRight(unquoted), `Tor dumped ${raw}`);
  return unquoted.right.value;
}

function valuesOf(verdict: TorVerdict, carrier: Carrier): string[] {
  const found = verdict.dump.filter(([k]) => k === carrier.option).map(([, v]) => dumpedText(v));
  return found.length > 0 || carrier.fallback === undefined ? found : [carrier.fallback];
}

/** One case: the option value text, and the lines its torrc needs around it. */
interface Probe {
  readonly text: string;
  /** Extra lines before the carrier line (UseBridges 1, HiddenServiceDir ...). */
  readonly before?: (slot: number) => ReadonlyArray<string>;
}

/**
 * Asks Tor about every probe. Probes hotrc expects Tor to accept are batched, one carrier (or
 * one slot of a line-list carrier) each; a batch Tor refuses is re-asked one probe at a time.
 */
async function askTor(
  probes: ReadonlyArray<Probe>,
  carriers: ReadonlyArray<Carrier>,
  expectValid: (p: Probe) => boolean,
  options: { readonly lineList?: boolean; readonly header?: ReadonlyArray<string> } = {},
): Promise<Map<Probe, TorReading>> {
  const out = new Map<Probe, TorReading>();
  const lineFor = (p: Probe, carrier: Carrier, slot: number) => [
    ...(p.before?.(slot) ?? []),
    `${carrier.option} ${quoteTorrcValue(p.text)}`,
  ];
  const single = async (p: Probe) => {
    const carrier = carriers[0] as Carrier;
    const verdict = await torVerifyText(
      `${[...(options.header ?? []), ...lineFor(p, carrier, 0)].join('\n')}\n`,
    );
    out.set(p, {
      valid: verdict.valid,
      messages: verdict.messages,
      values: valuesOf(verdict, carrier),
      verdict,
    });
  };
  const hopeful = probes.filter(expectValid);
  const width = options.lineList ? 8 : carriers.length;
  const batches: Probe[][] = [];
  for (let i = 0; i < hopeful.length; i += width) batches.push(hopeful.slice(i, i + width));
  const jobs: Array<() => Promise<void>> = batches.map((batch) => async () => {
    const lines = batch.flatMap((p, i) =>
      lineFor(p, options.lineList ? (carriers[0] as Carrier) : (carriers[i] as Carrier), i),
    );
    const verdict = await torVerifyText(`${[...(options.header ?? []), ...lines].join('\n')}\n`);
    if (!verdict.valid) {
      for (const p of batch) await single(p);
      return;
    }
    if (options.lineList) {
      // Line-list values come back in order, one per line; a batch is only read this way when
      // each probe gave one line, otherwise it is re-asked probe by probe.
      const values = valuesOf(verdict, carriers[0] as Carrier);
      if (values.length !== batch.length) {
        for (const p of batch) await single(p);
        return;
      }
      for (const [i, p] of batch.entries()) {
        out.set(p, {
          valid: true,
          messages: verdict.messages,
          values: [values[i] as string],
          verdict,
        });
      }
      return;
    }
    for (const [i, p] of batch.entries()) {
      const values = valuesOf(verdict, carriers[i] as Carrier);
      out.set(p, { valid: true, messages: verdict.messages, values, verdict });
    }
  });
  for (const p of probes) if (!expectValid(p)) jobs.push(() => single(p));
  await pool(jobs);
  return out;
}

function reading(readings: Map<Probe, TorReading>, p: Probe): TorReading {
  const r = readings.get(p);
  assert.ok(r, `no Tor reading for ${JSON.stringify(p.text)}`);
  return r;
}

const show = (s: string) => JSON.stringify(s);

function expectRight<A>(e: Either<unknown, A>): A {
  assert.ok(isRight(e), JSON.stringify(e));
  return e.right;
}

// Tor's own wording, which hotrc reuses; when hotrc says one of these, Tor must have said it too.
const torPhrases =
  /^(Unknown unit in|Overflow while parsing|Unable to parse|Provided value|Integer )/;

function assertSameMessage(hotrc: string, tor: TorReading, text: string): void {
  // A line break in the value would split Tor's log line; such messages are not compared.
  if (!torPhrases.test(hotrc) || /[\n\r]/.test(text)) return;
  assert.ok(
    tor.messages.some((m) => m.includes(hotrc.replace(/\.$/, ''))),
    `Tor said ${JSON.stringify(tor.messages)}, hotrc said ${show(hotrc)}`,
  );
}

function requireTor(this: Mocha.Context): void {
  if (!torBinary) {
    console.log('  tor not installed: skipping');
    this.skip();
  }
}

// ---------------------------------------------------------------------------------------------
// Scalar options: intervals, integers, booleans

const intervalCarriers: ReadonlyArray<Carrier> = [
  { option: 'NewCircuitPeriod', fallback: '30' },
  { option: 'SocksTimeout', fallback: '120' },
  { option: 'TrackHostExitsExpire', fallback: '1800' },
  { option: 'ShutdownWaitLength', fallback: '30' },
  { option: 'RephistTrackTime', fallback: '86400' },
];

const intervalSpellings = [
  // units and their spellings
  '0',
  '1',
  '90',
  '15 MINUTES',
  '1.5 hours',
  '1 minute',
  '10minutes',
  '2 weeks',
  '1 WeEk',
  '1 second',
  '1 seconds',
  '1 hour',
  '1 day',
  '3 days',
  '1 month',
  '2 months',
  '0.5 months',
  // Tor's number reading
  '+5',
  '+5 seconds',
  '007',
  '5.',
  '.5 hours',
  '+.5 hours',
  '1.5e2',
  '1.5E2',
  '1.5e2 minutes',
  '1.e2',
  '1.9',
  '0.7 hours',
  '1.1 hours',
  '4.35 minutes',
  '0.0000001',
  '1.0e-300',
  '-0',
  '-0.0',
  '1 #comment',
  '5 #c\nminutes',
  '5\nminutes',
  '5  seconds',
  '5\tseconds',
  ' 5',
  '\t5',
  '0.99999999999999999999 minutes',
  // range
  '2147483647',
  '2147483647 seconds',
  '2147483647.9',
  '35791394 minutes',
  '596523.235 hours',
  '3550 weeks',
  '816 months',
  '2147483648',
  '35791395 minutes',
  '4294967296',
  '3551 weeks',
  '817 months',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551615',
  '18446744073709551616',
  '99999999999999999999',
  // refused by both
  '10 min',
  '10 sec',
  '10 s',
  '2 d',
  '0x10',
  '1e2',
  '1e-5',
  '1e3',
  '-1',
  '-5 minutes',
  '-0.5',
  '- 5',
  '+-5',
  'inf',
  '-inf',
  'infinity',
  'nan',
  '-nan',
  'NAN',
  'nan minutes',
  '1.5e400',
  '1.0e-400',
  '1.0e-310',
  'seconds',
  '1,2',
  '1.5.5',
  '5 seconds ',
  '5 .',
  '1_000',
  '.',
  '1 2',
  '0x1.8p1',
  '1.5 ',
  '10 MIN',
  '1.5e2x',
  // Go-shaped, refused by both (hotrc: negative, malformed or too large)
  '-5m',
  '-1s',
  '-1d',
  '1h 30m',
  '1H',
  '10M',
  '1hh',
  '1.5.5h',
  '600000h',
  '2147483647.5s',
  '99999999999999999999h',
  '25000d',
].map((text): Probe => ({ text }));

// go-tor spellings: hotrc reads them, Tor refuses them.
const intervalExtensions: ReadonlyArray<readonly [string, number]> = [
  ['60s', 60_000],
  ['10m', 600_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
  ['2d', 172_800_000],
  ['1m30s', 90_000],
  ['1.5h', 5_400_000],
  ['500ms', 500],
  ['1h2m3.5s', 3_723_500],
  ['1500ms', 1500],
  ['-0s', 0],
  ['+10m', 600_000],
  ['.5h', 1_800_000],
  ['1500us', 1],
  ['1h1h', 7_200_000],
  ['596523h14m7s', 2_147_483_647_000],
];

const integerCarriers: ReadonlyArray<Carrier> = [
  { option: 'NumEntryGuards', fallback: '0' },
  { option: 'NumDirectoryGuards', fallback: '0' },
  { option: 'NumPrimaryGuards', fallback: '0' },
  { option: 'NumCPUs', fallback: '0' },
  { option: 'DoSCircuitCreationBurst', fallback: '0' },
  { option: 'AuthDirMaxServersPerAddr', fallback: '2' },
];

const integerSpellings = [
  '0',
  '1',
  '2',
  '3',
  '42',
  '+3',
  '007',
  '-0',
  ' 5',
  '\t5',
  '2147483647',
  '0002147483647',
  '-1',
  '0x1f',
  '1e3',
  '12abc',
  '2147483648',
  '3.0',
  '+',
  '++3',
  '+-3',
  '0 ',
  '1 2',
  '99999999999999999999',
  '0b1',
  '\u0663',
  '-2147483648',
  'abc',
].map((text): Probe => ({ text }));

const boolCarriers: ReadonlyArray<Carrier> = [
  { option: 'SafeSocks', fallback: '0' },
  { option: 'TestSocks', fallback: '0' },
  { option: 'AllowNonRFC953Hostnames', fallback: '0' },
  { option: 'DownloadExtraInfo', fallback: '0' },
  { option: 'FascistFirewall', fallback: '0' },
];

const boolSpellings = [
  '0',
  '1',
  'maybe',
  '00',
  '01',
  '+1',
  '-0',
  ' 1',
  '1 ',
  '2',
  '0x1',
  '1.0',
  'auto',
  'y',
  'n',
  'enabled',
  'truee',
  'o',
].map((text): Probe => ({ text }));

const boolExtensions: ReadonlyArray<readonly [string, boolean]> = [
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
  ['on', true],
  ['off', false],
  ['TRUE', true],
  ['Yes', true],
  ['oFF', false],
];

const decodeBool = (text: string) => Bool.decode(text);
const decodeInt = (text: string) => NonNegativeInt.decode(text);

describe('values conformance with tor', function () {
  this.timeout(120_000);
  before(requireTor);

  describe('intervals', () => {
    let readings: Map<Probe, TorReading>;
    const extensionProbes = intervalExtensions.map(([text]): Probe => ({ text }));
    before(async () => {
      readings = await askTor(
        [...intervalSpellings, ...extensionProbes],
        intervalCarriers,
        (p) => isRight(parseInterval(p.text)) && !extensionProbes.includes(p),
      );
    });

    for (const p of intervalSpellings) {
      it(`agrees with Tor on ${show(p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = parseInterval(p.text);
        assert.equal(
          isRight(hotrc),
          tor.valid,
          `hotrc ${JSON.stringify(hotrc)}, Tor ${JSON.stringify(tor.messages)}`,
        );
        if (isRight(hotrc)) assert.deepEqual(tor.values, [String(hotrc.right / 1000)]);
        else assertSameMessage(hotrc.left, tor, p.text);
      });
    }
    extensionProbes.forEach((p, i) => {
      const expected = (intervalExtensions[i] as readonly [string, number])[1];
      it(`hotrc extension: reads go-tor's ${show(p.text)} as ${expected} ms; Tor refuses it`, () => {
        assert.deepEqual(parseInterval(p.text), { _tag: 'Right', right: expected });
        assert.equal(reading(readings, p).valid, false);
      });
    });
  });

  describe('integers', () => {
    let readings: Map<Probe, TorReading>;
    before(async () => {
      readings = await askTor(integerSpellings, integerCarriers, (p) => isRight(decodeInt(p.text)));
    });
    for (const p of integerSpellings) {
      it(`agrees with Tor on ${show(p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = decodeInt(p.text);
        assert.equal(isRight(hotrc), tor.valid, JSON.stringify(tor.messages));
        if (isRight(hotrc)) assert.deepEqual(tor.values, [String(hotrc.right)]);
        else assertSameMessage(hotrc.left[0]?.message ?? '', tor, p.text);
      });
    }
  });

  describe('booleans', () => {
    let readings: Map<Probe, TorReading>;
    const extensionProbes = boolExtensions.map(([text]): Probe => ({ text }));
    before(async () => {
      readings = await askTor(
        [...boolSpellings, ...extensionProbes],
        boolCarriers,
        (p) => isRight(decodeBool(p.text)) && !extensionProbes.includes(p),
      );
    });
    for (const p of boolSpellings) {
      it(`agrees with Tor on ${show(p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = decodeBool(p.text);
        assert.equal(isRight(hotrc), tor.valid, JSON.stringify(tor.messages));
        if (isRight(hotrc)) assert.deepEqual(tor.values, [hotrc.right ? '1' : '0']);
        else {
          // hotrc's message starts with Tor's and adds the go-tor spellings.
          const torSaid = `Unrecognized value ${p.text}. Allowed values are 0 and 1`;
          assert.ok(
            tor.messages.some((m) => m.includes(torSaid)),
            JSON.stringify(tor.messages),
          );
          assert.ok(hotrc.left[0]?.message?.startsWith(torSaid));
        }
      });
    }
    extensionProbes.forEach((p, i) => {
      const expected = (boolExtensions[i] as readonly [string, boolean])[1];
      it(`hotrc extension: reads go-tor's ${show(p.text)} as ${expected}; Tor refuses it`, () => {
        assert.deepEqual(decodeBool(p.text), { _tag: 'Right', right: expected });
        assert.equal(reading(readings, p).valid, false);
      });
    });
  });

  // -------------------------------------------------------------------------------------------
  // Ports: Tor echoes the value in its dump, so the number itself is checked against a table;
  // Tor's "all undefined" warning shows when it read a port as 0 (off).

  describe('ports (SocksPort)', () => {
    const socks: ReadonlyArray<Carrier> = [{ option: 'SocksPort', fallback: undefined }];
    const agreed: ReadonlyArray<readonly [string, number | 'auto' | null]> = [
      ['0', 0],
      ['1', 1],
      ['9050', 9050],
      ['65535', 65535],
      ['+80', 80],
      ['080', 80],
      ['-0', 0],
      ['00', 0],
      ['auto', 'auto'],
      ['AUTO', 'auto'],
      ['Auto', 'auto'],
      [' 80', 80],
      ['80 ', 80],
      // Words end at spaces, tabs and line breaks; strtol skips isspace before the number only.
      ['\f9050', 9050],
      ['9050\r', 9050],
      ['\n9050', 9050],
      ['9050\f', null],
      ['\f 9050', null],
      ['9050\v', null],
      ['auto\f', null],
      ['\vauto', null],
      ['\f auto', null],
      ['0\f', null],
      ['65536', null],
      ['-1', null],
      ['0x50', null],
      ['1e3', null],
      ['abc', null],
      ['80abc', null],
      ['4294967376', null],
      ['1.5', null],
    ];
    const refused = [
      '9050 IsolateDestAddr',
      '127.0.0.1:9050',
      'localhost:9050',
      '[::1]:9050',
      'unix:/tmp/hotrc-conformance.sock',
      '9050 NoIPv4Traffic IPv6Traffic',
      '90\r50',
    ];
    const agreedProbes = agreed.map(([text]): Probe => ({ text }));
    const refusedProbes = refused.map((text): Probe => ({ text }));
    let readings: Map<Probe, TorReading>;
    before(async () => {
      readings = await askTor([...agreedProbes, ...refusedProbes], socks, () => false);
    });
    const off = 'SocksPort, TransPort, NATDPort, DNSPort, and ORPort are all undefined';
    agreedProbes.forEach((p, i) => {
      const expected = (agreed[i] as readonly [string, number | 'auto' | null])[1];
      it(`agrees with Tor on ${show(p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = Port.decode(p.text);
        assert.equal(isRight(hotrc), tor.valid, JSON.stringify(tor.messages));
        if (expected === null) return assert.ok(isLeft(hotrc));
        assert.deepEqual(hotrc, { _tag: 'Right', right: expected });
        assert.equal(
          tor.messages.some((m) => m.includes(off)),
          expected === 0,
          `Tor reads ${show(p.text)} as ${expected === 0 ? 'off' : 'a listener'}`,
        );
      });
    });
    for (const p of refusedProbes) {
      it(`hotrc refuses Tor's ${show(p.text)}: hotrc takes only a port number or auto`, () => {
        const hotrc = Port.decode(p.text);
        assert.ok(isLeft(hotrc));
        assert.match(hotrc.left[0]?.message ?? '', /hotrc takes only a port number/);
        assert.equal(
          reading(readings, p).valid,
          true,
          JSON.stringify(reading(readings, p).messages),
        );
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // Router sets: Tor's dump lists the entries it kept, joined with commas.

  describe('router sets (ExcludeNodes)', () => {
    const fp = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    const exclude: ReadonlyArray<Carrier> = [{ option: 'ExcludeNodes', fallback: undefined }];
    const agreed = [
      `$${fp}`,
      fp,
      `$${fp.toLowerCase()}`,
      `$${fp}~nick`,
      `$${fp}=nick`,
      `${fp}=nick`,
      `${fp}~a`,
      `$${fp}~`,
      `$${fp}~toolongnickname12345`,
      `$${fp}0`,
      `$${fp.slice(1)}`,
      '$',
      'nick',
      'Nick123',
      'NICK',
      'a',
      'abcdefghijklmnopqrs',
      'abcdefghijklmnopqrst',
      'ni-ck',
      'ni_ck',
      'nick!',
      '\u00f1ick',
      'a b',
      '{us}',
      '{US}',
      '{??}',
      '{a1}',
      '{12}',
      '{usa}',
      '{u}',
      '{}',
      '1.2.3.4',
      '1.2.3.0/24',
      '1.2.3.4/0',
      '0.0.0.0/0',
      '1.2.3.4/08',
      '1.2.3.0/255.255.255.0',
      '1.2.3.4/255.255.255.255',
      '1.2.3.4/0.0.0.0',
      '1.2.3.0/255.0.255.0',
      '1.2.3.4/33',
      '1.2.3.4/24/8',
      '1.2.3.4/255.255.255.0x',
      '*',
      '*4',
      '*6',
      '*:*',
      '*:80',
      '*4:80',
      '*:80-90',
      '*/8',
      '*4/8',
      '*6/8',
      '1.2.3.4:80',
      '1.2.3.4:80-90',
      '1.2.3.4:1-65535',
      '1.2.3.4:65535',
      '1.2.3.4:08',
      '1.2.3.4:*',
      '1.2.3.4/24:80',
      '1.2.3.4:90-80',
      '1.2.3.4:80abc',
      '1.2.3.4:0',
      '1.2.3.4:0-80',
      '1.2.3.4:80-0',
      '1.2.3.4:65536',
      '1.2.3.4:-80',
      '1.2.3.4:*-80',
      '1.2.3.4:80:90',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.04',
      '256.1.1.1',
      '1.2.3.4.5',
      '1.2.3.*',
      'foo.bar',
      'private:*',
      '1.2.3.4 5.6.7.8',
      '[::1]',
      '[::1]/64',
      '[::1]/0128',
      '[::]/0',
      '[::1]:80',
      '[::1]/64:80',
      '[ABCD::1]',
      '[2001:db8::]/32',
      '[::ffff:1.2.3.4]',
      '[::ffff:1.2.3.4]/24',
      '[::ffff:1.2.3.4]/100',
      '[::1.2.3.4]',
      '[1::]',
      '[::1:2:3:4:5:6:7]',
      '[0::0]',
      '[1:2:3:4:5:6:7:8]',
      '[1:2:3:4:5:6:1.2.3.4]',
      '[::1]/129',
      '[::ffff:1.2.3.4]/40',
      '[::1]/64x',
      '[::1]:0',
      '[::1',
      '::1',
      '2001:db8::1',
      '[1:2:3:4:5:6:7::8]',
      '[1::2::3]',
      '[12345::1]',
      '[:::]',
      '[fe80::1%eth0]',
      '[1:2:3:4:5:6:7:1.2.3.4]',
      '[1:2:3:4:5:6:7]',
      '[1.2.3.4::]',
      '[::1.2.3]',
      '[1::2:]',
      `1.2.3.4/${'0'.repeat(70)}24`,
      `1.2.3.4/${'0'.repeat(71)}24`,
      // whole values
      'a,,b',
      ' a , b ',
      ',',
      '{us},nick,1.2.3.4',
      'good,ni-ck',
      '1.2.3.4 ',
    ].map((text): Probe => ({ text }));
    const refused = [
      '1.2.3.4/',
      '[::1]/',
      '1.2.3.4/-0',
      '1.2.3.4/+8',
      '[::1]x',
      '[::1]/255.255.255.0',
      '[1.2.3.4]',
      '1.2.3.4:',
      '[::1]:',
      '1.2.3.4:+80',
      '{us}x',
      '[::ffff:01.2.3.4]',
      'accept 1.2.3.4',
      'reject 1.2.3.4',
      'reject private:*',
      'accept6 [::1]',
    ].map((text): Probe => ({ text }));
    let readings: Map<Probe, TorReading>;
    before(async () => {
      readings = await askTor([...agreed, ...refused], exclude, () => false);
    });
    for (const p of agreed) {
      it(`agrees with Tor on ${show(p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = parseRouterSet(p.text);
        assert.equal(
          isRight(hotrc),
          tor.valid,
          `hotrc ${JSON.stringify(hotrc)}, Tor ${JSON.stringify(tor.messages)}`,
        );
        if (isRight(hotrc)) {
          assert.deepEqual(
            tor.values.flatMap((v) => v.split(',')),
            hotrc.right,
          );
        } else {
          const bad = /^Entry '(.*)' is malformed/s.exec(hotrc.left)?.[1];
          assert.ok(
            tor.messages.some((m) => m.includes(`Entry '${bad}' in ExcludeNodes is malformed`)),
            `Tor said ${JSON.stringify(tor.messages)}, hotrc said ${show(hotrc.left)}`,
          );
        }
      });
    }
    for (const p of refused) {
      it(`hotrc refuses Tor's ${show(p.text)}`, () => {
        const hotrc = parseRouterSet(p.text);
        assert.ok(isLeft(hotrc), JSON.stringify(hotrc));
        assert.equal(
          reading(readings, p).valid,
          true,
          JSON.stringify(reading(readings, p).messages),
        );
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // Bridges: Tor's dump echoes the line; hotrc's normal form of both must match.

  describe('bridges (Bridge, with UseBridges 1)', () => {
    const fp = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    const spaced = 'ABCD EF01 2345 6789 ABCD EF01 2345 6789 ABCD EF01';
    const carrier: ReadonlyArray<Carrier> = [{ option: 'Bridge', fallback: undefined }];
    const header = ['UseBridges 1'];
    const agreed = [
      '1.2.3.4:443',
      '1.2.3.4',
      `1.2.3.4:443 ${fp}`,
      `1.2.3.4:443 ${fp.toLowerCase()}`,
      `1.2.3.4:443 ${spaced}`,
      `1.2.3.4:443   ${fp}`,
      '[2001:db8::1]:443',
      '[2001:db8::1]',
      '1.2.3.4:0443',
      '1.2.3.4:65535',
      '1.2.3.4:1',
      `obfs4 1.2.3.4:443 ${fp} cert=abc iat-mode=0`,
      'obfs4 1.2.3.4:443',
      'obfs4 1.2.3.4:443 cert=abc',
      `obfs4 1.2.3.4:443 ${fp} k=`,
      `obfs4 1.2.3.4:443 ${fp} k==v`,
      `obfs4 [::1]:443 ${fp}`,
      'meek_lite 1.2.3.4:443',
      '_x 1.2.3.4:443',
      `obfs4 1.2.3.4:443 ${fp} cert=a\\b`,
      `obfs4 1.2.3.4:443 ${fp} cert=a;b`,
      `webtunnel 1.2.3.4:443 ${fp} url=${'a'.repeat(506)}`,
      // Words end at spaces and tabs only, trimmed of the other isspace() at their ends.
      `\f obfs4\t1.2.3.4:443 \v`,
      `1.2.3.4:443 \f${fp}\r`,
      `obfs4 1.2.3.4:443 ${fp} k=v\fx`,
      // refused by both
      `1.2.3.4:443\f${fp}`,
      'obfs4\v1.2.3.4:443',
      `1.2.3.4:443 ${spaced.replace(' ', '\f')}`,
      `1.2.3.4:443 $${fp}`,
      `1.2.3.4:443 ${fp}0`,
      '1.2.3.4:0',
      '1.2.3.4:65536',
      'bridge.example.com:443',
      `obfs4 1.2.3.4:443 ${spaced}`,
      `obfs4 1.2.3.4:443 ${fp} notkv`,
      `obfs4 1.2.3.4:443 ${fp} =x`,
      'obfs4',
      '4bfs 1.2.3.4:443',
      'obfs-4 1.2.3.4:443',
      '1.2.3.4:443 cert=abc',
      `1.2.3.4:443 ${fp} extra`,
      '01.2.3.4:443',
      '1.2.3.4:',
      '[::1]:',
      `1.2.3.4:443 ${spaced.slice(0, -1)}`,
      `1.2.3.4:443 ZZ${fp.slice(2)}`,
      'localhost',
      '1.2.3.4:443:5',
      '[1.2.3.4]:443',
      `webtunnel 1.2.3.4:443 ${fp} url=${'a'.repeat(507)}`,
      `obfs4 1.2.3.4:443 ${fp} cert=${'a'.repeat(600)} iat-mode=0`,
    ].map((text): Probe => ({ text, before: () => [] }));
    const refused = ['2001:db8::1', '1.2.3.4:+443', `obfs4 1.2.3.4:+443 ${fp}`].map(
      (text): Probe => ({ text }),
    );
    let readings: Map<Probe, TorReading>;
    before(async () => {
      readings = await askTor(
        [...agreed, ...refused],
        carrier,
        (p) => isRight(parseBridgeLine(p.text)),
        {
          lineList: true,
          header,
        },
      );
    });
    for (const p of agreed) {
      it(`agrees with Tor on ${show(p.text.length > 90 ? `${p.text.slice(0, 90)}...` : p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = parseBridgeLine(p.text);
        assert.equal(
          isRight(hotrc),
          tor.valid,
          `hotrc ${JSON.stringify(hotrc)}, Tor ${JSON.stringify(tor.messages)}`,
        );
        if (isRight(hotrc)) {
          const dumped = parseBridgeLine(tor.values[0] ?? '');
          assert.ok(isRight(dumped));
          assert.equal(formatBridgeLine(dumped.right), formatBridgeLine(hotrc.right));
        }
      });
    }
    for (const p of refused) {
      it(`hotrc refuses Tor's ${show(p.text)}`, () => {
        assert.ok(isLeft(parseBridgeLine(p.text)));
        assert.equal(
          reading(readings, p).valid,
          true,
          JSON.stringify(reading(readings, p).messages),
        );
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // Onion service ports, each under its own HiddenServiceDir in a temp directory.

  describe('onion service ports (HiddenServicePort)', () => {
    let dir: string;
    const carrier: ReadonlyArray<Carrier> = [{ option: 'HiddenServicePort', fallback: undefined }];
    const withDir = (text: string): Probe => ({
      text,
      before: (slot) => [`HiddenServiceDir ${join(dir, `hs${slot}`)}`],
    });
    const agreed = [
      '80',
      '80 8080',
      '80 127.0.0.1:8080',
      '80 127.0.0.1',
      '80 [::1]:8080',
      '80 [::1]',
      '80 unix:/tmp/hotrc-hs.sock',
      '80 unix:"/tmp/hotrc a b.sock"',
      '65535',
      '+80',
      '080',
      '80 +8080',
      '80 1.2.3.4:8080',
      '80 0.0.0.0:8080',
      '80 127.0.0.1:08080',
      '1 65535',
      '80 unix:"/tmp/x\\x41.sock"',
      // Split in two at the first space only, each part trimmed of isspace().
      '80\t 127.0.0.1:8080',
      '80 \f127.0.0.1:8080',
      '\v80 127.0.0.1:8080\f',
      '80  \t8080',
      // refused by both
      '80\t127.0.0.1:8080',
      '80\f8080',
      '0',
      '65536',
      '-0',
      '80abc',
      '80 0',
      '80 65536',
      '80 127.0.0.1:0',
      '80 127.0.0.1:65536',
      '80 127.0.0.1:8080 extra',
      '80 8080abc',
      '80 example.invalid:80',
      '80 127.0.0.1:',
      '80 *:8080',
      '80 localhost',
      '80 unix:"/tmp/unterminated',
      '80 unix:"/tmp/a" extra',
      '80 unix:"/tmp/bad\\q"',
    ].map(withDir);
    const refused = [
      '80 ::1',
      '80 localhost:8080',
      '80 unix:',
      '80 01.2.3.4:8080',
      '80 [::1]:+8080',
      // Tor keeps the raw byte 0xff in the path; as text it could only become U+FFFD.
      '80 unix:"/tmp/x\\xff.sock"',
    ].map(withDir);
    let readings: Map<Probe, TorReading>;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotrc-hs-'));
      readings = await askTor(
        [...agreed, ...refused],
        carrier,
        (p) => isRight(parseHiddenServicePort(p.text)),
        { lineList: true },
      );
    });
    after(async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });
    for (const p of agreed) {
      it(`agrees with Tor on ${show(p.text)}`, () => {
        const tor = reading(readings, p);
        const hotrc = parseHiddenServicePort(p.text);
        assert.equal(
          isRight(hotrc),
          tor.valid,
          `hotrc ${JSON.stringify(hotrc)}, Tor ${JSON.stringify(tor.messages)}`,
        );
        if (isRight(hotrc)) assert.deepEqual(parseHiddenServicePort(tor.values[0] ?? ''), hotrc);
      });
    }
    for (const p of refused) {
      it(`hotrc refuses Tor's ${show(p.text)}`, () => {
        assert.ok(isLeft(parseHiddenServicePort(p.text)));
        assert.equal(
          reading(readings, p).valid,
          true,
          JSON.stringify(reading(readings, p).messages),
        );
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  // Generated values hotrc accepts must all be accepted by Tor, and read alike.

  describe('generated values hotrc accepts', () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9A-Fa-f]{${n}}$`));
    const octet = fc.integer({ min: 0, max: 255 });
    const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
    const ipv6 = fc.oneof(
      fc.array(group, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
      fc
        .tuple(fc.array(group, { maxLength: 3 }), fc.array(group, { maxLength: 3 }))
        .map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
    );
    const port = fc.integer({ min: 1, max: 65535 });
    const ports = fc.oneof(
      fc.constant('*'),
      port.map(String),
      fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    );
    const nick = fc.stringMatching(/^[A-Za-z0-9]{1,19}$/);
    const entry = fc.oneof(
      fc
        .tuple(fc.boolean(), hex(40), fc.option(fc.tuple(fc.constantFrom('~', '='), nick)))
        .map(([dollar, h, n]) => `${dollar ? '$' : ''}${h}${n === null ? '' : n.join('')}`),
      nick,
      fc.stringMatching(/^\{([A-Za-z]{2}|\?\?)\}$/),
      fc
        .tuple(ipv4, fc.option(fc.integer({ min: 0, max: 32 })), fc.option(ports))
        .map(([a, m, p]) => `${a}${m === null ? '' : `/${m}`}${p === null ? '' : `:${p}`}`),
      fc
        .tuple(ipv6, fc.option(fc.integer({ min: 0, max: 128 })), fc.option(ports))
        // Tor refuses 33-95 mask bits on a v4-mapped address.
        .filter(
          ([a, m]) => m === null || m <= 32 || m >= 96 || !isV4Mapped(expectRight(parseIPv6(a))),
        )
        .map(([a, m, p]) => `[${a}]${m === null ? '' : `/${m}`}${p === null ? '' : `:${p}`}`),
      fc
        .tuple(fc.constantFrom('*', '*4', '*6'), fc.option(ports))
        .map(([s, p]) => (p === null ? s : `${s}:${p}`)),
    );
    const routerSets = fc.sample(fc.array(entry, { minLength: 1, maxLength: 6 }), {
      numRuns: 40,
      seed: 7,
    });
    const address = fc.oneof(
      ipv4,
      ipv6.map((a) => `[${a}]`),
    );
    const kv = fc.stringMatching(/^[a-z-]{1,8}=[A-Za-z0-9+/=;\\-]{0,20}$/);
    const bridges = fc.sample(
      fc
        .tuple(
          fc.option(fc.stringMatching(/^[a-z_][a-z0-9_]{0,9}$/)),
          address,
          fc.option(port),
          fc.option(hex(40)),
          fc.array(kv, { maxLength: 3 }),
        )
        .map(([t, a, p, f, args]) =>
          [t, p === null ? a : `${a}:${p}`, f, ...(t === null ? [] : args)]
            .filter((w) => w !== null)
            .join(' '),
        ),
      { numRuns: 40, seed: 7 },
    );
    const unixPath = fc.stringMatching(/^\/[A-Za-z0-9 ._#"\\-]{1,20}$/);
    const onion = fc.sample(
      fc
        .record({
          VirtualPort: port,
          TargetAddr: fc.oneof(
            fc.tuple(ipv4, port).map(([a, p]) => `${a}:${p}`),
            fc.tuple(ipv6, port).map(([a, p]) => `[${a}]:${p}`),
            unixPath.map((path) => `unix:${path}`),
          ),
        })
        .map((p) => ({ ...p })),
      { numRuns: 40, seed: 7 },
    );

    // Each list goes to Tor in one run; a refusal fails the test with Tor's reasons.
    it('Tor accepts 40 generated router sets and lists the same entries', async () => {
      for (const set of routerSets)
        assert.deepEqual(parseRouterSet(set.join(',')), { _tag: 'Right', right: set });
      const verdict = await torVerifyText(
        `${routerSets.map((s) => `ExcludeNodes ${s.join(',')}`).join('\n')}\n`,
      );
      assert.ok(verdict.valid, JSON.stringify(verdict.messages));
      const dumped = verdict.dump
        .filter(([k]) => k === 'ExcludeNodes')
        .flatMap(([, v]) => v.split(','));
      assert.deepEqual(dumped, routerSets.flat());
    });

    it('Tor accepts 40 generated bridge lines', async () => {
      for (const b of bridges) assert.ok(isRight(parseBridgeLine(b)), b);
      // quoteTorrcValue matters here: an argument ending in '\' would continue the line.
      const lines = bridges.map((b) => `Bridge ${quoteTorrcValue(b)}`);
      const verdict = await torVerifyText(`UseBridges 1\n${lines.join('\n')}\n`);
      assert.ok(verdict.valid, JSON.stringify(verdict.messages));
      assert.equal(verdict.dump.filter(([k]) => k === 'Bridge').length, bridges.length);
    });

    it('Tor accepts 40 generated onion service ports written by formatHiddenServicePort', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hotrc-hs-'));
      try {
        const lines = onion.flatMap((p, i) => [
          `HiddenServiceDir ${join(dir, `hs${i}`)}`,
          `HiddenServicePort ${quoteTorrcValue(formatHiddenServicePort(p))}`,
        ]);
        for (const p of onion)
          assert.deepEqual(parseHiddenServicePort(formatHiddenServicePort(p)), {
            _tag: 'Right',
            right: p,
          });
        const verdict = await torVerifyText(`${lines.join('\n')}\n`);
        assert.ok(verdict.valid, JSON.stringify(verdict.messages));
        const dumped = verdict.dump
          .filter(([k]) => k === 'HiddenServicePort')
          .map(([, v]) => parseHiddenServicePort(dumpedText(v)));
        assert.deepEqual(
          dumped,
          onion.map((p) => ({ _tag: 'Right', right: p })),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  // quoteTorrcValue: Tor must read back exactly the text hotrc wrote (ContactInfo is free text).

  // -------------------------------------------------------------------------------------------
  // Generated near misses (near-misses.ts, one fixed seed), every one asked of Tor. What hotrc
  // accepts, Tor must accept and read the same: hotrc must never pass a config Tor refuses. What
  // only Tor accepts must be one of hotrc's deliberate refusals (the "hotrc refuses" tables),
  // known by its reason; any other is a difference nobody chose.

  describe('generated near misses', () => {
    // Text a torrc line carries as it is: no NUL, no lone surrogate (a file holds U+FFFD there).
    const writable = (s: string) =>
      !s.includes('\0') &&
      !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
    const sample = (arb: fc.Arbitrary<string>, keep: (s: string) => boolean): Probe[] =>
      [...new Set(fc.sample(arb, { seed: 20261203, numRuns: 400 }))]
        .filter((s) => writable(s) && keep(s))
        .map((text) => ({ text }));
    // One entry each: no comma, and nothing a list would trim.
    const entries = sample(routerSetEntryText, (s) => /^[^\s,]+$/.test(s));
    const lines = sample(fc.oneof(bridgeLineText, normalBridgeLineText), (s) => s.trim() !== '');
    // VIRTPORT [TARGET], with every blank Tor splits at or trims.
    const onionText = fc
      .tuple(
        portText,
        fc.constantFrom(' ', '  ', '\t', ' \t', '\t ', '\f', ' \f', '\v ', ''),
        fc.oneof(
          portText,
          addrPortText,
          fc.constantFrom('unix:/tmp/hotrc-hs.sock', 'unix:"/tmp/a b.sock"', 'unix:', ''),
        ),
        fc.constantFrom('', ' ', '\t', ' x', '\f', '\tx'),
      )
      .map(([v, blank, target, tail]) => `${v}${blank}${target}${tail}`);
    let dir: string;
    const onions = sample(onionText, (s) => s.trim() !== '').map(
      (p): Probe => ({ ...p, before: (slot) => [`HiddenServiceDir ${join(dir, `hs${slot}`)}`] }),
    );
    // An IPv6 address whose embedded IPv4 part has an octet with a leading zero: Tor reads it,
    // hotrc refuses it as it refuses 01.2.3.4 (see "hotrc refuses" in each table above).
    const embeddedZero = /:(?=\d+\.\d+\.\d+\.\d+)(?:\d+\.){0,3}0\d/;
    const deliberateEntry = [
      /an IPv6 address goes in brackets/,
      /an IPv4 address takes no brackets/,
      /an empty mask/,
      // "/-0", and an IPv4 mask on an IPv6 address
      /malformed mask \/(-0|[0-9.]+)$/,
      /unexpected ".*" after the address/,
      // a '+' on a port, a ':' with no port
      /ports are \*, a port or a range/,
      /a country code is two letters/,
      embeddedZero,
      /not accept\/reject policy lines/,
    ];
    const deliberateOnion = [
      /an IPv6 address goes in brackets/,
      // a host name, and an IPv4 address with leading zeros
      /no host names/,
      /Empty unix socket path/,
      /Port "\+/,
      embeddedZero,
    ];
    const deliberateLine = [/an IPv6 address goes in brackets/, /Port "\+/, embeddedZero];
    let entryReadings: Map<Probe, TorReading>;
    let lineReadings: Map<Probe, TorReading>;
    let onionReadings: Map<Probe, TorReading>;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotrc-hs-'));
      onionReadings = await askTor(
        onions,
        [{ option: 'HiddenServicePort', fallback: undefined }],
        (p) => isRight(parseHiddenServicePort(p.text)),
        { lineList: true },
      );
      entryReadings = await askTor(
        entries,
        [{ option: 'ExcludeNodes', fallback: undefined }],
        () => false,
      );
      lineReadings = await askTor(
        lines,
        [{ option: 'Bridge', fallback: undefined }],
        (p) => isRight(parseBridgeLine(p.text)),
        { lineList: true, header: ['UseBridges 1'] },
      );
    });

    after(async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    // Every probe hotrc takes, Tor takes and reads alike (readAlike); every one only Tor takes,
    // hotrc refuses for a reason in `deliberate`; and agreement both ways occurs, or the sample
    // says nothing.
    function judge<A>(
      probes: ReadonlyArray<Probe>,
      readings: Map<Probe, TorReading>,
      parse: (text: string) => Either<string, A>,
      readAlike: (tor: TorReading, hotrc: A, text: string) => void,
      deliberate: ReadonlyArray<RegExp>,
    ): void {
      const both = { accepted: 0, refused: 0 };
      for (const p of probes) {
        const tor = reading(readings, p);
        const hotrc = parse(p.text);
        if (isRight(hotrc)) {
          assert.ok(
            tor.valid,
            `hotrc accepts ${show(p.text)}, Tor: ${show(tor.messages.join('; '))}`,
          );
          readAlike(tor, hotrc.right, p.text);
          both.accepted++;
        } else if (tor.valid) {
          assert.ok(
            deliberate.some((r) => r.test(hotrc.left)),
            `only Tor accepts ${show(p.text)}; hotrc: ${hotrc.left}`,
          );
        } else both.refused++;
      }
      assert.ok(both.accepted >= 20 && both.refused >= 20, JSON.stringify(both));
    }

    it('router set entries: Tor takes every one hotrc takes, and hotrc refuses only on purpose', () =>
      judge(
        entries,
        entryReadings,
        parseRouterSet,
        (tor, hotrc, text) =>
          assert.deepEqual(
            tor.values.flatMap((v) => v.split(',')),
            hotrc,
            show(text),
          ),
        deliberateEntry,
      ));

    it('onion service ports: Tor takes every one hotrc takes, and hotrc refuses only on purpose', () =>
      judge(
        onions,
        onionReadings,
        parseHiddenServicePort,
        (tor, hotrc, text) =>
          assert.deepEqual(parseHiddenServicePort(tor.values[0] ?? ''), right(hotrc), show(text)),
        deliberateOnion,
      ));

    it('bridge lines: Tor takes every one hotrc takes, and hotrc refuses only on purpose', () =>
      judge(
        lines,
        lineReadings,
        parseBridgeLine,
        (tor, hotrc, text) => {
          const dumped = parseBridgeLine(tor.values[0] ?? '');
          assert.ok(isRight(dumped), show(tor.values[0] ?? ''));
          assert.equal(formatBridgeLine(dumped.right), formatBridgeLine(hotrc), show(text));
        },
        deliberateLine,
      ));
  });

  describe('quoted text (ContactInfo)', () => {
    const texts = [
      'plain',
      'inner  spaces kept',
      'a#b',
      '  lead',
      'trail  ',
      'tab\there',
      'quote"in',
      '"starts quoted"',
      'back\\slash',
      'ends with \\',
      'new\nline',
      'cr\rhere',
      '\u0001ctl\u007f',
      'caf\u00e9 \u{1f9c5}',
      "single'quote",
      '',
    ];
    const dumpedValue = (verdict: TorVerdict): string =>
      dumpedText(verdict.dump.find(([k]) => k === 'ContactInfo')?.[1] ?? '');
    for (const text of texts) {
      it(`Tor reads ${show(text)} back from quoteTorrcValue's ${show(quoteTorrcValue(text))}`, async () => {
        const verdict = await torVerifyText(`ContactInfo ${quoteTorrcValue(text)}\n`);
        assert.ok(verdict.valid, JSON.stringify(verdict.messages));
        assert.equal(dumpedValue(verdict), text);
      });
    }
  });
});
