/**
 * How much the client logs: `"off"` (the default) logs nothing; `"info"` logs one line per HTTP
 * attempt; `"debug"` adds the client's settings (secrets masked) and the start and end of each
 * call; `"warn"` and `"error"` log only failed attempts and failed calls.
 */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug"

/**
 * Where log lines go. `console` fits, and so do pino, winston and most other loggers, which
 * accept a message as their first argument.
 *
 * @example
 * ```ts
 * const client = new CodebeamerJobs({ logger: console, logLevel: "info" })
 * ```
 */
export interface Logger {
  error(message: string, ...details: ReadonlyArray<unknown>): void
  warn(message: string, ...details: ReadonlyArray<unknown>): void
  info(message: string, ...details: ReadonlyArray<unknown>): void
  debug(message: string, ...details: ReadonlyArray<unknown>): void
}

/** Every level, from quietest to loudest. */
export const logLevels: ReadonlyArray<LogLevel> = ["off", "error", "warn", "info", "debug"]
