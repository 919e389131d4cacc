// fast-check arbitraries for the differential tests against the regex oracle: text that is
// valid, or one slip away from valid, in every way the readers branch on. Uniformly random
// strings almost never reach the interesting branches (a 40-digit fingerprint, a '::' in the
// right place), so each arbitrary mixes well-formed parts, broken parts and plain noise.
import fc from 'fast-check';

const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF');
const hex = (min: number, max: number) =>
  fc.array(hexChar, { minLength: min, maxLength: max }).map((cs) => cs.join(''));
const from = (alphabet: string, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((cs) => cs.join(''));

/** A decimal octet, sometimes out of range, with a leading zero, empty or too long. */
const octet = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('256', '999', '00', '01', '007', '', '1234', '+1', 'a') },
);

/** IPv4 text: mostly four octets, sometimes three or five, or an empty octet, or junk. */
export const ipv4Text: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')) },
  {
    weight: 1,
    arbitrary: fc.array(octet, { minLength: 0, maxLength: 6 }).map((o) => o.join('.')),
  },
  { weight: 1, arbitrary: from('0123456789.', 18) },
);

const group = fc.oneof(
  { weight: 8, arbitrary: hex(1, 4) },
  { weight: 1, arbitrary: fc.constantFrom('', '12345', 'g', '0x1', '1%e', ' 1') },
);

/** IPv6 text: full, compressed (one '::' or two), with an IPv4 tail, and near misses. */
export const ipv6Text: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.array(group, { minLength: 1, maxLength: 9 }).map((g) => g.join(':')),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.array(group, { maxLength: 7 }),
        fc.array(group, { maxLength: 7 }),
        fc.constantFrom('::', '::', ':::', ':'),
      )
      .map(([a, b, gap]) => `${a.join(':')}${gap}${b.join(':')}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.array(group, { maxLength: 7 }), fc.boolean(), ipv4Text)
      .map(([a, compressed, v4]) => `${a.join(':')}${compressed ? '::' : ':'}${v4}`),
  },
  { weight: 1, arbitrary: from('0123456789abcdefABCDEFg:.%', 45) },
);

/** A port's text: in range, 0, too big, with leading zeros or a sign, empty, junk. */
export const portText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 70000 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '0443', '000000000000080', '+80', '-1', '80a', ' 80', '1e3'),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{6,30}$/) },
);

/** `ADDR[:PORT]` as a bridge line has it, with the slips Tor's parser tells apart. */
export const addrPortText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(ipv4Text, portText).map(([a, p]) => `${a}:${p}`) },
  { weight: 2, arbitrary: ipv4Text },
  { weight: 2, arbitrary: fc.tuple(ipv6Text, portText).map(([a, p]) => `[${a}]:${p}`) },
  { weight: 1, arbitrary: ipv6Text.map((a) => `[${a}]`) },
  { weight: 1, arbitrary: ipv6Text },
  {
    weight: 1,
    arbitrary: fc
      .tuple(ipv6Text, fc.constantFrom('', 'x', ':', ']', '::1', ':443:5'))
      .map(([a, after]) => `[${a}${after === ']' ? '' : ']'}${after}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('bridge.example.com:443', 'localhost', '1.2.3.4:443:5') },
);

const fingerprint = fc.oneof(
  { weight: 6, arbitrary: hex(40, 40) },
  { weight: 1, arbitrary: hex(39, 41) },
  { weight: 1, arbitrary: hex(40, 40).map((h) => `$${h}`) },
  { weight: 1, arbitrary: hex(40, 40).map((h) => `Z${h.slice(1)}`) },
  { weight: 1, arbitrary: hex(40, 40).map((h) => (h.match(/.{4}/g) as string[]).join(' ')) },
);

const argument = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z-]{1,10}=[!-~]{0,40}$/) },
  { weight: 1, arbitrary: fc.constantFrom('=x', 'notkv', 'k=', 'k==v', 'cert=a\\b', 'c=a;b;c') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((s) => `u=${s}`) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 150, max: 520 }).map((n) => `url=${'a'.repeat(n)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('u=\ud800', 'u=\udc00x', 'u=\ud83d\ude00', 'u=é€') },
  // Near Tor's 510-byte limit in characters of two and three bytes and in escaped ones.
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('é', '€', ';', '\\', '\ud83d\ude00', '\ud800'),
        fc.integer({ min: 80, max: 300 }),
      )
      .map(([c, n]) => `u=${c.repeat(n)}`),
  },
);

const transport = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('obfs4', 'webtunnel', 'snowflake', 'meek_lite', '_x') },
  { weight: 1, arbitrary: fc.constantFrom('4bfs', 'obfs-4', 'é') },
);

const separator = fc.oneof(
  { weight: 8, arbitrary: fc.constant(' ') },
  { weight: 1, arbitrary: fc.constantFrom('  ', '\t', ' \t ', '\n', '\v', '\f', '\r', '\r\n') },
);

/** A bridge line: the words Tor's parse_bridge_line tells apart, between any C whitespace. */
export const bridgeLineText: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(transport, { nil: undefined }),
    fc.option(addrPortText, { nil: undefined, freq: 12 }),
    fc.option(fingerprint, { nil: undefined }),
    fc.array(argument, { maxLength: 5 }),
    fc.array(separator, { minLength: 10, maxLength: 10 }),
    fc.constantFrom('', '', '', ' ', '\t'),
    fc.constantFrom('', '', '', ' ', '\n'),
  )
  .map(([t, a, f, args, seps, lead, trail]) => {
    const words = [t, a, f, ...args].filter((w): w is string => w !== undefined);
    return (
      lead + words.map((w, i) => (i === 0 ? w : `${seps[i % seps.length]}${w}`)).join('') + trail
    );
  });

// Nicknames of every length around Tor's limit of 19.
const validOctet = fc.integer({ min: 0, max: 255 }).map(String);
const validIPv6 = fc.oneof(
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
    .map((g) => g.map((x) => x.toString(16)).join(':')),
  fc.constantFrom('::1', '2001:db8::1', '::ffff:1.2.3.4', '::', 'fe80::1:2'),
);

/**
 * A bridge line in normal form (single spaces, the port written without leading zeros, the
 * fingerprint in one piece), or one such line with one character changed, dropped or added:
 * what the normal-form shortcut must recognise, and must not be fooled by.
 */
export const normalBridgeLineText: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(fc.constantFrom('obfs4', 'webtunnel', 'meek_lite', '_x', 'T9'), { nil: undefined }),
    fc.oneof(
      fc.tuple(validOctet, validOctet, validOctet, validOctet).map((o) => o.join('.')),
      validIPv6.map((a) => `[${a}]`),
    ),
    fc.integer({ min: 1, max: 65535 }),
    fc.option(hex(40, 40), { nil: undefined }),
    fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.stringMatching(/^[a-z-]{1,8}=[!-~]{0,30}$/) },
        // Long enough to meet Tor's 510-byte limit, counted with its escapes and UTF-8.
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.integer({ min: 150, max: 260 }), fc.constantFrom('a', ';', 'é', '\\', '€'))
            .map(([n, c]) => `u=${'a'.repeat(n)}${c.repeat(n % 7)}`),
        },
      ),
      { maxLength: 3 },
    ),
    fc.option(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('delete', 'insert', 'replace'),
        fc.constantFrom(' ', '\t', '0', '9', 'a', 'G', ':', '.', '[', ']', '=', '$', 'é', '6'),
      ),
      { nil: undefined, freq: 2 },
    ),
  )
  .map(([transport, address, port, fp, args, edit]) => {
    const words = [transport, `${address}:${port}`, fp, ...(transport === undefined ? [] : args)];
    const line = words.filter((w): w is string => w !== undefined).join(' ');
    if (edit === undefined) return line;
    const [at, how, c] = edit;
    const i = at % (line.length + 1);
    if (how === 'insert') return line.slice(0, i) + c + line.slice(i);
    return line.slice(0, i) + (how === 'replace' ? c : '') + line.slice(i + 1);
  });

const nickname = fc
  .integer({ min: 0, max: 21 })
  .chain((n) => from('abcXYZ0189', n).map((s) => s.padEnd(n, 'x')));

/** One router set entry: names, country codes, address patterns, policy lines, near misses. */
export const routerSetEntryText: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fingerprint },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('$', '', '$$'),
        hex(40, 40),
        fc.constantFrom('~', '=', '-', ''),
        nickname,
      )
      .map(([d, h, sep, n]) => `${d}${h}${sep}${sep === '' ? '' : n}`),
  },
  { weight: 2, arbitrary: nickname },
  {
    weight: 1,
    arbitrary: fc
      .tuple(from('usUS0?x', 3), fc.constantFrom('}', '}x', ''))
      .map(([c, close]) => `{${c}${close}`),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.oneof(
          ipv4Text,
          ipv6Text.map((a) => `[${a}]`),
          fc.constantFrom('*', '*4', '*6', '*5', '[1.2.3.4]', '[::1', 'x'),
          ipv6Text,
        ),
        fc.option(
          fc.oneof(
            fc.integer({ min: 0, max: 140 }).map(String),
            ipv4Text,
            fc.constantFrom('', '-0', '255.255.0.0', '255.0.255.0', '0.0.0.0'),
          ),
          { nil: undefined },
        ),
        fc.option(
          fc.oneof(
            portText,
            fc.tuple(portText, portText).map(([a, b]) => `${a}-${b}`),
            fc.constantFrom('*', '', '1-2-3', '-'),
          ),
          { nil: undefined },
        ),
        fc.constantFrom('', '', '', 'x', ']'),
      )
      .map(
        ([a, mask, ports, junk]) =>
          `${a}${mask === undefined ? '' : `/${mask}`}${ports === undefined ? '' : `:${ports}`}${junk}`,
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom('accept 1.2.3.4', 'reject6 *:*', 'ACCEPT', 'acceptx') },
  { weight: 1, arbitrary: fc.stringMatching(/^[[\]0-9a-f:./*$~={}?-]{0,40}$/) },
  { weight: 1, arbitrary: fc.constant('1.2.3.4/8:80'.padEnd(81, '0')) },
);

/** A router set value: entries between commas, with C whitespace and empty items. */
export const routerSetText: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(routerSetEntryText, { maxLength: 6 }),
    fc.array(fc.constantFrom(',', ', ', ' ,\t', ',,', ' , ,', '\r,\n', ',\v\f'), {
      minLength: 6,
      maxLength: 6,
    }),
  )
  .map(([entries, seps]) =>
    entries.map((e, i) => (i === 0 ? e : `${seps[i % seps.length]}${e}`)).join(''),
  );
