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

function show(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}]`;
  if (typeof value === 'object' && value !== null && 'message' in value)
    return JSON.stringify(String(value.message));
  return JSON.stringify(value);
}

/**
 * One pino JSON line as the design document prints it: `HH:MM:SS INFO message key=value ...`.
 * A line that is not JSON passes through unchanged.
 * @example prettyLine('{"level":30,"time":0,"msg":"Configuration reloaded successfully","path":"/etc/tor/torrc"}')
 * // '00:00:00 INFO Configuration reloaded successfully path=/etc/tor/torrc'
 */
export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time =
    typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const level = levelNames[Number(record.level)] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([k]) => !hidden.has(k))
    .map(([k, v]) => `${k}=${show(v)}`);
  return [time, level, String(record.msg ?? ''), ...fields].filter((s) => s !== '').join(' ');
}
