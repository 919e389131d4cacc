// What the fleet commands share: --etcd and --key checked into a target (a UsageError, exit 2,
// for anything malformed), one client per command closed whatever happens, and the line for an
// etcd that does not answer.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Etcd3 } from 'etcd3';
import { UsageError } from '../../lib/cli/command.js';
import {
  etcdSecurity,
  fleetArgs,
  fleetTarget,
  maxSecurityFileBytes,
  unreachableLine,
  withEtcd,
} from '../../lib/cli/fleet-options.js';
import { logMessages } from '../../lib/engine/log.js';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import { cli } from '../support/cli.js';
import {
  type EtcdCertificates,
  EtcdServer,
  makeEtcdCertificates,
  needEtcd,
  needEtcdAndOpenssl,
  type SharedEtcd,
  sharedEtcd,
  specKey,
} from '../support/etcd.js';
import { torrc, watchChild } from '../support/fleet.js';
import { eventually } from '../support/waiting.js';

const usageError = (pattern: RegExp) => (err: unknown) =>
  err instanceof UsageError && pattern.test(err.message);

describe('fleetTarget', () => {
  it('splits --etcd on commas, trims, drops empty parts, keeps http:// and https://', () => {
    assert.deepEqual(
      fleetTarget(
        { etcd: ' 127.0.0.1:2379 ,,http://10.0.0.2:2379,https://etcd-3:2379,', key: '/k' },
        'push',
      ),
      {
        hosts: ['127.0.0.1:2379', 'http://10.0.0.2:2379', 'https://etcd-3:2379'],
        key: '/k',
        security: {},
      },
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
    assert.deepEqual(fleetTarget(values, 'status'), {
      hosts: ['127.0.0.1:2379'],
      key: '/k',
      security: {},
    });
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
    const answer = await withEtcd({ hosts: [etcd.endpoint], key, security: {} }, async (client) => {
      used = client;
      await client.put(key).value('v');
      return client.get(key).string();
    });
    assert.equal(answer, 'v');
    assert.equal(await isClosed(used as Etcd3), true);
  });

  it('closes the client when the call throws, and rethrows', async () => {
    const key = specKey('with-etcd');
    let used: Etcd3 | undefined;
    await assert.rejects(
      withEtcd({ hosts: [etcd.endpoint], key, security: {} }, async (client) => {
        used = client;
        throw new Error('the command failed');
      }),
      /the command failed/,
    );
    assert.equal(await isClosed(used as Etcd3), true);
  });
});

describe('etcdSecurity', () => {
  // Files to read, not certificates to check: etcd and grpc check those (see the suite below).
  let dir: string;
  let certs: { ca: string; clientCert: string; clientKey: string };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotrc-etcd-security-'));
    const file = (name: string) => {
      const path = join(dir, name);
      writeFileSync(path, `-----BEGIN ${name}-----\n`);
      return path;
    };
    certs = { ca: file('ca.pem'), clientCert: file('client.pem'), clientKey: file('client.key') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads --etcd-ca, and --etcd-cert with --etcd-key, into TLS as bytes', () => {
    assert.deepEqual(etcdSecurity({ 'etcd-ca': certs.ca }), {
      tls: { ca: readFileSync(certs.ca) },
    });
    assert.deepEqual(
      etcdSecurity({
        'etcd-ca': certs.ca,
        'etcd-cert': certs.clientCert,
        'etcd-key': certs.clientKey,
      }),
      {
        tls: {
          ca: readFileSync(certs.ca),
          cert: readFileSync(certs.clientCert),
          key: readFileSync(certs.clientKey),
        },
      },
    );
    assert.deepEqual(etcdSecurity({}), {});
  });

  it('takes the password of --etcd-user from the first line of --etcd-password-file, else from HOTRC_ETCD_PASSWORD', () => {
    const file = join(dir, 'password');
    writeFileSync(file, 's3cret\nignored\n');
    assert.deepEqual(
      etcdSecurity(
        { 'etcd-user': 'root', 'etcd-password-file': file },
        { HOTRC_ETCD_PASSWORD: 'env' },
      ),
      { auth: { username: 'root', password: 's3cret' } },
    );
    writeFileSync(file, 'windows\r\n');
    assert.deepEqual(etcdSecurity({ 'etcd-user': 'u', 'etcd-password-file': file }, {}), {
      auth: { username: 'u', password: 'windows' },
    });
    assert.deepEqual(etcdSecurity({ 'etcd-user': 'u' }, { HOTRC_ETCD_PASSWORD: 'from env' }), {
      auth: { username: 'u', password: 'from env' },
    });
  });

  it('refuses a pair cut in half, a pair without its CA, a file it cannot or should not read (a FIFO, a device, a directory, over 1 MiB), and a user without a password', () => {
    const missing = join(dir, 'nowhere.pem');
    // A FIFO with no writer: reading it would block the command for good.
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const huge = join(dir, 'huge');
    writeFileSync(huge, Buffer.alloc(maxSecurityFileBytes + 1, 0x41));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    for (const [values, env, message] of [
      [
        { 'etcd-ca': certs.ca, 'etcd-cert': certs.clientCert },
        {},
        /^--etcd-cert and --etcd-key go together$/,
      ],
      [
        { 'etcd-ca': certs.ca, 'etcd-key': certs.clientKey },
        {},
        /^--etcd-cert and --etcd-key go together$/,
      ],
      [
        { 'etcd-cert': certs.clientCert, 'etcd-key': certs.clientKey },
        {},
        /^--etcd-cert needs --etcd-ca$/,
      ],
      [{ 'etcd-ca': missing }, {}, /^--etcd-ca: cannot read .*nowhere\.pem: ENOENT$/],
      [{ 'etcd-ca': dir }, {}, /^--etcd-ca: cannot read .*: not a regular file$/],
      [{ 'etcd-ca': '/dev/zero' }, {}, /^--etcd-ca: cannot read \/dev\/zero: not a regular file$/],
      [{ 'etcd-ca': fifo }, {}, /^--etcd-ca: cannot read .*fifo: not a regular file$/],
      [{ 'etcd-ca': huge }, {}, /^--etcd-ca: .*huge is larger than 1048576 bytes$/],
      [{ 'etcd-password-file': empty }, {}, /^--etcd-password-file needs --etcd-user$/],
      [
        { 'etcd-user': 'root' },
        {},
        /^--etcd-user needs a password: --etcd-password-file FILE or HOTRC_ETCD_PASSWORD$/,
      ],
      [{ 'etcd-user': 'root' }, { HOTRC_ETCD_PASSWORD: '' }, /^--etcd-user needs a password/],
      [
        { 'etcd-user': 'root', 'etcd-password-file': empty },
        { HOTRC_ETCD_PASSWORD: 'x' },
        /^--etcd-user needs a password/,
      ],
    ] as const) {
      assert.throws(() => etcdSecurity(values, env), usageError(message), JSON.stringify(values));
    }
  });
});

describe('the fleet commands and hotrc watch --etcd on a secured etcd (real ones: TLS, and authentication)', function () {
  this.timeout(60_000);
  let certs: EtcdCertificates;
  let secure: EtcdServer;
  let guarded: EtcdServer;
  let dir: string;
  let n = 0;
  const password = 'spec-secret';
  before(async function () {
    const bin = needEtcdAndOpenssl(this);
    certs = makeEtcdCertificates();
    dir = await mkdtemp(join(tmpdir(), 'hotrc-secure-fleet-'));
    [secure, guarded] = await Promise.all([
      EtcdServer.start(bin, { tls: certs }),
      EtcdServer.start(bin),
    ]);
    guarded.enableAuth(password);
  });
  after(async () => {
    await Promise.all([secure?.stop(), guarded?.stop()]);
    if (certs !== undefined) rmSync(certs.dir, { recursive: true, force: true });
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  const torrcFile = async (minutes: number) => {
    const file = join(dir, `torrc-${++n}`);
    await writeFile(file, torrc(minutes));
    return file;
  };
  // This client's way into the TLS member: its CA and the client pair.
  const tlsArgs = () => [
    '--etcd-ca',
    certs.ca,
    '--etcd-cert',
    certs.clientCert,
    '--etcd-key',
    certs.clientKey,
  ];

  it('push, history and status over mutual TLS with --etcd-ca, --etcd-cert and --etcd-key; without them, etcd unreachable (exit 69)', async () => {
    const key = `/spec/secure/tls-${++n}`;
    const tls = tlsArgs();
    const target = ['--etcd', secure.endpoint, '--key', key];
    const pushed = await cli('push', await torrcFile(10), ...target, ...tls);
    assert.equal(pushed.code, 0, pushed.stderr);
    const history = await cli('history', ...target, ...tls, '--json');
    assert.equal(history.code, 0, history.stderr);
    const status = await cli('status', ...target, ...tls);
    // The key is there and no host watches it yet: not in sync (3), not unreachable (69).
    assert.equal(status.code, 3, status.stderr);
    const bare = await cli('status', '--etcd', `127.0.0.1:${secure.clientPort}`, '--key', key);
    assert.equal(bare.code, 69);
    assert.match(bare.stderr, /^hotrc status: etcd unreachable at 127\.0\.0\.1:\d+: /);
  });

  it('push as a user, the password from --etcd-password-file or HOTRC_ETCD_PASSWORD; a wrong one is refused', async () => {
    const key = `/spec/secure/auth-${++n}`;
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    const target = ['--etcd', guarded.endpoint, '--key', key];
    const pushed = await cli(
      'push',
      await torrcFile(10),
      ...target,
      '--etcd-user',
      'root',
      '--etcd-password-file',
      passwordFile,
    );
    assert.equal(pushed.code, 0, pushed.stderr);
    const saved = process.env.HOTRC_ETCD_PASSWORD;
    try {
      process.env.HOTRC_ETCD_PASSWORD = password;
      const again = await cli('push', await torrcFile(11), ...target, '--etcd-user', 'root');
      assert.equal(again.code, 0, again.stderr);
      process.env.HOTRC_ETCD_PASSWORD = 'not it';
      const wrong = await cli('status', ...target, '--etcd-user', 'root');
      assert.equal(wrong.code, 69);
      assert.match(wrong.stderr, /authentication failed/i);
    } finally {
      if (saved === undefined) delete process.env.HOTRC_ETCD_PASSWORD;
      else process.env.HOTRC_ETCD_PASSWORD = saved;
    }
    const root = await connectEtcd({
      hosts: guarded.endpoint,
      auth: { username: 'root', password },
    });
    try {
      assert.equal(await root.get(key).string(), torrc(11));
    } finally {
      root.close();
    }
  });

  it('hotrc watch --etcd over mutual TLS applies a push', async () => {
    const key = `/spec/secure/watch-${++n}`;
    const tls = tlsArgs();
    const target = ['--etcd', secure.endpoint, '--key', key];
    assert.equal((await cli('push', await torrcFile(10), ...target, ...tls)).code, 0);
    const child = watchChild(...target, ...tls, '--name', 'tls-host', '--interval', '300ms');
    try {
      await eventually(
        () => child.lines.some((l) => l.msg === logMessages.watcherStarted),
        `the child started (${child.stderr()})`,
      );
      assert.equal((await cli('push', await torrcFile(20), ...target, ...tls)).code, 0);
      await eventually(
        () => child.lines.some((l) => l.msg === logMessages.fieldsUpdated),
        'the child applied the push',
      );
    } finally {
      child.child.kill('SIGTERM');
      assert.deepEqual(await child.exited, { code: 0, signal: null });
    }
  });
});
