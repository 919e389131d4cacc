import assert from 'node:assert/strict';
import { configEquals, describeValue, diffConfig } from '../../../lib/tor/schema/diff.js';
import { defaultConfig } from '../../../lib/tor/schema/tor-config.js';

const base = defaultConfig();

describe('diffConfig', () => {
  it("renders changes the way the design document's log shows them", () => {
    const changes = diffConfig(base, {
      ...base,
      LogLevel: 'debug',
      MaxCircuitDirtiness: 15 * 60_000,
    });
    assert.deepEqual(
      changes.map((c) => c.text),
      ['MaxCircuitDirtiness: 10m0s -> 15m0s', 'LogLevel: info -> debug'],
    );
    assert.deepEqual(
      changes.map((c) => c.reloadable),
      [true, true],
    );
  });

  it('marks restart-required fields', () => {
    const [change] = diffConfig(base, { ...base, SocksPort: 9150 });
    assert.deepEqual(change, {
      field: 'SocksPort',
      from: 9050,
      to: 9150,
      text: 'SocksPort: 9050 -> 9150',
      reloadable: false,
    });
  });

  it('is empty for equal configs, including equal lists in new arrays', () => {
    assert.deepEqual(diffConfig(base, { ...base, ExcludeNodes: [] }), []);
    assert.ok(configEquals(base, defaultConfig()));
    assert.ok(!configEquals(base, { ...base, ExcludeNodes: ['a'] }));
  });

  it('never shows an onion client key', () => {
    const svc = { ServiceDir: '/hs', VirtualPort: 80, TargetAddr: '127.0.0.1:80', MaxStreams: 0 };
    const changes = diffConfig(base, {
      ...base,
      OnionServices: [
        { ...svc, ClientAuth: [{ Name: 'alice', Key: 'descriptor:x25519:SECRETKEY' }] },
      ],
    });
    assert.equal(
      changes[0]?.text,
      'OnionServices: [] -> [/hs:80->127.0.0.1:80 (1 client keys redacted)]',
    );
    assert.ok(!JSON.stringify(changes.map((c) => c.text)).includes('SECRETKEY'));
  });

  it('describes lists Go-style', () => {
    assert.equal(describeValue('ExcludeNodes', ['a', '{us}']), '[a {us}]');
  });
});
