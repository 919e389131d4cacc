// One etcd client shared by whoever needs it now, made on first use and closed when the last
// holder lets go, so that a source nobody subscribes to holds no socket and no timer, and a
// process whose configs are all stopped exits by itself.
import type { Etcd3 } from 'etcd3';
import { connectEtcd, type EtcdConnection } from './etcd-connect.js';

/**
 * A lazily made, reference-counted etcd client.
 * @example const holder = new EtcdClientHolder({ hosts: '127.0.0.1:2379' }); const release = holder.hold(); await holder.use((c) => c.get('k').string()); release();
 */
export class EtcdClientHolder {
  #holders = 0;
  #client: Promise<Etcd3> | undefined;

  constructor(private readonly connection: EtcdConnection) {}

  /** Keeps the client (once made) open until the returned function is called (once is enough). */
  hold(): () => void {
    this.#holders++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holders--;
      if (this.#holders === 0) this.#close();
    };
  }

  /** Runs one call on the client, holding it meanwhile; the client is made if there is none. */
  async use<T>(call: (client: Etcd3) => Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      this.#client ??= connectEtcd(this.connection);
      return await call(await this.#client);
    } finally {
      release();
    }
  }

  /**
   * Drops the client after a failed call: the next call makes a new one, with new connections
   * (after repeated etcd kills an old client's calls could hang: FLEET.md).
   */
  reset(): void {
    this.#close();
  }

  #close(): void {
    const client = this.#client;
    this.#client = undefined;
    void client?.then(
      (c) => c.close(),
      () => {},
    );
  }
}
