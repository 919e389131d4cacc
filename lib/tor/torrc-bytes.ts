import { Buffer, isAscii } from 'node:buffer';
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { nulMessage, type TorrcError } from './torrc.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && b >= 0x80 && b <= 0xbf;
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (the same rules as
 * TextDecoder: no overlongs, no surrogates, nothing above U+10FFFF), or -1.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const b1 = bytes[i + 1];
    let length: number;
    let secondOk: boolean;
    if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      secondOk = isContinuation(b1);
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      const low = b === 0xe0 ? 0xa0 : 0x80;
      const high = b === 0xed ? 0x9f : 0xbf;
      secondOk = b1 !== undefined && b1 >= low && b1 <= high;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      const low = b === 0xf0 ? 0x90 : 0x80;
      const high = b === 0xf4 ? 0x8f : 0xbf;
      secondOk = b1 !== undefined && b1 >= low && b1 <= high;
    } else {
      return i;
    }
    if (!secondOk) return i;
    for (let k = 2; k < length; k++) if (!isContinuation(bytes[i + k])) return i;
    i += length;
  }
  return -1;
}

/**
 * Turns a torrc file's bytes into text for parseTorrc. Tor reads bytes as a C string, so three
 * inputs are refused here instead of being misread, each a Left with its file and line:
 * - a NUL byte (Tor would stop reading the file there);
 * - invalid UTF-8 (Tor would keep the raw bytes, which no JavaScript string can hold);
 * - a UTF-8 byte order mark at the start (Tor would read it as part of the first key).
 * Everything else decodes; CR bytes are left for parseTorrc to delete.
 * @example decodeTorrcBytes(new TextEncoder().encode('Nickname abc\n'), '/etc/tor/torrc') // right('Nickname abc\n')
 */
export function decodeTorrcBytes(bytes: Uint8Array, file: string): Either<TorrcError, string> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return left({
      file,
      line: 1,
      message:
        'UTF-8 byte order mark at the start of the file: Tor would read it as part of the first key; hotrc refuses it (save the file without a BOM)',
    });
  }
  // A Buffer view of the same memory (no copy): its indexOf and toString are native.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nul = buffer.indexOf(0);
  if (nul !== -1) {
    return left({
      file,
      line: lineOf(bytes, nul),
      message: nulMessage,
    });
  }
  // Plain ASCII, as nearly every torrc is, reads the same in every ASCII-compatible encoding:
  // decoded as Latin-1 it skips the UTF-8 decoder's checks (half the time for a 1 MiB file).
  if (isAscii(buffer)) return right(buffer.toString('latin1'));
  try {
    return right(utf8.decode(bytes));
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const at = bad === -1 ? bytes.length : bad;
    const shown =
      bad === -1 ? '' : ` (byte 0x${(bytes[bad] as number).toString(16).padStart(2, '0')})`;
    return left({
      file,
      line: lineOf(bytes, at),
      message: `invalid UTF-8${shown}: Tor would read the raw bytes; hotrc refuses them`,
    });
  }
}
