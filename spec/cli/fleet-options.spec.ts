// What the fleet commands share: --etcd and --key checked into a target (a UsageError, exit 2,
// for anything malformed), one client per command closed whatever happens, and the line for an
// etcd that does not answer.
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import type { Etcd3 } from 'etcd3';
import { UsageError } from '../../lib/cli/command.js';
import { fleetArgs, fleetTarget, unreachableLine, withEtcd } from '../../lib/cli/fleet-options.js';
import { needEtcd, type SharedEtcd, sharedEtcd, specKey } from '../support/etcd.js';

const usageError = (pattern: RegExp) => (err: unknown) =>
  err instanceof UsageError && pattern.test(err.message);

describe('fleetTarget', () => {
  it('splits --etcd on commas, trims, drops empty parts, keeps http:// and https://', () => {
    assert.deepEqual(
      fleetTarget(
        { etcd: ' 127.0.0.1:2379 ,,http://10.0.0.2:2379,https://etcd-3:2379,', key: '/k' },
        'push',
      ),
      { hosts: ['127.0.0.1:2379', 'http://10.0.0.2:2379', 'https://etcd-3:2379'], key: '/k' },
    );
    assert.deepEqual(fleetTarget({ etcd: '[::1]:2379', key: '/k' }, 'push').hosts, ['[::1]:2379']);
  });

  it('names the command when --etcd or --key is missing', () => {
    assert.throws(
      () => fleetTarget({ key: '/k' }, 'status'),
      usageError(/^status needs --etcd HOSTS$/),
    );
    assert.throws(
      () => fleetTarget({ etcd: '127.0.0.1:2379' }, 'history'),
      usageError(/^history needs --key KEY$/),
    );
  });

  it('refuses an --etcd of nothing but commas and spaces', () => {
    for (const etcd of ['', ',', ' , ,']) {
      assert.throws(
        () => fleetTarget({ etcd, key: '/k' }, 'push'),
        usageError(/^--etcd needs at least one host:port$/),
      );
    }
  });

  it('refuses a host that is not host:port: no port, a path, a space, another scheme, a port outside 1 to 65535', () => {
    for (const h of [
      'localhost',
      '127.0.0.1',
      '127.0.0.1:',
      '127.0.0.1:2379/v3',
      'http://127.0.0.1:2379/',
      'etcd 1:2379',
      'unix:///run/etcd.sock',
      'grpc://127.0.0.1:2379',
      '127.0.0.1:123456',
      '127.0.0.1:port',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '127.0.0.1:99999',
    ]) {
      assert.throws(
        () => fleetTarget({ etcd: `127.0.0.1:2379,${h}`, key: '/k' }, 'push'),
        usageError(
          new RegExp(
            `^--etcd: '${h.trim().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' is not host:port`,
          ),
        ),
        h,
      );
    }
  });

  it('refuses a key checkFleetKey refuses, saying why after --key:', () => {
    for (const [key, why] of [
      ['', /must be a non-empty string/],
      ['/hotrc/', /ends in "\/"/],
      ['/hotrc/\u0000torrc', /control characters/],
      [`/${'k'.repeat(600)}`, /longer than 512 bytes/],
    ] as const) {
      assert.throws(
        () => fleetTarget({ etcd: '127.0.0.1:2379', key }, 'push'),
        (err: unknown) =>
          err instanceof UsageError && err.message.startsWith('--key: ') && why.test(err.message),
      );
    }
  });

  it('fleetArgs parse as every fleet command takes them', () => {
    const { values } = parseArgs({
      args: ['--etcd', '127.0.0.1:2379', '--key', '/k', '--json'],
      options: fleetArgs,
      strict: true,
    });
    assert.deepEqual(fleetTarget(values, 'status'), { hosts: ['127.0.0.1:2379'], key: '/k' });
    assert.equal(values.json, true);
  });
});

describe('unreachableLine', () => {
  it('is one line naming the command, every host and the failure', () => {
    assert.equal(
      unreachableLine('push', ['127.0.0.1:2379', '10.0.0.2:2379'], '14 UNAVAILABLE: no connection'),
      'hotrc push: etcd unreachable at 127.0.0.1:2379,10.0.0.2:2379: 14 UNAVAILABLE: no connection\n',
    );
  });
});

describe('withEtcd (a real etcd)', function () {
  this.timeout(20_000);
  let etcd: SharedEtcd;
  before(async function () {
    etcd = await sharedEtcd(needEtcd(this));
  });
  after(async () => {
    await etcd?.release();
  });

  const isClosed = (c: Etcd3) =>
    c
      .get('/x')
      .string()
      .then(
        () => false,
        () => true,
      );

  it('gives a working client, returns what the call returns, and closes the client after', async () => {
    const key = specKey('with-etcd');
    let used: Etcd3 | undefined;
    const answer = await withEtcd([etcd.endpoint], async (client) => {
      used = client;
      await client.put(key).value('v');
      return client.get(key).string();
    });
    assert.equal(answer, 'v');
    assert.equal(await isClosed(used as Etcd3), true);
  });

  it('closes the client when the call throws, and rethrows', async () => {
    let used: Etcd3 | undefined;
    await assert.rejects(
      withEtcd([etcd.endpoint], async (client) => {
        used = client;
        throw new Error('the command failed');
      }),
      /the command failed/,
    );
    assert.equal(await isClosed(used as Etcd3), true);
  });
});
