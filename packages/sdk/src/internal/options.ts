import { InvalidOptionsError } from "../Errors.ts"
import type { Logger, LogLevel } from "../Logger.ts"
import { logLevels } from "../Logger.ts"
import type { ClientOptions, RequestOptions, ThrottlePolicy, WaitOptions } from "../Options.ts"
import { readEnvironment } from "./environment.ts"

/** Credentials after validation; the strings here are secrets and never leave this package. */
export type ResolvedAuth =
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | { readonly type: "apiKey"; readonly apiKey: string; readonly prefix: string | undefined }
  | { readonly type: "bearer"; readonly token: string }

/** Client options after validation, with the environment filled in. */
export interface ResolvedOptions {
  readonly baseUrl: string
  readonly auth: ResolvedAuth
  readonly timeoutMs: number | undefined
  readonly maxRetries: number | undefined
  readonly throttle: ThrottlePolicy | false | undefined
  readonly fetch: typeof globalThis.fetch | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly userAgent: string | undefined
  readonly logger: Logger | undefined
  readonly logLevel: LogLevel
}

// setTimeout cannot wait longer than this; larger values fire at once.
const maxTimerMs = 2_147_483_647

const maxRetriesLimit = 100

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const fail = (option: string, reason: string): never => {
  throw new InvalidOptionsError(`Invalid option ${option}: ${reason}`, { option })
}

const describe = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)

  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value)
  }

  return Array.isArray(value) ? "an array" : `a ${typeof value}`
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Checks a duration in milliseconds: a finite number above zero that a timer can wait. */
export const checkMilliseconds = (option: string, value: unknown): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > maxTimerMs) {
    return fail(option, `must be a number of milliseconds above 0, got ${describe(value)}`)
  }

  return value
}

const checkSecret = (option: string, value: unknown, source: string): string => {
  // Secrets are never echoed, not even in part.
  if (typeof value !== "string") return fail(option, `must be a string (${source})`)

  if (value.trim() === "") return fail(option, `must not be empty (${source})`)

  if (/[\r\n]/.test(value)) return fail(option, `must not contain a line break (${source})`)

  return value
}

const checkBaseUrl = (value: unknown, option: string): string => {
  if (typeof value !== "string" && !(value instanceof URL)) {
    return fail(option, `must be a URL string or a URL, got ${describe(value)}`)
  }

  let url: URL

  try {
    url = new URL(value)
  } catch {
    // The text may hold credentials, so it is not repeated.
    return fail(option, "is not an absolute URL")
  }

  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return fail(option, `must use http: or https:, got ${url.protocol}`)
  }

  if (url.username !== "" || url.password !== "") {
    return fail(option, "must not contain credentials; pass them as auth")
  }

  if (url.search !== "" || url.hash !== "") {
    return fail(option, "must not have a query or a fragment")
  }

  return url.href.replace(/\/+$/, "")
}

const authFromOptions = (auth: unknown): ResolvedAuth => {
  if (!isRecord(auth)) {
    return fail(
      "auth",
      `must be { username, password }, { apiKey } or { token }, got ${describe(auth)}`,
    )
  }

  const schemes = ["username" in auth || "password" in auth, "apiKey" in auth, "token" in auth]

  if (schemes.filter(Boolean).length !== 1) {
    return fail("auth", "must hold exactly one of { username, password }, { apiKey } or { token }")
  }

  if ("apiKey" in auth) {
    const prefix = auth.prefix

    if (prefix !== undefined && (typeof prefix !== "string" || !headerName.test(prefix))) {
      fail("auth.prefix", `must be a single word such as "ApiKey", got ${describe(prefix)}`)
    }

    const apiKey = checkSecret("auth.apiKey", auth.apiKey, "the API key")

    return { type: "apiKey", apiKey, prefix: prefix as string | undefined }
  }

  if ("token" in auth) {
    return { type: "bearer", token: checkSecret("auth.token", auth.token, "the bearer token") }
  }

  const username = checkSecret("auth.username", auth.username, "the user name")

  if (username.includes(":")) fail("auth.username", "must not contain a colon (Basic auth)")

  const password = checkSecret("auth.password", auth.password, "the password")

  return { type: "basic", username, password }
}

const authFromEnvironment = (): ResolvedAuth => {
  const username = readEnvironment("CODEBEAMER_USERNAME")
  const password = readEnvironment("CODEBEAMER_PASSWORD")
  const apiKey = readEnvironment("CODEBEAMER_API_KEY")
  const prefix = readEnvironment("CODEBEAMER_API_KEY_PREFIX")
  const token = readEnvironment("CODEBEAMER_TOKEN")

  const found = [
    username !== undefined || password !== undefined ? "CODEBEAMER_USERNAME/PASSWORD" : undefined,
    apiKey !== undefined ? "CODEBEAMER_API_KEY" : undefined,
    token !== undefined ? "CODEBEAMER_TOKEN" : undefined,
  ].filter((name) => name !== undefined)

  if (found.length === 0) {
    return fail(
      "auth",
      "is missing; pass auth, or set CODEBEAMER_USERNAME and CODEBEAMER_PASSWORD, " +
        "CODEBEAMER_API_KEY or CODEBEAMER_TOKEN",
    )
  }

  if (found.length > 1) {
    return fail("auth", `found more than one scheme in the environment: ${found.join(", ")}`)
  }

  if (apiKey !== undefined) {
    if (prefix !== undefined && !headerName.test(prefix)) {
      fail("CODEBEAMER_API_KEY_PREFIX", "must be a single word such as ApiKey")
    }

    return { type: "apiKey", apiKey: checkSecret("CODEBEAMER_API_KEY", apiKey, "env"), prefix }
  }

  if (token !== undefined) {
    return { type: "bearer", token: checkSecret("CODEBEAMER_TOKEN", token, "env") }
  }

  if (username === undefined) return fail("CODEBEAMER_USERNAME", "is missing (the password is set)")

  if (password === undefined)
    return fail("CODEBEAMER_PASSWORD", "is missing (the user name is set)")

  if (username.includes(":")) fail("CODEBEAMER_USERNAME", "must not contain a colon (Basic auth)")

  return { type: "basic", username, password: checkSecret("CODEBEAMER_PASSWORD", password, "env") }
}

/** Checks extra headers: valid names, no line breaks, and no `Authorization` next to `auth`. */
export const checkHeaders = (option: string, value: unknown): Readonly<Record<string, string>> => {
  if (value === undefined) return {}

  if (!isRecord(value)) return fail(option, `must be an object of strings, got ${describe(value)}`)

  for (const [name, text] of Object.entries(value)) {
    if (!headerName.test(name)) fail(option, `${JSON.stringify(name)} is not a header name`)

    if (name.toLowerCase() === "authorization") {
      fail(`${option}.${name}`, "is set by the client from auth; pass credentials as auth")
    }

    // Header values may be secrets (cookies, tokens), so they are never echoed.
    if (typeof text !== "string") fail(`${option}.${name}`, "must be a string")

    if (/[\r\n\0]/.test(text as string)) fail(`${option}.${name}`, "must not contain a line break")
  }

  return value as Record<string, string>
}

const checkThrottle = (value: unknown): ThrottlePolicy | false => {
  if (value === false) return false

  if (!isRecord(value) || !Array.isArray(value.windows) || value.windows.length === 0) {
    return fail("throttle", "must be false or { windows: [{ limit, windowMs }, ...] }")
  }

  const windows = value.windows.map((window: unknown, index) => {
    const option = `throttle.windows[${index}]`

    if (!isRecord(window))
      return fail(option, `must be { limit, windowMs }, got ${describe(window)}`)

    const { limit } = window

    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
      fail(`${option}.limit`, `must be a whole number of requests above 0, got ${describe(limit)}`)
    }

    const windowMs = checkMilliseconds(`${option}.windowMs`, window.windowMs)

    return { limit: limit as number, windowMs }
  })

  return { windows }
}

const checkMaxRetries = (options: ClientOptions): number | undefined => {
  const { maxRetries, retry } = options

  if (retry !== undefined && retry !== false) {
    fail("retry", `can only be false (use maxRetries for a count), got ${describe(retry)}`)
  }

  if (maxRetries === undefined) return retry === false ? 0 : undefined

  if (
    typeof maxRetries !== "number" ||
    !Number.isInteger(maxRetries) ||
    maxRetries < 0 ||
    maxRetries > maxRetriesLimit
  ) {
    fail(
      "maxRetries",
      `must be a whole number from 0 to ${maxRetriesLimit}, got ${describe(maxRetries)}`,
    )
  }

  if (retry === false && maxRetries > 0) {
    fail("maxRetries", "conflicts with retry: false; give only one of them")
  }

  return maxRetries
}

const checkLogger = (value: unknown): Logger | undefined => {
  if (value === undefined) return undefined

  const methods = ["error", "warn", "info", "debug"] as const

  if (!isRecord(value) && typeof value !== "function") {
    return fail("logger", `must have error, warn, info and debug methods, got ${describe(value)}`)
  }

  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== "function") {
      fail("logger", `has no ${method} method`)
    }
  }

  return value as unknown as Logger
}

/** Validates the client's options, filling `baseUrl` and `auth` from the environment. */
export const resolveClientOptions = (input: unknown): ResolvedOptions => {
  if (input !== undefined && !isRecord(input)) {
    return fail("options", `must be an object, got ${describe(input)}`)
  }

  const options = (input ?? {}) as ClientOptions
  const environmentUrl = readEnvironment("CODEBEAMER_URL")

  if (options.baseUrl === undefined && environmentUrl === undefined) {
    return fail("baseUrl", "is missing; pass baseUrl or set CODEBEAMER_URL")
  }

  const baseUrl =
    options.baseUrl !== undefined
      ? checkBaseUrl(options.baseUrl, "baseUrl")
      : checkBaseUrl(environmentUrl, "CODEBEAMER_URL")

  const auth = options.auth !== undefined ? authFromOptions(options.auth) : authFromEnvironment()

  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    fail("fetch", `must be a function, got ${describe(options.fetch)}`)
  }

  if (options.userAgent !== undefined) {
    if (typeof options.userAgent !== "string" || /[\r\n]/.test(options.userAgent)) {
      fail("userAgent", "must be a single-line string")
    }
  }

  const logLevel = options.logLevel ?? "off"

  if (!logLevels.includes(logLevel)) {
    fail("logLevel", `must be one of ${logLevels.join(", ")}, got ${describe(logLevel)}`)
  }

  return {
    baseUrl,
    auth,
    timeoutMs:
      options.timeout === undefined ? undefined : checkMilliseconds("timeout", options.timeout),
    maxRetries: checkMaxRetries(options),
    throttle: options.throttle === undefined ? undefined : checkThrottle(options.throttle),
    fetch: options.fetch,
    headers: checkHeaders("headers", options.headers),
    userAgent: options.userAgent,
    logger: checkLogger(options.logger),
    logLevel,
  }
}

/** Per-call options after validation. */
export interface ResolvedCallOptions {
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number | undefined
  readonly headers: Readonly<Record<string, string>>
}

/** Validates the options every call accepts. */
export const resolveCallOptions = (input: RequestOptions | undefined): ResolvedCallOptions => {
  if (input !== undefined && !isRecord(input)) {
    return fail("options", `must be an object, got ${describe(input)}`)
  }

  const signal = input?.signal

  if (signal !== undefined && (!isRecord(signal) || typeof signal.aborted !== "boolean")) {
    fail("signal", "must be an AbortSignal")
  }

  return {
    signal: signal as AbortSignal | undefined,
    timeoutMs:
      input?.timeout === undefined ? undefined : checkMilliseconds("timeout", input.timeout),
    headers: checkHeaders("headers", input?.headers),
  }
}

/** Wait options after validation, durations in milliseconds. */
export interface ResolvedWaitOptions extends ResolvedCallOptions {
  readonly onProgress: WaitOptions["onProgress"]
  readonly pollIntervalMs: number | undefined
  readonly maxWaitMs: number | undefined
  readonly stallAfterMs: number | undefined
}

const optionalMilliseconds = (option: string, value: unknown): number | undefined =>
  value === undefined ? undefined : checkMilliseconds(option, value)

/** Validates the options of the calls that wait for a job. */
export const resolveWaitOptions = (input: WaitOptions | undefined): ResolvedWaitOptions => {
  const call = resolveCallOptions(input)

  if (input?.onProgress !== undefined && typeof input.onProgress !== "function") {
    fail("onProgress", `must be a function, got ${describe(input.onProgress)}`)
  }

  return {
    ...call,
    onProgress: input?.onProgress,
    pollIntervalMs: optionalMilliseconds("pollInterval", input?.pollInterval),
    maxWaitMs: optionalMilliseconds("maxWait", input?.maxWait),
    stallAfterMs: optionalMilliseconds("stallAfter", input?.stallAfter),
  }
}
