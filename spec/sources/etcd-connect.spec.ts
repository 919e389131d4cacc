// The one way hotrc reaches etcd: a deadline on every unary call (none on streams, which it
// would cut), none of etcd3's own breaker or retries, and its errors as one line.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { connectEtcd, etcdFailure, etcdHosts } from '../../lib/sources/etcd-connect.js';
import {
  type EtcdCertificates,
  EtcdServer,
  freePort,
  makeEtcdCertificates,
  needEtcd,
  needEtcdAndOpenssl,
} from '../support/etcd.js';
import { sleep } from '../support/waiting.js';

describe('etcdFailure', () => {
  it('makes one line of a gRPC message, without its empty resolution note', () => {
    const err = new Error(
      '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1.\n  Resolution note: ',
    );
    assert.equal(
      etcdFailure(err),
      '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1.',
    );
    assert.equal(etcdFailure('plain'), 'plain');
    assert.equal(etcdFailure(new Error('\n')), 'unknown etcd error');
  });
});

describe('etcdHosts', () => {
  it('makes a list of one host or many, and no hosts of anything else', () => {
    assert.deepEqual(etcdHosts('127.0.0.1:2379'), ['127.0.0.1:2379']);
    assert.deepEqual(etcdHosts(['a:1', 'b:2']), ['a:1', 'b:2']);
    for (const bad of ['', ['a:1', ''], [1], undefined, null, { host: 'a:1' }]) {
      assert.deepEqual(etcdHosts(bad), [], JSON.stringify(bad));
    }
  });
});

describe('connectEtcd (a real etcd)', function () {
  this.timeout(30_000);
  let server: EtcdServer;
  const clients: Etcd3[] = [];
  before(async function () {
    server = await EtcdServer.start(needEtcd(this));
  });
  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.stop();
  });

  it('answers unary calls, and a call to nobody fails within its deadline, every time', async () => {
    const live = await connectEtcd({ hosts: `http://${server.endpoint}` });
    clients.push(live);
    await live.put('/spec/connect').value('v').exec();
    assert.equal(await live.get('/spec/connect').string(), 'v');

    const dead = await connectEtcd({ hosts: `127.0.0.1:${await freePort()}`, callTimeoutMs: 300 });
    clients.push(dead);
    // No breaker: the second and third calls try again rather than failing for seconds unasked.
    for (let i = 0; i < 3; i++) {
      await assert.rejects(dead.get('/spec/connect').string(), (err: unknown) =>
        /UNAVAILABLE|DEADLINE|ECONNREFUSED/.test(etcdFailure(err)),
      );
    }
  });

  it('keeps a watch open longer than the call deadline (streams have none)', async () => {
    const client = await connectEtcd({ hosts: server.endpoint, callTimeoutMs: 200 });
    clients.push(client);
    const watcher = await client.watch().key('/spec/connect-watch').create();
    let ended = 0;
    watcher.on('disconnected', () => ended++);
    watcher.on('error', () => ended++);
    await sleep(700);
    const seen = new Promise<string>((resolve) =>
      watcher.on('put', (kv) => resolve(kv.value.toString())),
    );
    await client.put('/spec/connect-watch').value('after').exec();
    assert.equal(await seen, 'after');
    assert.equal(ended, 0, 'the watch stream was never cut');
    await watcher.cancel();
  });
});

describe('connectEtcd with TLS and with authentication (a real etcd each)', function () {
  this.timeout(30_000);
  let certs: EtcdCertificates;
  let secure: EtcdServer;
  let guarded: EtcdServer;
  const clients: Etcd3[] = [];
  const password = 'spec-secret';
  before(async function () {
    const bin = needEtcdAndOpenssl(this);
    certs = makeEtcdCertificates();
    [secure, guarded] = await Promise.all([
      EtcdServer.start(bin, { tls: certs }),
      EtcdServer.start(bin),
    ]);
    guarded.enableAuth(password);
  });
  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all([secure?.stop(), guarded?.stop()]);
    if (certs !== undefined) rmSync(certs.dir, { recursive: true, force: true });
  });
  const connect = async (connection: Parameters<typeof connectEtcd>[0]) => {
    const client = await connectEtcd({ callTimeoutMs: 1000, ...connection });
    clients.push(client);
    return client;
  };

  it('talks TLS with a client certificate (mutual TLS), the CA and the pair given as PEM text or bytes', async () => {
    const pemText = (file: string) => readFileSync(file, 'utf8');
    const client = await connect({
      hosts: secure.endpoint,
      tls: {
        ca: pemText(certs.ca),
        cert: pemText(certs.clientCert),
        key: readFileSync(certs.clientKey),
      },
    });
    await client.put('/spec/tls').value('over TLS').exec();
    assert.equal(await client.get('/spec/tls').string(), 'over TLS');
  });

  it('fails within its deadline, not hangs, without the client certificate or without TLS', async () => {
    const noPair = await connect({ hosts: secure.endpoint, tls: { ca: readFileSync(certs.ca) } });
    const plain = await connect({ hosts: `127.0.0.1:${secure.clientPort}` });
    for (const client of [noPair, plain]) {
      const started = Date.now();
      await assert.rejects(client.get('/spec/tls').string(), (err: unknown) => {
        assert.match(etcdFailure(err), /UNAVAILABLE|DEADLINE_EXCEEDED/);
        return true;
      });
      // The deadline is 1000 ms; a hang would run to mocha's timeout.
      assert.ok(Date.now() - started < 2500, `${Date.now() - started} ms`);
    }
  });

  it('authenticates as a user, and says why when the password is wrong or none is given', async () => {
    const root = await connect({ hosts: guarded.endpoint, auth: { username: 'root', password } });
    await root.put('/spec/auth').value('with a password').exec();
    assert.equal(await root.get('/spec/auth').string(), 'with a password');
    const wrong = await connect({
      hosts: guarded.endpoint,
      auth: { username: 'root', password: 'not it' },
    });
    await assert.rejects(wrong.get('/spec/auth').string(), (err: unknown) =>
      /authentication failed/i.test(etcdFailure(err)),
    );
    const none = await connect({ hosts: guarded.endpoint });
    await assert.rejects(none.get('/spec/auth').string(), (err: unknown) =>
      /user name is empty|permission denied/i.test(etcdFailure(err)),
    );
  });
});
