// Where a fleet's keys live in etcd, all derived from the one config key, so that one prefix
// holds everything about one config: the value, each host's outcome, the values it replaced.
import { type Either, left, right } from 'fp-ts/lib/Either.js';

/**
 * The keys that belong to one config key.
 * - `config`: the value itself (the file's text)
 * - `status(name)`: one host's outcome, bound to its lease (`KEY/status/NAME`)
 * - `history(revision)`: a value a push replaced, by the revision it had (`KEY/history/00…0042`)
 * - `lastPush`: the id of the last push, written in the same transaction, to read back a push
 *   whose answer was lost
 * @example fleetKeys('/hotrc/torrc').status('web-1') // '/hotrc/torrc/status/web-1'
 */
export interface FleetKeys {
  readonly config: string;
  readonly statusPrefix: string;
  status(name: string): string;
  readonly historyPrefix: string;
  history(revision: bigint | string): string;
  readonly lastPush: string;
}

/** Revisions are zero-padded to 20 digits (an int64's width), so history lists in order. */
const revisionWidth = 20;

/**
 * The keys of one config key (which must have passed `checkFleetKey`).
 * @example const keys = fleetKeys('/hotrc/torrc'); keys.history(42n) // '/hotrc/torrc/history/00000000000000000042'
 */
export function fleetKeys(key: string): FleetKeys {
  return {
    config: key,
    statusPrefix: `${key}/status/`,
    status: (name) => `${key}/status/${name}`,
    historyPrefix: `${key}/history/`,
    history: (revision) => `${key}/history/${String(revision).padStart(revisionWidth, '0')}`,
    lastPush: `${key}/push`,
  };
}

/**
 * Checks a config key: printable, no NUL or control characters, not ending in `/`, at most 512
 * bytes (the status and history keys are built below it).
 * @example checkFleetKey('/hotrc/torrc') // right('/hotrc/torrc')
 */
export function checkFleetKey(key: unknown): Either<string, string> {
  if (typeof key !== 'string' || key === '') return left('an etcd key must be a non-empty string');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(key)) {
    return left(`refusing etcd key ${JSON.stringify(key)}: it contains control characters`);
  }
  if (key.endsWith('/')) return left(`refusing etcd key ${JSON.stringify(key)}: it ends in "/"`);
  // `/a/status/web-1` is the status key of config `/a`; a push to it would overwrite that host's
  // record (and `/a/history/…`, `/a/push` likewise): such a key is another config's own.
  if (/\/(status|history)\/[^/]|\/push$/.test(key)) {
    return left(
      `refusing etcd key ${JSON.stringify(key)}: it names another config's status, history or push key`,
    );
  }
  if (Buffer.byteLength(key) > 512) return left('refusing an etcd key longer than 512 bytes');
  return right(key);
}

/**
 * Checks a host name for its status key: 1 to 253 characters of letters, digits, `.`, `_`, `-`
 * (a hostname's alphabet), so no name can reach outside `KEY/status/`.
 * @example checkHostName('web-1.example') // right('web-1.example')
 */
export function checkHostName(name: unknown): Either<string, string> {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,253}$/.test(name) || /^\.+$/.test(name)) {
    // Shown without JSON.stringify for a non-string: a bigint would make it throw.
    const shown =
      typeof name === 'string'
        ? JSON.stringify(name)
        : ['number', 'bigint', 'boolean'].includes(typeof name)
          ? String(name)
          : `(a ${typeof name})`;
    return left(`refusing host name ${shown}: use 1 to 253 letters, digits, ".", "_" or "-"`);
  }
  return right(name);
}
