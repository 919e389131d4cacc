// decodeTorrc's option rules against the real tor binary (--verify-config, --dump-config short):
// Tor's aliases of option names, its obsolete options, its ports and HiddenService* options as
// line lists, and the checks Tor makes of the values hotrc reads. Each case asks Tor first, so a
// case whose premise about Tor is wrong fails on Tor's answer, not on hotrc's.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { Problem } from '../../../lib/core/problem.js';
import { decodeTorrc } from '../../../lib/tor/schema/decode.js';
import { defaultConfig, type TorConfig } from '../../../lib/tor/schema/tor-config.js';
import { parseTorrc } from '../../../lib/tor/torrc.js';
import { type TorVerdict, torBinary, torVerifyText } from '../../support/tor.js';

const FILE = 'torrc';

function ours(
  text: string,
  strict = false,
): E.Either<ReadonlyArray<Problem>, TorConfig> & {
  problems: ReadonlyArray<Problem>;
} {
  const parsed = parseTorrc(text, { file: FILE });
  assert.ok(E.isRight(parsed), JSON.stringify(parsed));
  const decoded = decodeTorrc(parsed.right, { strict });
  return E.isLeft(decoded)
    ? Object.assign(E.left(decoded.left), { problems: decoded.left })
    : Object.assign(E.right(decoded.right.config), { problems: decoded.right.warnings });
}

function dumped(tor: TorVerdict, key: string): string[] {
  return tor.dump.filter(([k]) => k === key).map(([, v]) => v);
}

function says(problems: ReadonlyArray<Problem>, message: string, severity: Problem['severity']) {
  assert.ok(
    problems.some((p) => p.severity === severity && p.message === message),
    `hotrc should say (${severity}) ${message}: ${JSON.stringify(problems)}`,
  );
}

function torSays(tor: TorVerdict, fragment: string) {
  assert.ok(
    tor.messages.some((m) => m.includes(fragment)),
    `Tor should say ${fragment}: ${JSON.stringify(tor.messages)}`,
  );
}

describe('decodeTorrc option rules conformance with tor', function () {
  this.timeout(60_000);
  let dir: string;
  before(async function () {
    if (torBinary === undefined) {
      console.log('    (skipped: tor is not installed; apt-get install -y tor)');
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'hotrc-decode-conf-'));
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe("Tor's aliases set the option they stand for", () => {
    const cases: ReadonlyArray<
      readonly [string, string, string, (c: TorConfig) => unknown, unknown]
    > = [
      [
        'ExcludeNode {us},{ru}',
        'ExcludeNodes',
        '{us},{ru}',
        (c) => c.ExcludeNodes,
        ['{us}', '{ru}'],
      ],
      ['excludenode {us}', 'ExcludeNodes', '{us}', (c) => c.ExcludeNodes, ['{us}']],
      ['NumEntryNodes 5', 'NumEntryGuards', '5', (c) => c.NumEntryGuards, 5],
      ['NumHelperNodes 5', 'NumEntryGuards', '5', (c) => c.NumEntryGuards, 5],
      ['UseEntryNodes 0', 'UseEntryGuards', '0', (c) => c.UseEntryGuards, false],
      ['UseHelperNodes 0', 'UseEntryGuards', '0', (c) => c.UseEntryGuards, false],
      ['MaxConn 50', 'ConnLimit', '50', (c) => c.ConnLimit, 50],
    ];
    for (const [line, option, torValue, read, value] of cases) {
      it(`${line}: Tor dumps ${option} ${torValue}, hotrc reads ${JSON.stringify(value)}`, async () => {
        const tor = await torVerifyText(`${line}\n`);
        assert.ok(tor.valid, JSON.stringify(tor.messages));
        assert.deepEqual(dumped(tor, option), [torValue]);
        const r = ours(`${line}\n`, true);
        assert.ok(E.isRight(r), JSON.stringify(r.problems));
        assert.deepEqual(read(r.right), value);
      });
    }

    it("MaxConn: Tor's deprecation warning, at its line, and the value still applies", async () => {
      const tor = await torVerifyText('MaxConn 50\nConnLimit 60\n');
      torSays(tor, "The configuration option 'MaxConn' is deprecated; use 'ConnLimit' instead.");
      assert.deepEqual(dumped(tor, 'ConnLimit'), ['60']);
      const r = ours('MaxConn 50\nConnLimit 60\n');
      assert.ok(E.isRight(r));
      assert.equal(r.right.ConnLimit, 60);
      says(
        r.problems,
        "The configuration option 'MaxConn' is deprecated; use 'ConnLimit' instead.",
        'warning',
      );
      says(
        r.problems,
        "Option 'ConnLimit' used more than once; all but the last value will be ignored.",
        'warning',
      );
      assert.equal(r.problems.find((p) => p.message.includes('MaxConn'))?.line, 1);
    });

    it('an alias of an option hotrc does not use is that option, noted as ignored, valid under strict', async () => {
      const tor = await torVerifyText('EntryNode {us}\n');
      assert.ok(tor.valid, JSON.stringify(tor.messages));
      assert.deepEqual(dumped(tor, 'EntryNodes'), ['{us}']);
      const r = ours('EntryNode {us}\n', true);
      assert.ok(E.isRight(r), JSON.stringify(r.problems));
      says(
        r.problems,
        "Tor option 'EntryNodes' (as 'EntryNode') is not used by hotrc; ignored.",
        'info',
      );
    });

    it('a prefix Tor takes with a warning stays unknown to hotrc (a warning; an error under strict)', async () => {
      const tor = await torVerifyText('ExcludeExitNode {us}\n');
      torSays(tor, "The abbreviation 'ExcludeExitNode' is deprecated");
      assert.ok(E.isRight(ours('ExcludeExitNode {us}\n')));
      assert.ok(E.isLeft(ours('ExcludeExitNode {us}\n', true)));
    });
  });

  describe("Tor's obsolete options are skipped with Tor's warning, not unknown", () => {
    for (const option of ['StrictExitNodes', 'WarnUnsafeSocks', 'AllowDotExit', 'HidServAuth']) {
      it(`${option}: valid to Tor and to hotrc, under strict too`, async () => {
        const tor = await torVerifyText(`${option} 1\n`);
        assert.ok(tor.valid, JSON.stringify(tor.messages));
        const message = `Skipping obsolete configuration option "${option}".`;
        torSays(tor, message);
        const r = ours(`${option} 1\n`, true);
        assert.ok(E.isRight(r), JSON.stringify(r.problems));
        says(r.problems, message, 'warning');
      });
    }

    it('an alias of an obsolete option (AllowUnverifiedNodes) is skipped as that option', async () => {
      const tor = await torVerifyText('AllowUnverifiedNodes 1\n');
      const message = 'Skipping obsolete configuration option "AllowInvalidNodes".';
      torSays(tor, message);
      const r = ours('AllowUnverifiedNodes 1\n', true);
      assert.ok(E.isRight(r), JSON.stringify(r.problems));
      says(r.problems, message, 'warning');
    });
  });

  describe('ports are line lists to Tor', () => {
    for (const option of ['SocksPort', 'ControlPort', 'MetricsPort'] as const) {
      it(`an empty ${option} line is skipped with Tor's warning; the value before it stays`, async () => {
        const message = `Linelist option '${option}' has no value. Skipping.`;
        const alone = await torVerifyText(`${option}\n`);
        assert.ok(alone.valid, JSON.stringify(alone.messages));
        torSays(alone, message);
        assert.deepEqual(dumped(alone, option), []);
        const r = ours(`${option}\n`);
        assert.ok(E.isRight(r), JSON.stringify(r.problems));
        assert.equal(r.right[option], defaultConfig()[option]);
        says(r.problems, message, 'warning');

        const after = await torVerifyText(`${option} 9177\n${option}\n`);
        assert.deepEqual(dumped(after, option), ['9177']);
        const r2 = ours(`${option} 9177\n${option}\n`);
        assert.ok(E.isRight(r2), JSON.stringify(r2.problems));
        assert.equal(r2.right[option], 9177);
      });
    }

    it('two SocksPort lines: Tor opens both, hotrc (one port) refuses the second at its line', async () => {
      const tor = await torVerifyText('SocksPort 9050\nSocksPort 9150\n');
      assert.ok(tor.valid, JSON.stringify(tor.messages));
      assert.deepEqual(dumped(tor, 'SocksPort'), ['9050', '9150']);
      const r = ours('SocksPort 9050\n+SocksPort 9150\n');
      assert.ok(E.isLeft(r));
      assert.deepEqual(
        r.left.map((p) => [p.severity, p.line, p.message]),
        [
          [
            'error',
            2,
            "SocksPort is set again (first at line 1): Tor opens a listener for each SocksPort line, and hotrc's SocksPort is one port; keep one SocksPort line.",
          ],
        ],
      );
    });

    it('SocksPort 0 and then a port: refused by both', async () => {
      const tor = await torVerifyText('SocksPort 0\nSocksPort 9150\n');
      assert.equal(tor.valid, false);
      assert.ok(E.isLeft(ours('SocksPort 0\nSocksPort 9150\n')));
    });

    it('a SocksPort after /SocksPort is the only one: the same to both', async () => {
      const text = 'SocksPort 9050\n/SocksPort\nSocksPort 9150\n';
      const tor = await torVerifyText(text);
      assert.deepEqual(dumped(tor, 'SocksPort'), ['9150']);
      const r = ours(text);
      assert.ok(E.isRight(r), JSON.stringify(r.problems));
      assert.equal(r.right.SocksPort, 9150);
    });
  });

  describe('HiddenService* lines are line lists to Tor', () => {
    for (const option of ['HiddenServicePort', 'HiddenServiceMaxStreams', 'HiddenServiceDir']) {
      it(`an empty ${option} line is skipped with Tor's warning`, async () => {
        const hs = join(dir, `hs-${option}`);
        const text = `HiddenServiceDir ${hs}\nHiddenServicePort 80\n${option}\n`;
        const tor = await torVerifyText(text);
        assert.ok(tor.valid, JSON.stringify(tor.messages));
        const message = `Linelist option '${option}' has no value. Skipping.`;
        torSays(tor, message);
        assert.deepEqual(dumped(tor, 'HiddenServicePort'), ['80']);
        const r = ours(text);
        assert.ok(E.isRight(r), JSON.stringify(r.problems));
        says(r.problems, message, 'warning');
        assert.deepEqual(
          r.right.OnionServices.map((s) => [s.ServiceDir, s.VirtualPort, s.MaxStreams]),
          [[hs, 80, 0]],
        );
      });
    }

    it("HiddenServiceMaxStreams: 65535 is taken, 65536 refused with Tor's message", async () => {
      const hs = join(dir, 'hs-max');
      const text = (n: number) =>
        `HiddenServiceDir ${hs}\nHiddenServicePort 80\nHiddenServiceMaxStreams ${n}\n`;
      assert.ok((await torVerifyText(text(65535))).valid);
      const r = ours(text(65535));
      assert.ok(E.isRight(r));
      assert.equal(r.right.OnionServices[0]?.MaxStreams, 65535);
      const tor = await torVerifyText(text(65536));
      assert.equal(tor.valid, false);
      const message = 'HiddenServiceMaxStreams must be between 0 and 65535, not 65536.';
      torSays(tor, message);
      const bad = ours(text(65536));
      assert.ok(E.isLeft(bad));
      says(bad.left, message, 'error');
      assert.equal(bad.left.find((p) => p.message === message)?.line, 3);
    });
  });

  describe("Tor's checks of the values hotrc reads", () => {
    const dirtiness: ReadonlyArray<readonly [string, string, number, string]> = [
      ['5', '10', 10_000, 'MaxCircuitDirtiness option is too short; raising to 10 seconds.'],
      ['0', '10', 10_000, 'MaxCircuitDirtiness option is too short; raising to 10 seconds.'],
      [
        '31 days',
        '2592000',
        2_592_000_000,
        'MaxCircuitDirtiness option is too high; setting to 30 days.',
      ],
    ];
    for (const [value, torValue, ms, message] of dirtiness) {
      it(`MaxCircuitDirtiness ${value}: moved to ${torValue} s with Tor's warning, by both`, async () => {
        const tor = await torVerifyText(`MaxCircuitDirtiness ${value}\n`);
        assert.ok(tor.valid, JSON.stringify(tor.messages));
        torSays(tor, message);
        assert.deepEqual(dumped(tor, 'MaxCircuitDirtiness'), [torValue]);
        const r = ours(`MaxCircuitDirtiness ${value}\n`);
        assert.ok(E.isRight(r), JSON.stringify(r.problems));
        assert.equal(r.right.MaxCircuitDirtiness, ms);
        says(r.problems, message, 'warning');
      });
    }

    it('MaxCircuitDirtiness 10 and 30 days: kept as they are by both', async () => {
      const tor = await torVerifyText('MaxCircuitDirtiness 30 days\nNewCircuitPeriod 10\n');
      assert.deepEqual(tor.messages, []);
      const r = ours('MaxCircuitDirtiness 10\n');
      assert.ok(E.isRight(r));
      assert.equal(r.right.MaxCircuitDirtiness, 10_000);
      assert.deepEqual(r.problems, []);
      const r2 = ours('MaxCircuitDirtiness 30 days\n');
      assert.ok(E.isRight(r2));
      assert.equal(r2.right.MaxCircuitDirtiness, 2_592_000_000);
    });

    it("DormantClientTimeout under 10 minutes: refused by both, with Tor's message at its line", async () => {
      const message = 'DormantClientTimeout is too low. It must be at least 10 minutes.';
      const tor = await torVerifyText('DormantClientTimeout 9 minutes\n');
      assert.equal(tor.valid, false);
      torSays(tor, message);
      const r = ours('LogLevel info\nDormantClientTimeout 9 minutes\n');
      assert.ok(E.isLeft(r));
      says(r.left, message, 'error');
      assert.equal(r.left.find((p) => p.message === message)?.line, 2);
      assert.ok((await torVerifyText('DormantClientTimeout 10 minutes\n')).valid);
      const ok = ours('DormantClientTimeout 10 minutes\n');
      assert.ok(E.isRight(ok));
      assert.equal(ok.right.DormantTimeout, 600_000);
    });

    it("UseBridges with UseEntryGuards 0: refused by both, with Tor's message", async () => {
      const text = 'UseBridges 1\nUseEntryGuards 0\nBridge 192.0.2.1:443\n';
      const message = 'Setting UseBridges requires also setting UseEntryGuards.';
      const tor = await torVerifyText(text);
      assert.equal(tor.valid, false);
      torSays(tor, message);
      const r = ours(text);
      assert.ok(E.isLeft(r));
      says(r.left, message, 'error');
    });
  });
});
