/**
 * The bridge's log port: structured fields first, a fixed message second. pino's logger satisfies it as it
 * is; the core imports no logging library.
 */
export interface Log {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  fatal(fields: object, msg: string): void;
}
