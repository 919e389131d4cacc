import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTorrc } from '../../../lib/tor/schema/decode.js';
import { formatTorrc } from '../../../lib/tor/schema/format-torrc.js';
import { defaultConfig, type TorConfig } from '../../../lib/tor/schema/tor-config.js';
import { parseTorrc } from '../../../lib/tor/torrc.js';
import { validConfig } from '../../support/arbitraries.js';

function readBack(text: string): TorConfig {
  const entries = parseTorrc(text, { file: 'out.torrc' });
  if (E.isLeft(entries))
    assert.fail(`formatTorrc wrote unparsable text: ${entries.left.message}\n${text}`);
  const decoded = decodeTorrc(entries.right);
  if (E.isLeft(decoded))
    assert.fail(`formatTorrc wrote an invalid config: ${JSON.stringify(decoded.left)}\n${text}`);
  return decoded.right.config;
}

describe('formatTorrc', () => {
  it('writes the defaults so they read back unchanged', () => {
    assert.deepEqual(readBack(formatTorrc(defaultConfig())), defaultConfig());
  });

  it('uses Tor words for whole-second durations and groups onion ports under their directory', () => {
    const text = formatTorrc({
      ...defaultConfig(),
      MaxCircuitDirtiness: 900_000,
      OnionServices: [
        {
          ServiceDir: '/hs',
          VirtualPort: 80,
          TargetAddr: '127.0.0.1:80',
          MaxStreams: 0,
          ClientAuth: [],
        },
        {
          ServiceDir: '/hs',
          VirtualPort: 81,
          TargetAddr: '127.0.0.1:81',
          MaxStreams: 0,
          ClientAuth: [],
        },
      ],
    });
    assert.match(text, /^MaxCircuitDirtiness 15 minutes$/m);
    assert.match(
      text,
      /^HiddenServiceDir \/hs\nHiddenServicePort 80 127\.0\.0\.1:80\nHiddenServicePort 81 127\.0\.0\.1:81$/m,
    );
    assert.equal(text.match(/^HiddenServiceDir/gm)?.length, 1);
  });

  it('round-trips every valid config (property)', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        assert.deepEqual(readBack(formatTorrc(config)), config);
      }),
      { numRuns: 300 },
    );
  });
});
