import type { Problem, Severity } from '../core/problem.js';
import type { ParsedDocument, PathSegment, SourcePosition } from '../engine/format.js';
import { lineIndex } from './line-index.js';

/**
 * Where a value starts in the text, and where each of its members does (object keys, and array
 * indexes as decimal strings). Two paths may share a node (a YAML alias and its anchor).
 * @example const node: PositionNode = { offset: 0, children: new Map([['port', { offset: 8 }]]) };
 */
export interface PositionNode {
  readonly offset: number;
  readonly children?: ReadonlyMap<string, PositionNode>;
}

/**
 * Turns offsets in one file's text into positions and located problems.
 * @example const at = textLocator('a: x\n', 'app.yaml'); at.problem(3, 'expected a number') // line 1, column 4
 */
export interface TextLocator {
  position(offset: number): SourcePosition;
  problem(offset: number, message: string, severity?: Severity): Problem;
}

/**
 * A TextLocator over `text`, naming `file`.
 * @example textLocator('{"a": 1}', 'app.json').position(6) // { file: 'app.json', line: 1, column: 7 }
 */
export function textLocator(text: string, file: string): TextLocator {
  const at = lineIndex(text);
  const position = (offset: number): SourcePosition => ({ file, ...at(offset) });
  return {
    position,
    problem: (offset, message, severity = 'error') => ({ severity, message, ...position(offset) }),
  };
}

/**
 * The ParsedDocument of one text file: `locate` walks the position tree as far as the path goes
 * and answers the last node reached (so an absent key lands on the object that should hold it).
 * @example
 * const doc = textDocument({ value: { port: 80 }, root: { offset: 0, children: new Map([['port', { offset: 8 }]]) }, locator: textLocator('{"port": 80}', 'app.json'), file: 'app.json', warnings: [] });
 * doc.locate(['port']) // { file: 'app.json', line: 1, column: 9 }
 */
export function textDocument(parts: {
  readonly value: unknown;
  readonly root: PositionNode | undefined;
  readonly locator: TextLocator;
  readonly file: string;
  readonly warnings: ReadonlyArray<Problem>;
}): ParsedDocument {
  const { root, locator } = parts;
  return {
    value: parts.value,
    locate: (path: ReadonlyArray<PathSegment>) => {
      if (root === undefined) return undefined;
      let node = root;
      for (const segment of path) {
        const next = node.children?.get(String(segment));
        if (next === undefined) break;
        node = next;
      }
      return locator.position(node.offset);
    },
    files: [parts.file],
    watched: [parts.file],
    warnings: parts.warnings,
  };
}
