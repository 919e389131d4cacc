/**
 * Whatever was thrown, as one line: `NAME: message` (the name left out for a plain Error), a
 * multi-line message folded onto the line. Never throws, even for a hostile value (a throwing
 * getter or toString). The CLI prints errors as one line, never as a stack trace.
 * @example oneLine(new TypeError('x is not\n  a function')) // 'TypeError: x is not a function'
 */
export function oneLine(err: unknown): string {
  let text: string;
  try {
    text =
      err instanceof Error
        ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`
        : String(err);
  } catch {
    text = 'an error that cannot be described';
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}
