// A real etcd for the fleet specs: Debian's etcd-server, one member on loopback, a temporary
// data directory and free ports, started and killed by the spec itself (the fault specs kill it
// with SIGKILL and start it again on the same data directory and ports).
//
// Outside CI, a machine without the etcd binary skips these specs with a visible message; in CI
// (`CI` set) a missing binary fails them, so a broken install can never pass as skipped.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { connectEtcd } from '../../lib/sources/etcd-connect.js';
import { missingInstall, onPath } from './need-program.js';
import { sleep } from './waiting.js';

/** The etcd binary, or undefined when this machine has none. */
export function etcdBinary(): string | undefined {
  for (const candidate of [process.env.HOTRC_ETCD_BIN, '/usr/bin/etcd', '/usr/local/bin/etcd']) {
    if (candidate === undefined || candidate === '') continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

// fetch takes no CA of its own: the health endpoint over TLS with node:https, client certificate
// and all (the member requires one).
function healthyOverTls(port: number, tls: EtcdCertificates): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(
      {
        host: '127.0.0.1',
        port,
        path: '/health',
        ca: readFileSync(tls.ca),
        cert: readFileSync(tls.clientCert),
        key: readFileSync(tls.clientKey),
        timeout: 500,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => {
          try {
            resolve((JSON.parse(body) as { health?: string }).health === 'true');
          } catch {
            resolve(false);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

// etcdctl beside the etcd binary (Debian's etcd-client puts both in /usr/bin).
function etcdctl(etcd: string): string {
  return join(dirname(etcd), 'etcdctl');
}

/**
 * Skips the calling suite (visibly) when there is no etcd here, unless in CI, where it fails.
 * Call it in a `before` hook: `before(function () { needEtcd(this); })`.
 */
export function needEtcd(context: Mocha.Context): string {
  const bin = etcdBinary();
  if (bin !== undefined) return bin;
  missingInstall(context, 'no etcd binary here; apt-get install etcd-server to run these');
}

/**
 * needEtcd, and openssl too (for makeEtcdCertificates): skips the suite (visibly) when either is
 * missing, unless in CI, where it fails. Returns the etcd binary.
 */
export function needEtcdAndOpenssl(context: Mocha.Context): string {
  const bin = needEtcd(context);
  if (!onPath('openssl')) {
    missingInstall(context, 'no openssl here; apt-get install openssl to run these');
  }
  return bin;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A CA and the certificates it signed, as PEM files in `dir`: one for the server (127.0.0.1) and
 * one for a client (mutual TLS).
 */
export interface EtcdCertificates {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * Makes a CA, a server certificate for 127.0.0.1 and a client certificate, each an EC P-256 key
 * valid two days, with openssl (Debian's `openssl`), in a new temporary directory.
 * @example const certs = makeEtcdCertificates(); await EtcdServer.start(bin, { tls: certs });
 */
export function makeEtcdCertificates(): EtcdCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'hotrc-etcd-tls-'));
  const at = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=hotrc spec CA',
  );
  const signed = (name: string, cn: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    );
  };
  // etcd presents its server certificate to its peers too: it serves both ends.
  signed(
    'server',
    '127.0.0.1',
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  signed('client', 'hotrc', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
  };
}

/** How an EtcdServer serves its clients; the default is plain HTTP. */
export interface EtcdServerOptions {
  /** TLS with these certificates, and client certificates required (`--client-cert-auth`). */
  readonly tls?: EtcdCertificates;
}

/** One etcd member on loopback that a spec can kill, restart, and stop. */
export class EtcdServer {
  /** `127.0.0.1:PORT` (`https://127.0.0.1:PORT` with TLS), as given to `hosts`. */
  readonly endpoint: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #dataDir: string;

  private constructor(
    readonly bin: string,
    readonly clientPort: number,
    readonly peerPort: number,
    readonly options: EtcdServerOptions,
  ) {
    this.endpoint =
      options.tls === undefined ? `127.0.0.1:${clientPort}` : `https://127.0.0.1:${clientPort}`;
    this.#dataDir = mkdtempSync(join(tmpdir(), 'hotrc-etcd-'));
  }

  /** Starts a fresh member (empty data directory, free ports) and waits until it answers. */
  static async start(bin: string, options: EtcdServerOptions = {}): Promise<EtcdServer> {
    const server = new EtcdServer(bin, await freePort(), await freePort(), options);
    await server.restart();
    return server;
  }

  /**
   * Turns etcd's authentication on, with one user, root, whose password is `password`
   * (`etcdctl user add`, `auth enable`). Plain HTTP members only.
   */
  enableAuth(password: string): void {
    if (this.options.tls !== undefined) throw new Error('enableAuth: a plain member only');
    const env = { ...process.env, ETCDCTL_API: '3' };
    const ctl = (...args: string[]) =>
      execFileSync(etcdctl(this.bin), ['--endpoints', this.endpoint, ...args], {
        stdio: 'ignore',
        env,
      });
    ctl('user', 'add', `root:${password}`);
    ctl('auth', 'enable');
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the member again on the same data directory and ports; resolves once healthy. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) throw new Error('etcd is already running');
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const tls = this.options.tls;
    const client =
      tls === undefined ? `http://${this.endpoint}` : `https://127.0.0.1:${this.clientPort}`;
    const secure =
      tls === undefined
        ? []
        : [
            '--cert-file',
            tls.serverCert,
            '--key-file',
            tls.serverKey,
            '--trusted-ca-file',
            tls.ca,
            '--client-cert-auth',
          ];
    const child = spawn(
      this.bin,
      [
        ...secure,
        '--name',
        'default',
        '--data-dir',
        this.#dataDir,
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `default=${peer}`,
        '--log-level',
        'error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.#exited.then(() => {
      if (this.#child === child) this.#child = undefined;
    });
    const deadline = Date.now() + 15_000;
    while (!(await this.healthy())) {
      if (this.#child !== child) throw new Error(`etcd exited at start: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy: ${stderr}`);
      await sleep(50);
    }
  }

  /** Whether the member answers its health endpoint now. */
  async healthy(): Promise<boolean> {
    const tls = this.options.tls;
    if (tls !== undefined) return healthyOverTls(this.clientPort, tls);
    try {
      const res = await fetch(`http://${this.endpoint}/health`, {
        signal: AbortSignal.timeout(500),
      });
      const body = (await res.json()) as { health?: string };
      return body.health === 'true';
    } catch {
      return false;
    }
  }

  /** Kills the member (SIGKILL by default) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill(signal);
    // A paused member dies of SIGKILL as it is, but any other signal waits for it to run.
    child.kill('SIGCONT');
    await this.#exited;
  }

  /** Freezes the member (SIGSTOP): its sockets stay open and nothing answers, as in a long stall. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Lets a paused member run on (SIGCONT). */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Saves a snapshot of the member's store to `file` (`etcdctl snapshot save`). */
  saveSnapshot(file: string): void {
    execFileSync(etcdctl(this.bin), ['--endpoints', this.endpoint, 'snapshot', 'save', file], {
      stdio: 'ignore',
      env: { ...process.env, ETCDCTL_API: '3' },
    });
  }

  /**
   * Kills the member, restores `file` into a fresh data directory (`etcdctl snapshot restore`,
   * with the same name and peer URL, so the same cluster and member IDs, as an operator
   * restoring a backup would) and starts it there: the store's revision is the snapshot's.
   */
  async restoreSnapshot(file: string): Promise<void> {
    await this.kill('SIGKILL');
    const peer = `http://127.0.0.1:${this.peerPort}`;
    // A path not there yet: etcdctl refuses to restore into an existing directory.
    const dir = join(tmpdir(), `hotrc-etcd-restored-${randomUUID()}`);
    execFileSync(
      etcdctl(this.bin),
      [
        'snapshot',
        'restore',
        file,
        '--name',
        'default',
        '--data-dir',
        dir,
        '--initial-cluster',
        `default=${peer}`,
        '--initial-advertise-peer-urls',
        peer,
      ],
      { stdio: 'ignore', env: { ...process.env, ETCDCTL_API: '3' } },
    );
    rmSync(this.#dataDir, { recursive: true, force: true });
    this.#dataDir = dir;
    await this.restart();
  }

  /** Kills the member and removes its data directory. */
  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

/** A server a suite may use but not kill: CI's (`HOTRC_ETCD`), or one started for the suite. */
export interface SharedEtcd {
  readonly endpoint: string;
  /** Stops the server if this suite started it; leaves CI's running. */
  release(): Promise<void>;
}

/**
 * The etcd a suite that never kills it uses: the one `.ci/run` started (`HOTRC_ETCD`, checked
 * healthy), else one of its own. Suites share CI's server, so each must use keys of its own.
 * Call in a `before` hook, after `needEtcd(this)`.
 */
export async function sharedEtcd(bin: string): Promise<SharedEtcd> {
  const given = process.env.HOTRC_ETCD;
  if (given !== undefined && given !== '') {
    try {
      const res = await fetch(`http://${given.replace(/^http:\/\//, '')}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return { endpoint: given, release: async () => {} };
    } catch {
      // not answering: start one of our own
    }
  }
  const own = await EtcdServer.start(bin);
  return { endpoint: own.endpoint, release: () => own.stop() };
}

/** A key no other spec uses: `/hotrc-spec/NAME-RANDOM`. */
export function specKey(name: string): string {
  return `/hotrc-spec/${name}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Registers a suite's `before`/`after` hooks for the shared etcd (see sharedEtcd) and one client
 * on it, handed to `got` once both are ready; the client is closed and the server released after.
 * @example let client: Etcd3; withSharedEtcd((_, c) => { client = c; });
 */
export function withSharedEtcd(got: (etcd: SharedEtcd, client: Etcd3) => void): void {
  let etcd: SharedEtcd | undefined;
  let client: Etcd3 | undefined;
  before(async function () {
    etcd = await sharedEtcd(needEtcd(this));
    client = await connectEtcd({ hosts: etcd.endpoint });
    got(etcd, client);
  });
  after(async () => {
    client?.close();
    await etcd?.release();
  });
}

/**
 * Registers a suite's hooks for an etcd member of its own (one it may kill and restart) and one
 * client on it, handed to `got` once both are ready; the client is closed and the member
 * stopped (its data removed) after.
 * @example let server: EtcdServer; withOwnEtcd((s) => { server = s; });
 */
export function withOwnEtcd(
  got: (server: EtcdServer, client: Etcd3) => void,
  callTimeoutMs?: number,
): void {
  let server: EtcdServer | undefined;
  let client: Etcd3 | undefined;
  before(async function () {
    server = await EtcdServer.start(needEtcd(this));
    client = await connectEtcd({
      hosts: server.endpoint,
      ...(callTimeoutMs === undefined ? {} : { callTimeoutMs }),
    });
    got(server, client);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });
}

/**
 * withSharedEtcd plus a fresh key per test (specKey(name)), handed to `got` with the client
 * before each test, so no test sees another's keys.
 * @example let client: Etcd3; let key: string; withSharedEtcdKey('push-read', (c, k) => { client = c; key = k; });
 */
export function withSharedEtcdKey(name: string, got: (client: Etcd3, key: string) => void): void {
  let client: Etcd3 | undefined;
  withSharedEtcd((_, c) => {
    client = c;
  });
  beforeEach(() => {
    if (client === undefined) throw new Error('withSharedEtcdKey: no client (before hook failed)');
    got(client, specKey(name));
  });
}

/**
 * Runs `use` with a client of an etcd that is not there (a free loopback port, calls time out
 * after 300 ms), and closes it after, whatever `use` did.
 * @example await withUnreachableEtcd(async (away) => assert.ok(E.isLeft(await listHistory(away, key))));
 */
export async function withUnreachableEtcd(use: (away: Etcd3) => Promise<void>): Promise<void> {
  const away = await connectEtcd({ hosts: `127.0.0.1:${await freePort()}`, callTimeoutMs: 300 });
  try {
    await use(away);
  } finally {
    away.close();
  }
}
