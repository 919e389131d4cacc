// Listener ports (SocksPort, ControlPort, MetricsPort). Tor's own value is richer: an address,
// a unix socket and isolation flags may precede or follow the port. hotrc's schema is go-tor's,
// which keeps one integer port per listener and sets isolation through its own options, so
// those forms are refused with a message instead of being silently cut down to the number.
//
// Tor splits the value into words at spaces, tabs and line breaks, and reads the first as the
// port with strtol: leading isspace skipped, nothing after it. A '\v' or '\f' does not split, so
// "\f 9050" is a first word "\f" (refused), "9050\f" a word with junk after the number (refused),
// and "\f9050" the port 9050. The number follows Tor's integer rules ("+80", "080", "-0").
import { left, right } from 'fp-ts/lib/Either.js';
import { asciiLower, trimCSpace } from './c-string.js';
import { valueCodec } from './value-codec.js';

/**
 * A port number, 0 for "off", or `auto` (Tor picks a free port).
 * @example const socks: Port = 9050;
 */
export type Port = number | 'auto';

const wordBreaks = /[ \t\r\n]+/;
// strtol skips isspace before the number; in a word, only '\v' and '\f' can be left of it.
const number = /^[\v\f]*([+-]?)(\d+)$/;
const looksLikeAddress = /^unix:|[.:[\]]/i;

const choices = 'a port number 1-65535, 0 to disable it, or auto';

// A refused value's words as read, one space apart, for its message: a '\v' or '\f' that
// decided the verdict is shown. Built only for a refusal.
const shown = (words: ReadonlyArray<string>): string =>
  words.join(' ').replace(/[\v\f]/g, (c) => (c === '\v' ? '\\v' : '\\f'));

function isPort(u: unknown): u is Port {
  return u === 'auto' || (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 65535);
}

/**
 * A listener port: 1-65535, 0 (off) or `auto`, case-insensitive. Refuses Tor's
 * `addr:port`, `unix:` and flag forms with a message saying why.
 * @example Port.decode('9050'); // right(9050)
 * @example Port.decode('AUTO'); // right('auto')
 * @example Port.decode('127.0.0.1:9050'); // left: ... hotrc takes only a port number here ...
 */
export const Port = valueCodec<Port>({
  name: 'Port',
  is: isPort,
  parse: (text) => {
    if (trimCSpace(text) === '') return left(`Empty port: use ${choices}`);
    const words = text.split(wordBreaks).filter((w) => w !== '');
    const word = words[0] as string;
    if (words.length > 1) {
      return left(
        `${shown(words)} has flags after the port; hotrc takes only ${choices} here, because its schema ` +
          "(go-tor's) keeps one port per listener and sets isolation with IsolationLevel and " +
          'the Isolate* options',
      );
    }
    if (asciiLower(word) === 'auto') return right('auto');
    const m = number.exec(word);
    if (m !== null) {
      const value = Number(m[2]);
      // strtol reads "-0" as 0, which Tor accepts; any other sign is out of range.
      if (value <= 65535 && (m[1] !== '-' || value === 0)) return right(value);
      return left(`Port ${shown(words)} is out of range: use ${choices}`);
    }
    if (looksLikeAddress.test(word)) {
      return left(
        `${shown(words)} is an address; hotrc takes only ${choices} here, because its schema ` +
          "(go-tor's) keeps the port alone",
      );
    }
    return left(`Port ${shown(words)} is not a number: use ${choices}`);
  },
  format: (p) => String(p),
  expected: choices,
});
