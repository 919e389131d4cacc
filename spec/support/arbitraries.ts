// fast-check generators for valid TorConfigs, shared by the schema property tests.
import fc from 'fast-check';
import type { OnionService, TorConfig } from '../../lib/tor/schema/tor-config.js';

const INT_MAX = 2147483647;

/** A duration in ms: whole seconds (Tor words) or with milliseconds (Go durations). */
export const intervalMs = (min = 0, max = INT_MAX * 1000): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: Math.ceil(min / 1000), max: Math.floor(max / 1000) }).map((s) => s * 1000),
    fc.integer({ min: Math.max(min, 0), max: Math.min(max, 10_000_000) }),
  );

const port = fc.integer({ min: 1, max: 65535 });
const octet = fc.integer({ min: 1, max: 254 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((p) => p.join('.'));
const hex40 = fc.stringMatching(/^[0-9A-F]{40}$/);
const nickname = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,18}$/);

/** A bridge line Tor accepts: optional transport, address:port, optional fingerprint. */
export const bridgeLine: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(fc.constantFrom('obfs4', 'snowflake', 'webtunnel')),
    ipv4,
    port,
    fc.option(hex40),
  )
  .map(([transport, ip, p, fp]) =>
    [transport, `${ip}:${p}`, fp].filter((x) => x !== null).join(' '),
  );

/** One router-set item: fingerprint, nickname or country code. */
export const routerSetEntry: fc.Arbitrary<string> = fc.oneof(
  hex40.map((h) => `$${h}`),
  nickname,
  fc.constantFrom('{us}', '{de}', '{??}'),
);

/** Printable text, with the characters that force quoting in a torrc. */
export const torrcText: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...'abc XYZ/._-#"\\\'\t\n\u00e9\u4e2d'.split('')),
  maxLength: 30,
});

const onionGroup: fc.Arbitrary<OnionService[]> = fc
  .tuple(
    fc.stringMatching(/^\/var\/lib\/tor\/[a-z0-9]{1,8}$/),
    fc.array(fc.tuple(port, fc.option(port)), { minLength: 1, maxLength: 3 }),
    fc.integer({ min: 0, max: 65535 }),
    fc.array(
      fc.record(
        { Name: nickname, Key: fc.stringMatching(/^descriptor:x25519:[A-Z2-7]{52}$/) },
        { noNullPrototype: true },
      ),
      { maxLength: 2 },
    ),
  )
  .map(([dir, ports, maxStreams, auth]) =>
    ports.map(([virt, target]) => ({
      ServiceDir: dir,
      VirtualPort: virt,
      TargetAddr: `127.0.0.1:${target ?? virt}`,
      MaxStreams: maxStreams,
      ClientAuth: auth,
    })),
  );

/** Onion services whose directories are all different, each group contiguous. */
export const onionServices: fc.Arbitrary<OnionService[]> = fc
  .uniqueArray(onionGroup, { maxLength: 3, selector: (g) => g[0]?.ServiceDir })
  .map((groups) => groups.flat());

/** Any config that passes validation. */
export const validConfig: fc.Arbitrary<TorConfig> = fc
  .record(
    {
      ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 3, maxLength: 3 }),
      portsOff: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
      EnableMetrics: fc.boolean(),
      DataDirectory: torrcText,
      CircuitBuildTimeout: intervalMs(1),
      // Tor's range (torChecks): 10 s to 30 days.
      MaxCircuitDirtiness: intervalMs(10_000, 30 * 86_400_000),
      NewCircuitPeriod: intervalMs(1),
      NumEntryGuards: fc.integer({ min: 1, max: INT_MAX }),
      UseEntryGuards: fc.boolean(),
      BridgeAddresses: fc.array(bridgeLine, { maxLength: 3 }),
      useBridges: fc.boolean(),
      ExcludeNodes: fc.array(routerSetEntry, { maxLength: 4 }),
      ExcludeExitNodes: fc.array(routerSetEntry, { maxLength: 4 }),
      ConnLimit: fc.integer({ min: 1, max: INT_MAX }),
      DormantTimeout: intervalMs(1),
      OnionServices: onionServices,
      LogLevel: fc.constantFrom('debug', 'info', 'warn', 'error' as const),
      EnableConnectionPooling: fc.boolean(),
      ConnectionPoolMaxIdle: fc.integer({ min: 0, max: INT_MAX }),
      ConnectionPoolMaxLife: intervalMs(),
      EnableCircuitPrebuilding: fc.boolean(),
      pool: fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })),
      EnableBufferPooling: fc.boolean(),
      IsolationLevel: fc.constantFrom(
        'none',
        'destination',
        'credential',
        'port',
        'session' as const,
      ),
      IsolateDestinations: fc.boolean(),
      IsolateSOCKSAuth: fc.boolean(),
      IsolateClientPort: fc.boolean(),
      IsolateClientProtocol: fc.boolean(),
    },
    { noNullPrototype: true },
  )
  .map(({ ports, portsOff, pool, useBridges, ...rest }) => {
    const [socks = 1, control = 2, metrics = 3] = ports;
    return {
      ...rest,
      SocksPort: portsOff[0] ? 0 : socks,
      ControlPort: portsOff[1] ? 0 : control,
      MetricsPort: portsOff[2] || !rest.EnableMetrics ? 0 : metrics,
      EnableMetrics: rest.EnableMetrics && !portsOff[2],
      UseBridges: useBridges && rest.BridgeAddresses.length > 0 && rest.UseEntryGuards,
      CircuitPoolMinSize: Math.min(...pool),
      CircuitPoolMaxSize: Math.max(...pool),
    };
  });
