/**
 * A 1-based line and column in a text, the column in UTF-16 code units.
 * @example const p: LineColumn = { line: 2, column: 5 };
 */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/**
 * Maps offsets in `text` (UTF-16 code units, as JavaScript strings and parsers count them) to
 * 1-based lines and columns. A line ends at `\n`, at `\r\n`, or at a `\r` alone, as editors show
 * it. An offset past the end lands just after the last character. Built once, each look-up is a
 * binary search.
 * @example lineIndex('a: 1\nb: x\n')(8) // { line: 2, column: 4 }
 */
export function lineIndex(text: string): (offset: number) => LineColumn {
  const starts = [0];
  // A native regular expression finds the breaks; a loop over characters costs far more cold.
  const breaks = /\r\n?|\n/g;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) starts.push(breaks.lastIndex);
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (starts[lo] as number) + 1 };
  };
}
