import * as E from 'fp-ts/lib/Either.js';
import type { Format, FormatInput, ParsedDocument } from '../engine/format.js';
import { problemOf } from './config-file.js';
import { resolveTorrcDocument } from './include.js';
import { findTorrcIncludes } from './inline-includes.js';
import type { TorrcEntry } from './torrc.js';
import { decodeTorrcBytes } from './torrc-bytes.js';

/**
 * A torrc's parsed document: its `value` is the list of entries, `%include`s spliced in, in Tor's
 * order (the Tor profile's decode turns them into a TorConfig).
 * @example const entries = (doc as TorrcParsed).value;
 */
export interface TorrcParsed extends ParsedDocument {
  readonly value: ReadonlyArray<TorrcEntry>;
}

/**
 * The torrc format, read exactly as Tor reads it: bytes decoded (NUL, invalid UTF-8 and a BOM
 * refused with their line), lines parsed, `%include`s expanded from disk under the file policy
 * the engine passes (every included file is checked as the main file was: mode, root, size; a
 * refusal is a `security` failure). A failure says what it looked at, so a missing `%include`
 * is watched and its appearance noticed. Positions are lines (Tor has no columns). Its entries
 * are not located by path: the Tor profile's decode puts each problem on its line itself.
 * @example const r = await torrcFormat.parse({ bytes, file: '/etc/tor/torrc', signal });
 */
export const torrcFormat: Format = Object.freeze({
  name: 'torrc',
  async parse({ bytes, file, signal, policy, selfContained }: FormatInput) {
    const text = decodeTorrcBytes(bytes, file);
    // Only the main file's bytes are at fault: its next change is the one to wait for.
    if (E.isLeft(text)) return E.left({ problems: [problemOf(text.left)], watched: [file] });
    // From an etcd key: an %include would read this host's own files, which nobody published.
    const includes = selfContained === true ? findTorrcIncludes(text.right, file) : [];
    if (includes.length > 0) return E.left({ problems: includes, watched: [] });
    const document = await resolveTorrcDocument(text.right, file, { ...policy, signal });
    if (E.isLeft(document)) {
      const { refused, watched } = document.left;
      return E.left({
        problems: [problemOf(document.left)],
        watched,
        ...(refused === undefined ? {} : { refused }),
      });
    }
    const { entries, files, watched } = document.right;
    const parsed: TorrcParsed = {
      value: entries,
      // A torrc's values sit on lines the decode knows (and puts on every problem); a path alone
      // names no line.
      locate: () => undefined,
      files,
      watched,
      warnings: [],
    };
    return E.right(parsed);
  },
});
