import type { Either } from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import type { FilePolicy } from '../sources/file-policy.js';

/**
 * One step into a document: an object key, or an array index (as a number or its decimal string,
 * since io-ts names indexes `'0'`, `'1'`, ...).
 * @example const path: ReadonlyArray<PathSegment> = ['pool', 'max'];
 */
export type PathSegment = string | number;

/**
 * Where something stands in a file: 1-based line, and 1-based column in UTF-16 code units (as
 * editors and TypeScript count them; a tab is one column).
 * @example const at: SourcePosition = { file: 'app.yaml', line: 7, column: 10 };
 */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A file read into plain data, with the way back from any path in the data to where it was
 * written, so that a problem found later (by a codec, a validation) can name the line and column.
 * @example
 * const doc: ParsedDocument = {
 *   value: { pool: { max: 'ten' } },
 *   locate: () => ({ file: 'app.yaml', line: 2, column: 8 }),
 *   files: ['app.yaml'],
 *   watched: ['app.yaml'],
 *   warnings: [],
 * };
 */
export interface ParsedDocument {
  /**
   * The plain data: objects (with only own, enumerable, string keys), arrays, strings, numbers,
   * booleans and null. `undefined` when the file holds no value at all (a YAML file of only
   * comments), which means "nothing over the defaults".
   */
  readonly value: unknown;
  /**
   * Where the value at `path` starts. For a path that is absent, the nearest present parent (so a
   * missing key points at the object that should hold it); `undefined` only when the file holds
   * no value at all. Total: any path, never throws.
   */
  readonly locate: (path: ReadonlyArray<PathSegment>) => SourcePosition | undefined;
  /** Every file read to build the value, the main file first. */
  readonly files: ReadonlyArray<string>;
  /** Every path whose change could change the value (files, and directories an include lists). */
  readonly watched: ReadonlyArray<string>;
  /** What is worth saying about the file without refusing it, each located. */
  readonly warnings: ReadonlyArray<Problem>;
}

/**
 * What a format is given to parse. An object rather than positional arguments, so that a format
 * needing more (a reader for the files an include names) can be handed it without changing every
 * other format.
 * @example const input: FormatInput = { bytes: Buffer.from('{}'), file: 'app.json', signal: AbortSignal.timeout(1000) };
 */
export interface FormatInput {
  /** The main file's content, exactly as read. */
  readonly bytes: Uint8Array;
  /** The main file's name, as problems and positions should show it. */
  readonly file: string;
  /** Aborted when the result is no longer wanted (a newer version of the file arrived). */
  readonly signal: AbortSignal;
  /**
   * What every other file a format reads (a torrc's `%include`) must satisfy, as the main file
   * did: mode, root, size. Formats that read nothing else ignore it.
   */
  readonly policy?: FilePolicy;
  /**
   * The bytes are the whole config and came from no file system (an etcd key): read no other
   * file. A format that would (a torrc's `%include`) refuses the line instead.
   */
  readonly selfContained?: boolean;
}

/**
 * Why a file could not be parsed: every problem (each with file, line and column where known),
 * what the attempt looked at (so the source watches a missing `%include` and notices it appear),
 * and, when the file policy refused a file, which check did (`insecure`, `outside-root`,
 * `too-large`): that makes the rejection `security` rather than `invalid`.
 * @example const f: FormatFailure = { problems: [{ severity: 'error', message: 'bad', file: 'a.json', line: 1, column: 3 }], watched: ['a.json'] };
 */
export interface FormatFailure {
  readonly problems: ReadonlyArray<Problem>;
  readonly watched: ReadonlyArray<string>;
  readonly refused?: string;
}

/**
 * A way to turn a file's bytes into a ParsedDocument: JSON, YAML, torrc, ...
 * @example
 * const r = await jsonFormat.parse({ bytes, file: 'app.json', signal });
 * if (isLeft(r)) console.error(r.left.problems.map(formatProblem).join('\n'));
 */
export interface Format {
  /** Lower-case, for messages and the CLI (`'json'`, `'yaml'`). */
  readonly name: string;
  /**
   * Bytes to a document, or every problem that refuses the file (syntax, encoding, limits), each
   * with file, line and column. A format that needs no I/O may answer at once (an Either);
   * one that reads more files answers with a promise. Resolves for any bytes; rejects only with
   * `signal.reason` once the signal is aborted.
   */
  parse(
    input: FormatInput,
  ): Either<FormatFailure, ParsedDocument> | Promise<Either<FormatFailure, ParsedDocument>>;
}
