const levelNames: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

// Fields every line has, or that say nothing to a human reading a terminal.
const hidden = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'module']);

// Text shown bare (a message, a list item) is quoted only when it would break the line.
const bare = (s: string): string => (/[\r\n]/.test(s) ? JSON.stringify(s) : s);

function show(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === 'string' ? bare(v) : JSON.stringify(v))).join(' ')}]`;
  if (typeof value === 'object' && value !== null && 'message' in value)
    return JSON.stringify(String(value.message));
  return JSON.stringify(value);
}

/**
 * One pino JSON line as the design document prints it: `HH:MM:SS INFO message key=value ...`
 * (the time in UTC), always one line. A line that is not a JSON object passes through unchanged.
 * @example prettyLine('{"level":30,"time":0,"msg":"Configuration reloaded successfully","path":"/etc/tor/torrc"}')
 * // '00:00:00 INFO Configuration reloaded successfully path=/etc/tor/torrc'
 */
export function prettyLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  // Only an object is a log record; `null`, `42` or `[...]` pass through like any other text.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
  const record = parsed as Record<string, unknown>;
  const date = typeof record.time === 'number' ? new Date(record.time) : undefined;
  // A time no Date can hold (1e300) is left out, not a RangeError from toISOString.
  const time =
    date === undefined || Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(11, 19);
  const level = levelNames[Number(record.level)] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([k]) => !hidden.has(k))
    .map(([k, v]) => `${k}=${show(v)}`);
  return [time, level, bare(String(record.msg ?? '')), ...fields].filter((s) => s !== '').join(' ');
}
