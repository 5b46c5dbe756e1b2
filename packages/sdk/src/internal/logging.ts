import type { Logger, LogLevel } from "../Logger.ts"
import type { ResolvedAuth } from "./options.ts"

/** What the core reports after each HTTP attempt (the fields the log line uses). */
export interface AttemptReport {
  readonly operation: string
  readonly method: string
  readonly path: string
  readonly attempt: number
  readonly status?: number | undefined
  readonly durationMs: number
  readonly error?: string | undefined
  readonly retryInMs?: number | undefined
}

const rank: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 }

const prefix = "[cbjobs]"

// The core shows secrets the same way.
const mask = "<redacted>"

// Shorter secrets are left alone, as in the core: masking them would mangle ordinary words.
const shortestMasked = 4

/**
 * Writes the client's log lines. Every line passes through `mask`, which replaces each configured
 * secret wherever it appears, so even a server that echoes a credential cannot leak it here.
 */
export class LogWriter {
  readonly #logger: Logger | undefined
  readonly #level: number
  readonly #secrets: ReadonlyArray<string>

  constructor(logger: Logger | undefined, level: LogLevel, auth: ResolvedAuth) {
    this.#logger = logger ?? (globalThis as { console?: Logger }).console
    this.#level = rank[level]
    this.#secrets = secretsOf(auth)
  }

  /** Whether lines at `level` are written. */
  enabled(level: Exclude<LogLevel, "off">): boolean {
    return this.#logger !== undefined && rank[level] <= this.#level
  }

  /** Writes one line at `level`, secrets masked; a throwing logger is ignored. */
  write(level: Exclude<LogLevel, "off">, message: string): void {
    if (!this.enabled(level)) return

    try {
      this.#logger?.[level](`${prefix} ${this.mask(message)}`)
    } catch {
      // A broken logger must not turn a successful call into a failed one.
    }
  }

  /** Replaces every configured secret in `text` with `<redacted>`. */
  mask(text: string): string {
    let masked = text

    for (const secret of this.#secrets) masked = masked.split(secret).join(mask)

    return masked
  }

  /** The line for one HTTP attempt: at info when it succeeded, at warn when it failed. */
  attempt(report: AttemptReport): void {
    const outcome = [
      report.status !== undefined ? String(report.status) : undefined,
      report.error,
    ].filter((part) => part !== undefined)

    const retry = report.retryInMs !== undefined ? `, retrying in ${report.retryInMs} ms` : ""
    const failed = report.error !== undefined
    const line =
      `${report.operation}: ${report.method} ${report.path} attempt ${report.attempt} -> ` +
      `${outcome.join(" ") || "no answer"} in ${Math.round(report.durationMs)} ms${retry}`

    this.write(failed ? "warn" : "info", line)
  }
}

/** The secrets of an auth setting, longest first so a secret inside another is masked whole. */
const secretsOf = (auth: ResolvedAuth): ReadonlyArray<string> => {
  const secrets =
    auth.type === "basic"
      ? [auth.password, base64(`${auth.username}:${auth.password}`)]
      : auth.type === "apiKey"
        ? [auth.apiKey]
        : [auth.token]

  return secrets
    .filter((secret) => secret.length >= shortestMasked)
    .sort((a, b) => b.length - a.length)
}

const base64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""

  for (const byte of bytes) binary += String.fromCharCode(byte)

  return btoa(binary)
}

/** A description of the auth setting for debug lines and `inspect`, with the secret masked. */
export const describeAuth = (auth: ResolvedAuth): Record<string, string> => {
  if (auth.type === "basic") return { type: "basic", username: auth.username, password: mask }

  if (auth.type === "apiKey") {
    return auth.prefix === undefined
      ? { type: "apiKey", apiKey: mask }
      : { type: "apiKey", prefix: auth.prefix, apiKey: mask }
  }

  return { type: "bearer", token: mask }
}
