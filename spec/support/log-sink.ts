// A pino logger writing into an array of parsed JSON lines, so specs assert on real log output.
import { type Logger, pino } from 'pino';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface LogSink {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** The `msg` of every line, in order. */
  messages(): string[];
  /** Lines with this `msg`. */
  find(msg: string): LogLine[];
}

/** A logger at `level` whose every line lands, parsed, in `lines`. */
export function logSink(level: pino.LevelWithSilent = 'debug'): LogSink {
  const lines: LogLine[] = [];
  const logger = pino(
    { level },
    { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
  );
  return {
    logger,
    lines,
    messages: () => lines.map((l) => l.msg),
    find: (msg) => lines.filter((l) => l.msg === msg),
  };
}
