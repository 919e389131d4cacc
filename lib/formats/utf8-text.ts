import { type Either, left, right } from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Whether bytes[0, end) is well-formed UTF-8, a sequence cut at `end` allowed (stream mode).
function validPrefix(bytes: Uint8Array, end: number): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, end), {
      stream: true,
    });
    return true;
  } catch {
    return false;
  }
}

// Offset of the byte at which decoding first fails: a binary search over prefixes, each decoded
// natively, rather than a UTF-8 validator of our own.
function firstBadByte(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (validPrefix(bytes, mid + 1)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Where the ill-formed sequence that fails at `bad` starts: the last character boundary before it.
function sequenceStart(bytes: Uint8Array, bad: number): number {
  for (let start = bad; start > Math.max(0, bad - 4); start--) {
    try {
      fatal.decode(bytes.subarray(0, start));
      return start;
    } catch {
      // Not a boundary: the sequence started earlier.
    }
  }
  return Math.max(0, bad - 4);
}

function invalidUtf8(bytes: Uint8Array, file: string): Problem {
  const at = sequenceStart(bytes, Math.min(firstBadByte(bytes), bytes.length - 1));
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
    bytes.subarray(lineStart, at),
    { stream: true },
  );
  const byte = (bytes[at] as number).toString(16).padStart(2, '0');
  return {
    severity: 'error',
    message: `invalid UTF-8 (byte 0x${byte}): the file must be saved as UTF-8`,
    file,
    line,
    column: before.length + 1,
  };
}

/**
 * A text file's bytes as a string: UTF-8 only, since JSON and YAML files are. A UTF-8 byte order
 * mark at the start is dropped (editors on Windows write one; RFC 8259 lets a parser ignore it, and
 * YAML allows it), so line 1 column 1 is the first character after it. A UTF-16 or UTF-32 file
 * (known by its byte order mark) and any invalid UTF-8 are refused, at the line and column of the
 * first bad byte, rather than decoded into U+FFFD.
 * @example decodeUtf8Text(Buffer.from('a: 1\n'), 'app.yaml') // right('a: 1\n')
 */
export function decodeUtf8Text(bytes: Uint8Array, file: string): Either<Problem[], string> {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const utf32be = b0 === 0 && b1 === 0 && bytes[2] === 0xfe && bytes[3] === 0xff;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || utf32be) {
    return left([
      {
        severity: 'error',
        message:
          'the file is UTF-16 or UTF-32 (it starts with a byte order mark): save it as UTF-8',
        file,
        line: 1,
        column: 1,
      },
    ]);
  }
  const bom = b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(bom);
  try {
    return right(fatal.decode(body));
  } catch {
    return left([invalidUtf8(body, file)]);
  }
}
