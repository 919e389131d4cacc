import type { Logger } from 'pino';
import { moduleLogger } from './log.js';

/** The four levels the engine logs at, each taking pino's (fields, message). */
export interface SafeLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

// The methods live on the prototype: a thousand watchers share one set instead of four
// closures each.
class GuardedLog implements SafeLog {
  constructor(
    private readonly bound: Logger,
    private readonly onError: (error: unknown) => void,
  ) {}

  debug(fields: object, message: string): void {
    this.#call('debug', fields, message);
  }
  info(fields: object, message: string): void {
    this.#call('info', fields, message);
  }
  warn(fields: object, message: string): void {
    this.#call('warn', fields, message);
  }
  error(fields: object, message: string): void {
    this.#call('error', fields, message);
  }

  #call(level: Level, fields: object, message: string): void {
    try {
      this.bound[level](fields, message);
    } catch (error) {
      this.onError(error);
    }
  }
}

// What an engine given no logger logs through: nothing, as a silent pino logger would, without
// loading pino (see pinoLib) for a logger that never writes.
const dropAll: SafeLog = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});

/**
 * The caller's logger, bound with `child({ module: 'hotrc' })`, behind a guard: a logger (or one
 * of its serializers, hooks or streams) that throws can never break a reload or end watching.
 * What it threw goes to `onError` instead. A logger whose `child` throws is used unbound. Given
 * no logger, every line is dropped (and pino is not loaded).
 * @example const log = safeLog(pino(), (err) => console.error('logger failed', err)); log.info({}, 'x');
 */
export function safeLog(logger: Logger | undefined, onError: (error: unknown) => void): SafeLog {
  if (logger === undefined) return dropAll;
  let bound: Logger;
  try {
    bound = moduleLogger(logger);
  } catch (error) {
    onError(error);
    bound = logger;
  }
  return new GuardedLog(bound, onError);
}
