// One way to reach etcd, for the source and for the fleet commands: the `etcd3` client, loaded
// only when etcd is used (it is ~16 MB and 160 ms to load cold), with a deadline on every call
// and none of the client's own fault handling, which FLEET.md found in the way: its circuit
// breaker refuses every call for ~5 s after connection errors (right when etcd is back), and its
// three silent retries can turn a transaction that landed into an error. Callers retry themselves.
import type { IPolicy } from 'cockatiel';
import type { Etcd3, IOptions } from 'etcd3';

/**
 * Where etcd is and how to talk to it.
 * @example const etcd: EtcdConnection = { hosts: ['127.0.0.1:2379'], callTimeoutMs: 2000 };
 */
export interface EtcdConnection {
  /** `host:port` or `http(s)://host:port`, one or several (calls fail over between them). */
  readonly hosts: string | ReadonlyArray<string>;
  /** TLS: the CA to trust, and a client certificate and key for mutual TLS (PEM). */
  readonly tls?: {
    readonly ca: Uint8Array | string;
    readonly cert?: Uint8Array | string;
    readonly key?: Uint8Array | string;
  };
  /** etcd's own authentication (a user and password). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** A call not answered in this long fails (ms): a call without one can hang forever. Default 2000. */
  readonly callTimeoutMs?: number;
}

/**
 * The default deadline of one etcd call (ms).
 * @example await connectEtcd({ hosts: '127.0.0.1:2379', callTimeoutMs: defaultCallTimeoutMs * 2 });
 */
export const defaultCallTimeoutMs = 2000;

let loading: Promise<typeof import('etcd3')> | undefined;
let policies: Promise<typeof import('cockatiel')> | undefined;

/**
 * A new etcd client (the `etcd3` module is imported on first use). Close it with `close()`.
 * @example const client = await connectEtcd({ hosts: '127.0.0.1:2379' }); await client.get('k').string(); client.close();
 */
export async function connectEtcd(connection: EtcdConnection): Promise<Etcd3> {
  loading ??= import('etcd3');
  policies ??= import('cockatiel');
  const [{ Etcd3 }, { noop }] = await Promise.all([loading, policies]);
  return new Etcd3(clientOptions(connection, noop));
}

function clientOptions(c: EtcdConnection, noop: IPolicy): IOptions {
  const timeout = c.callTimeoutMs ?? defaultCallTimeoutMs;
  const hosts = (typeof c.hosts === 'string' ? [c.hosts] : [...c.hosts]).map(normalHost);
  const pem = (v: Uint8Array | string) => (typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));
  return {
    hosts,
    dialTimeout: timeout,
    // Unary calls only: a deadline on a stream (the watch, the lease keepalive) ends it after
    // `timeout` however healthy it is, and the watch then reconnects every `timeout` ms.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
    faultHandling: { host: () => noop, global: noop },
    ...(c.tls === undefined
      ? {}
      : {
          credentials: {
            rootCertificate: pem(c.tls.ca),
            ...(c.tls.key === undefined ? {} : { privateKey: pem(c.tls.key) }),
            ...(c.tls.cert === undefined ? {} : { certChain: pem(c.tls.cert) }),
          },
        }),
    ...(c.auth === undefined
      ? {}
      : { auth: { username: c.auth.username, password: c.auth.password } }),
  };
}

// etcd3 wants a scheme-less `host:port` for plain connections; `http://` is what etcdctl shows.
function normalHost(host: string): string {
  return host.replace(/^http:\/\//, '');
}

/**
 * The largest value hotrc reads from or writes to an etcd key, by default: 1 MiB, below etcd's
 * own request limit (~1.5 MiB), which refuses larger puts and then trips clients' breakers.
 * @example if (bytes.length > defaultMaxValueBytes) refuse();
 */
export const defaultMaxValueBytes = 1024 * 1024;

/**
 * An etcd call's failure as one line, for "etcd unreachable: …".
 * @example etcdFailure(new Error('14 UNAVAILABLE: No connection established')) // '14 UNAVAILABLE: No connection established'
 */
export function etcdFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .join(' ')
      // grpc-js ends some messages with an empty "Resolution note:".
      .replace(/\s*Resolution note:\s*$/, '') || 'unknown etcd error'
  );
}

/**
 * The hosts of a connection as a list: one string is one host; anything but a string or a list
 * of non-empty strings is no hosts at all (which callers refuse).
 * @example etcdHosts('127.0.0.1:2379') // ['127.0.0.1:2379']
 */
export function etcdHosts(hosts: unknown): ReadonlyArray<string> {
  const list = typeof hosts === 'string' ? [hosts] : Array.isArray(hosts) ? hosts : [];
  return list.every((h) => typeof h === 'string' && h !== '') ? (list as string[]) : [];
}
