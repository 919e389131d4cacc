import assert from 'node:assert/strict';
import * as E from 'fp-ts/lib/Either.js';
import { deepFreeze } from '../../../lib/engine/freeze.js';
import {
  defaultConfig,
  type TorConfig,
  TorConfig as TorConfigCodec,
} from '../../../lib/tor/schema/tor-config.js';
import { isVouchedConfig, vouchForConfig } from '../../../lib/tor/schema/vouched-config.js';

describe('vouchForConfig', () => {
  it('remembers a config frozen all the way down, by identity only', () => {
    const config = deepFreeze({ ...defaultConfig(), LogLevel: 'debug' as const });
    assert.equal(isVouchedConfig(config), false);
    assert.equal(vouchForConfig(config), config);
    assert.equal(isVouchedConfig(config), true);
    assert.equal(isVouchedConfig(structuredClone(config)), false);
    assert.equal(isVouchedConfig(undefined), false);
    assert.equal(isVouchedConfig('config'), false);
  });

  it('refuses a config that is not frozen all the way down: a programmer error', () => {
    const open = { ...defaultConfig() };
    assert.throws(() => vouchForConfig(open), TypeError);
    const shallow = Object.freeze({ ...defaultConfig(), BridgeAddresses: [] as string[] });
    assert.throws(() => vouchForConfig(shallow), /not frozen all the way down/);
    assert.equal(isVouchedConfig(shallow), false);
  });
});

describe('TorConfig with a vouched config', () => {
  it('accepts it at once, and decode hands back the same object', () => {
    const config = vouchForConfig(deepFreeze({ ...defaultConfig(), SocksPort: 9150 }));
    assert.equal(TorConfigCodec.is(config), true);
    const decoded = TorConfigCodec.decode(config);
    assert.ok(E.isRight(decoded) && decoded.right === config);
  });

  it('still checks any other config field by field, a copy of a vouched one too', () => {
    const config = vouchForConfig(
      deepFreeze({ ...defaultConfig(), BridgeAddresses: ['192.0.2.1:443'] }),
    );
    const copy = { ...structuredClone(config), BridgeAddresses: ['not a bridge'] } as TorConfig;
    assert.equal(TorConfigCodec.is(copy), false);
    assert.ok(E.isLeft(TorConfigCodec.decode(copy)));
    assert.equal(TorConfigCodec.is(structuredClone(config)), true);
  });
});
