import assert from 'node:assert/strict';
import { configLogLevel } from '../../lib/cli/config-log-level.js';
import { defaultConfig } from '../../lib/tor/schema/tor-config.js';

describe('configLogLevel', () => {
  it("is a TorConfig's LogLevel", () => {
    assert.equal(configLogLevel({ ...defaultConfig(), LogLevel: 'debug' }), 'debug');
  });

  it("is any config's top-level LogLevel, or else logLevel, when pino knows the level", () => {
    assert.equal(configLogLevel({ logLevel: 'trace', pool: {} }), 'trace');
    assert.equal(configLogLevel({ LogLevel: 'warn', logLevel: 'debug' }), 'warn');
    assert.equal(configLogLevel({ LogLevel: 'loud', logLevel: 'error' }), 'error');
  });

  it('is undefined for a level pino does not know, for silent, for a nested or missing level', () => {
    for (const config of [
      { logLevel: 'loud' },
      { logLevel: 'silent' },
      { logLevel: 20 },
      { log: { level: 'debug' } },
      { logLevel: 'constructor' },
      {},
      null,
      'debug',
      [],
    ]) {
      assert.equal(configLogLevel(config), undefined, JSON.stringify(config));
    }
  });
});
