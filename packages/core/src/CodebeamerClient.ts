/**
 * The client: its configuration, the `CodebeamerClient` service and the two operations of the
 * background-job API.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import ky from "ky"
import { BackgroundJob, JobReference } from "./BackgroundJob.ts"
import {
  ConfigError,
  type GetBackgroundJobError,
  InvalidRequest,
  type UpdateWorkingSetError,
} from "./Errors.ts"
import { makeDecoder } from "./internal/decode.ts"
import {
  type AttemptEvent,
  type ClientRuntime,
  type Completed,
  clientSpanAttributes,
  execute,
  type WithResponse,
  withResponse,
} from "./internal/execute.ts"
import { fastBackgroundJob, fastJobReference } from "./internal/fastDecode.ts"
import { isSensitiveHeader, makeScrubber } from "./internal/redact.ts"
import { defaultRetryPolicy, type RetryPolicy, type RetrySchedule } from "./Retry.ts"
import {
  defaultThrottlePolicy,
  makeThrottle,
  type Throttle,
  type ThrottlePolicy,
} from "./Throttle.ts"
import {
  isValidId,
  validateWorkingSetUpdateRequest,
  type WorkingSetUpdateRequest,
} from "./WorkingSet.ts"

export type { AttemptEvent, WithResponse } from "./internal/execute.ts"

/**
 * How the client authenticates; exactly one scheme per client. Secrets are held as `Redacted`, so
 * printing or serialising the config shows `<redacted>`.
 */
export type Auth =
  | {
      readonly type: "basic"
      readonly username: string
      readonly password: Redacted.Redacted<string>
    }
  | {
      readonly type: "apiKey"
      readonly apiKey: Redacted.Redacted<string>
      /** A word sent before the key, e.g. `ApiKey`; none by default. */
      readonly prefix?: string | undefined
    }
  | {
      readonly type: "bearer"
      readonly token: Redacted.Redacted<string>
    }

/** Callbacks that observe the client; the library itself never writes to the console. */
export interface ClientHooks {
  /** Called after every attempt, e.g. to log it; an exception it throws is ignored. */
  readonly onAttempt?: ((event: AttemptEvent) => void) | undefined
}

/** The configuration of a client. Only `baseUrl` and `auth` are required. */
export interface ClientConfig {
  /** The API's base URL, e.g. `https://cb.example.com/cb/api`; http or https. */
  readonly baseUrl: string | URL
  readonly auth: Auth
  /** The limit of each attempt; default 30 s. */
  readonly timeout?: Duration.Input | undefined
  /** The limit of a whole operation, retries and waits included; none by default. */
  readonly deadline?: Duration.Input | undefined
  /** Retry schedules per operation, replacing the defaults; `false` for no retries. */
  readonly retry?:
    | { readonly get?: RetrySchedule | undefined; readonly post?: RetrySchedule | undefined }
    | false
    | undefined
  /** The client-side limiter; default {@link defaultThrottlePolicy}; `false` for none. */
  readonly throttle?: ThrottlePolicy | false | undefined
  /** A fetch to use instead of the global one. */
  readonly fetch?: typeof fetch | undefined
  /** The `User-Agent` header; default `cbjobs-core`. */
  readonly userAgent?: string | undefined
  /**
   * Extra headers on every request (not `Authorization` nor `Accept`). Values may be `Redacted`;
   * those with a sensitive name (token, key, secret, cookie...) are made `Redacted` on validation
   * and never shown in spans or errors.
   */
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  readonly hooks?: ClientHooks | undefined
}

/**
 * Options of one call, on top of the client's configuration. The call still goes through the
 * client's throttle, retries, deadline and 429 handling.
 *
 * @example
 * ```ts
 * import { getBackgroundJob } from "@cbjobs/core"
 *
 * const job = getBackgroundJob(56, { timeout: "5 seconds", headers: { "x-trace-id": "t-1" } })
 * ```
 */
export interface RequestOptions {
  /** The limit of each attempt of this call, instead of the client's `timeout`. */
  readonly timeout?: Duration.Input | undefined
  /**
   * Extra headers for this call, merged over the client's (names compared without case); the
   * same rules as {@link ClientConfig.headers}: not `Authorization`, `Accept`, `Content-Type`
   * nor `Content-Length`, and sensitive ones are redacted in spans and errors.
   */
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
}

/** Like {@link Auth}, with secrets also accepted as plain strings. */
export type AuthInput =
  | {
      readonly type: "basic"
      readonly username: string
      readonly password: string | Redacted.Redacted<string>
    }
  | {
      readonly type: "apiKey"
      readonly apiKey: string | Redacted.Redacted<string>
      readonly prefix?: string | undefined
    }
  | { readonly type: "bearer"; readonly token: string | Redacted.Redacted<string> }

/** Like {@link ClientConfig}, with secrets also accepted as plain strings. */
export interface ClientConfigInput extends Omit<ClientConfig, "auth"> {
  readonly auth: AuthInput
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_USER_AGENT = "cbjobs-core"
const RESERVED_HEADERS = new Set(["authorization", "accept", "content-type", "content-length"])
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const VISIBLE_ASCII = /^[\x21-\x7e]+$/
const hasControl = (text: string): boolean => {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)

    if (code < 0x20 || code === 0x7f) {
      return true
    }
  }

  return false
}

type Check<A> = Result.Result<A, ConfigError>

const invalid = (field: string, reason: string): Check<never> =>
  Result.fail(new ConfigError({ field, reason }))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const checkBaseUrl = (value: unknown): Check<string> => {
  if (typeof value !== "string" && !(value instanceof URL)) {
    return invalid("baseUrl", "must be a URL string such as https://cb.example.com/cb/api")
  }

  let url: URL

  try {
    url = new URL(String(value))
  } catch {
    return invalid("baseUrl", "is not a valid URL")
  }

  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return invalid("baseUrl", `must use http or https, not ${url.protocol.replace(":", "")}`)
  }

  if (url.username !== "" || url.password !== "") {
    return invalid("baseUrl", "must not carry credentials; give them through auth")
  }

  if (url.search !== "" || url.hash !== "") {
    return invalid("baseUrl", "must not have a query or fragment")
  }

  return Result.succeed(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
}

const checkSecret = (
  field: string,
  value: unknown,
  pattern?: RegExp,
): Check<Redacted.Redacted<string>> => {
  const text = Redacted.isRedacted(value) ? Redacted.value(value) : value

  if (typeof text !== "string" || text === "") {
    return invalid(field, "must be a non-empty string or Redacted string")
  }

  if (pattern !== undefined && !pattern.test(text)) {
    return invalid(field, "must be printable ASCII without spaces")
  }

  if (hasControl(text)) {
    return invalid(field, "must not contain control characters")
  }

  return Result.succeed(
    Redacted.isRedacted(value) ? (value as Redacted.Redacted<string>) : Redacted.make(text),
  )
}

const checkAuth = (value: unknown): Check<Auth> => {
  if (!isRecord(value)) {
    return invalid("auth", "must be { type: 'basic' | 'apiKey' | 'bearer', ... }")
  }

  switch (value.type) {
    case "basic": {
      const username = value.username

      if (typeof username !== "string" || username === "") {
        return invalid("auth.username", "must be a non-empty string")
      }

      if (username.includes(":") || hasControl(username)) {
        return invalid("auth.username", "must not contain ':' or control characters")
      }

      return Result.map(checkSecret("auth.password", value.password), (password) => ({
        type: "basic" as const,
        username,
        password,
      }))
    }
    case "apiKey": {
      const prefix = value.prefix

      if (prefix !== undefined && (typeof prefix !== "string" || !VISIBLE_ASCII.test(prefix))) {
        return invalid("auth.prefix", "must be one word of printable ASCII, e.g. ApiKey")
      }

      return Result.map(checkSecret("auth.apiKey", value.apiKey, VISIBLE_ASCII), (apiKey) => ({
        type: "apiKey" as const,
        apiKey,
        ...(prefix === undefined ? {} : { prefix }),
      }))
    }
    case "bearer":
      return Result.map(checkSecret("auth.token", value.token, VISIBLE_ASCII), (token) => ({
        type: "bearer" as const,
        token,
      }))
    default:
      return invalid("auth.type", "must be 'basic', 'apiKey' or 'bearer'")
  }
}

const checkDuration = (field: string, value: unknown): Check<number | undefined> => {
  if (value === undefined) {
    return Result.succeed(undefined)
  }

  const duration = Duration.fromInput(value as Duration.Input)

  if (Option.isNone(duration)) {
    return invalid(field, "must be a duration such as 30000 (ms) or '30 seconds'")
  }

  const millis = Duration.toMillis(duration.value)

  return Number.isFinite(millis) && millis > 0
    ? Result.succeed(millis)
    : invalid(field, "must be a positive, finite duration")
}

const checkRetry = (value: unknown): Check<ClientConfig["retry"]> => {
  if (value === undefined || value === false) {
    return Result.succeed(value)
  }

  if (!isRecord(value)) {
    return invalid("retry", "must be { get?, post? } with Schedules, or false")
  }

  for (const key of Object.keys(value)) {
    if (key !== "get" && key !== "post") {
      return invalid(`retry.${key}`, "is not a retry option (get, post)")
    }

    if (value[key] !== undefined && !Schedule.isSchedule(value[key])) {
      return invalid(`retry.${key}`, "must be a Schedule from effect/Schedule")
    }
  }

  return Result.succeed(value as ClientConfig["retry"])
}

const checkThrottle = (value: unknown): Check<ThrottlePolicy | false | undefined> => {
  if (value === undefined || value === false) {
    return Result.succeed(value)
  }

  if (!isRecord(value) || !Array.isArray(value.windows)) {
    return invalid("throttle", "must be { windows: [{ limit, window }] } or false")
  }

  for (const [index, window] of value.windows.entries()) {
    const field = `throttle.windows[${index}]`

    if (!isRecord(window)) {
      return invalid(field, "must be { limit, window }")
    }

    if (typeof window.limit !== "number" || !Number.isInteger(window.limit) || window.limit < 1) {
      return invalid(`${field}.limit`, "must be an integer of at least 1")
    }

    const millis = checkDuration(`${field}.window`, window.window)

    if (Result.isFailure(millis)) {
      return Result.fail(millis.failure)
    }

    if (millis.success === undefined) {
      return invalid(`${field}.window`, "is required")
    }
  }

  return Result.succeed(value as unknown as ThrottlePolicy)
}

type Headers = Readonly<Record<string, string | Redacted.Redacted<string>>>

const checkHeaders = (value: unknown): Check<Headers | undefined> => {
  if (value === undefined) {
    return Result.succeed(undefined)
  }

  if (!isRecord(value)) {
    return invalid("headers", "must be an object of header names to values")
  }

  const headers: Record<string, string | Redacted.Redacted<string>> = {}

  for (const [name, raw] of Object.entries(value)) {
    const field = `headers.${name}`
    const text = Redacted.isRedacted(raw) ? Redacted.value(raw) : raw

    if (!HEADER_NAME.test(name)) {
      return invalid(field, "is not a valid header name")
    }

    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return invalid(field, "is set by the client; give credentials through auth")
    }

    if (typeof text !== "string" || hasControl(text)) {
      return invalid(field, "must be a string without control characters")
    }

    headers[name] =
      isSensitiveHeader(name) && !Redacted.isRedacted(raw) ? Redacted.make(text) : (raw as string)
  }

  return Result.succeed(headers)
}

const checkOptional = (
  field: string,
  value: unknown,
  type: "function" | "string",
): Check<undefined> => {
  if (value === undefined || typeof value === type) {
    return type === "string" && typeof value === "string" && (value === "" || hasControl(value))
      ? invalid(field, "must be a non-empty string without control characters")
      : Result.succeed(undefined)
  }

  return invalid(field, `must be a ${type}`)
}

const CONFIG_KEYS = new Set([
  "baseUrl",
  "auth",
  "timeout",
  "deadline",
  "retry",
  "throttle",
  "fetch",
  "userAgent",
  "headers",
  "hooks",
])

/**
 * Validates a client configuration and returns it normalised (base URL without a trailing slash,
 * secrets as `Redacted`), or a {@link ConfigError} naming the field.
 */
export const parseClientConfig = (input: unknown): Result.Result<ClientConfig, ConfigError> => {
  if (!isRecord(input)) {
    return invalid("config", "must be an object with baseUrl and auth")
  }

  for (const key of Object.keys(input)) {
    if (!CONFIG_KEYS.has(key) && input[key] !== undefined) {
      return invalid(key, "is not a client option")
    }
  }

  const hooks = input.hooks

  if (hooks !== undefined && !isRecord(hooks)) {
    return invalid("hooks", "must be { onAttempt? }")
  }

  return Result.gen(function* () {
    const baseUrl = yield* checkBaseUrl(input.baseUrl)
    const auth = yield* checkAuth(input.auth)
    yield* checkDuration("timeout", input.timeout)
    yield* checkDuration("deadline", input.deadline)
    const retry = yield* checkRetry(input.retry)
    const throttle = yield* checkThrottle(input.throttle)
    const headers = yield* checkHeaders(input.headers)
    yield* checkOptional("fetch", input.fetch, "function")
    yield* checkOptional("userAgent", input.userAgent, "string")
    yield* checkOptional("hooks.onAttempt", hooks?.onAttempt, "function")

    return {
      ...(input as unknown as ClientConfig),
      baseUrl,
      auth,
      retry,
      throttle,
      headers,
    }
  })
}

/**
 * Validates a client configuration: fails with a {@link ConfigError} naming the field.
 *
 * @example
 * ```ts
 * import { makeClientConfig } from "@cbjobs/core"
 *
 * const config = makeClientConfig({
 *   baseUrl: "https://cb.example.com/cb/api",
 *   auth: { type: "bearer", token: process.env.CODEBEAMER_TOKEN ?? "" },
 * })
 * ```
 */
export const makeClientConfig = (
  input: ClientConfigInput,
): Effect.Effect<ClientConfig, ConfigError> =>
  Effect.suspend(() => Effect.fromResult(parseClientConfig(input)))

const encodeBase64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""

  for (const byte of bytes) {
    binary += String.fromCharCode(byte)
  }

  return btoa(binary)
}

const authorization = (auth: Auth): { readonly header: string; readonly secrets: string[] } => {
  switch (auth.type) {
    case "basic": {
      const password = Redacted.value(auth.password)
      const encoded = encodeBase64(`${auth.username}:${password}`)

      return { header: `Basic ${encoded}`, secrets: [password, encoded] }
    }
    case "apiKey": {
      const apiKey = Redacted.value(auth.apiKey)
      const header = auth.prefix === undefined ? apiKey : `${auth.prefix} ${apiKey}`

      return { header, secrets: [apiKey, header] }
    }
    case "bearer": {
      const token = Redacted.value(auth.token)

      return { header: `Bearer ${token}`, secrets: [token] }
    }
  }
}

/** The operations of one client, with its throttle. */
export interface CodebeamerClientService {
  /** The normalised base URL. */
  readonly baseUrl: string
  /** The limiter shared by every call through this client. */
  readonly throttle: Throttle
  readonly getBackgroundJob: (
    jobId: number,
    options?: RequestOptions,
  ) => Effect.Effect<BackgroundJob, GetBackgroundJobError>
  readonly getBackgroundJobWithResponse: (
    jobId: number,
    options?: RequestOptions,
  ) => Effect.Effect<WithResponse<BackgroundJob>, GetBackgroundJobError>
  readonly updateWorkingSet: (
    request: WorkingSetUpdateRequest,
    options?: RequestOptions,
  ) => Effect.Effect<JobReference, UpdateWorkingSetError>
  readonly updateWorkingSetWithResponse: (
    request: WorkingSetUpdateRequest,
    options?: RequestOptions,
  ) => Effect.Effect<WithResponse<JobReference>, UpdateWorkingSetError>
}

const decodeBackgroundJob = makeDecoder(BackgroundJob, fastBackgroundJob)
const decodeJobReference = makeDecoder(JobReference, fastJobReference)

const WORKING_SET_UPDATE_PATH = "/v3/jobs/working-set-update"

const REQUEST_OPTION_KEYS = new Set(["timeout", "headers"])

/** Checks a call's options; the failure names the field below `options`. */
const checkRequestOptions = (
  value: unknown,
): Check<{ readonly timeoutMs: number | undefined; readonly headers: Headers | undefined }> => {
  if (!isRecord(value)) {
    return invalid("options", "must be { timeout?, headers? }")
  }

  for (const key of Object.keys(value)) {
    if (!REQUEST_OPTION_KEYS.has(key) && value[key] !== undefined) {
      return invalid(`options.${key}`, "is not a request option (timeout, headers)")
    }
  }

  const prefixed = (check: Check<unknown>) =>
    Result.mapError(
      check,
      (error) => new ConfigError({ field: `options.${error.field}`, reason: error.reason }),
    )

  return Result.gen(function* () {
    const timeoutMs = yield* prefixed(checkDuration("timeout", value.timeout))
    const headers = yield* prefixed(checkHeaders(value.headers))

    return {
      timeoutMs: timeoutMs as number | undefined,
      headers: headers as Headers | undefined,
    }
  })
}

const plainValue = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

const makeService = (config: ClientConfig): CodebeamerClientService => {
  const baseUrl = config.baseUrl as string
  const url = new URL(baseUrl)
  const { header, secrets } = authorization(config.auth)
  const extraHeaders = Object.entries(config.headers ?? {}).map(
    ([name, value]) => [name, Redacted.isRedacted(value) ? Redacted.value(value) : value] as const,
  )
  const headers: Record<string, string> = {
    ...Object.fromEntries(extraHeaders),
    accept: "application/json",
    "user-agent": config.userAgent ?? DEFAULT_USER_AGENT,
    authorization: header,
  }
  const secretHeaderValues = Object.entries(config.headers ?? {})
    .filter(([name, value]) => isSensitiveHeader(name) || Redacted.isRedacted(value))
    .map(([, value]) => (Redacted.isRedacted(value) ? Redacted.value(value) : value))
  const retry: RetryPolicy =
    config.retry === false
      ? {}
      : {
          get: config.retry?.get ?? defaultRetryPolicy.get,
          post: config.retry?.post ?? defaultRetryPolicy.post,
        }
  const throttle = makeThrottle(config.throttle ?? defaultThrottlePolicy)
  const runtime: ClientRuntime = {
    baseUrl,
    basePath: url.pathname.replace(/\/+$/, ""),
    headers,
    spanAttributes: clientSpanAttributes(
      url,
      headers,
      new Set(
        Object.entries(config.headers ?? {})
          .filter(([, value]) => Redacted.isRedacted(value))
          .map(([name]) => name),
      ),
    ),
    timeoutMs: Duration.toMillis(Duration.fromInputUnsafe(config.timeout ?? DEFAULT_TIMEOUT_MS)),
    deadlineMs:
      config.deadline === undefined
        ? undefined
        : Duration.toMillis(Duration.fromInputUnsafe(config.deadline)),
    retryGet: retry.get,
    retryPost: retry.post,
    throttle,
    ky: ky.create({ retry: 0, throwHttpErrors: false, timeout: false }),
    fetch: config.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    onAttempt: config.hooks?.onAttempt,
    scrub: makeScrubber([...secrets, ...secretHeaderValues]),
  }
  const clientSecretNames = new Set(
    Object.entries(config.headers ?? {})
      .filter(([, value]) => Redacted.isRedacted(value))
      .map(([name]) => name),
  )

  // The client's runtime with one call's options applied: only headers, timeout and what
  // derives from them change, so throttle, retries, deadline and hook stay the client's own.
  const runtimeFor = (
    options: RequestOptions | undefined,
    where: Pick<InvalidRequest, "operation" | "method" | "path">,
  ): Result.Result<ClientRuntime, InvalidRequest> => {
    if (options === undefined) {
      return Result.succeed(runtime)
    }

    const checked = checkRequestOptions(options)

    if (Result.isFailure(checked)) {
      const { field, reason } = checked.failure

      return Result.fail(new InvalidRequest({ ...where, field, reason }))
    }

    const { timeoutMs, headers: callHeaders } = checked.success

    if (callHeaders === undefined || Object.keys(callHeaders).length === 0) {
      return Result.succeed(timeoutMs === undefined ? runtime : { ...runtime, timeoutMs })
    }

    const callNames = new Set(Object.keys(callHeaders).map((name) => name.toLowerCase()))
    const merged: Record<string, string> = {}

    for (const [name, value] of Object.entries(headers)) {
      if (!callNames.has(name.toLowerCase())) {
        merged[name] = value
      }
    }

    const callSecrets: Array<string> = []
    const secretNames = new Set([...clientSecretNames].filter((name) => name in merged))

    for (const [name, value] of Object.entries(callHeaders)) {
      merged[name] = plainValue(value)

      if (Redacted.isRedacted(value) || isSensitiveHeader(name)) {
        callSecrets.push(plainValue(value))
        secretNames.add(name)
      }
    }

    return Result.succeed({
      ...runtime,
      headers: merged,
      spanAttributes: clientSpanAttributes(url, merged, secretNames),
      timeoutMs: timeoutMs ?? runtime.timeoutMs,
      scrub:
        callSecrets.length === 0
          ? runtime.scrub
          : makeScrubber([...secrets, ...secretHeaderValues, ...callSecrets]),
    })
  }

  const getBackgroundJobCompleted = (
    jobId: number,
    options: RequestOptions | undefined,
  ): Effect.Effect<Completed<BackgroundJob>, GetBackgroundJobError> => {
    if (!isValidId(jobId)) {
      return Effect.fail(
        new InvalidRequest({
          operation: "getBackgroundJob",
          method: "GET",
          path: "/v3/job/{jobId}",
          field: "jobId",
          reason: `must be an integer from 0 to 2147483647, got ${String(jobId)}`,
        }),
      )
    }

    const callRuntime = runtimeFor(options, {
      operation: "getBackgroundJob",
      method: "GET",
      path: `/v3/job/${jobId}`,
    })

    if (Result.isFailure(callRuntime)) {
      return Effect.fail(callRuntime.failure)
    }

    return execute(callRuntime.success, {
      name: "getBackgroundJob",
      method: "GET",
      path: `/v3/job/${jobId}`,
      template: "/v3/job/{jobId}",
      jobId,
      decode: decodeBackgroundJob,
    }) as Effect.Effect<Completed<BackgroundJob>, GetBackgroundJobError>
  }

  const updateWorkingSetCompleted = (
    request: WorkingSetUpdateRequest,
    options: RequestOptions | undefined,
  ): Effect.Effect<Completed<JobReference>, UpdateWorkingSetError> => {
    const checked = validateWorkingSetUpdateRequest(request)

    if (Result.isFailure(checked)) {
      return Effect.fail(
        new InvalidRequest({
          operation: "updateWorkingSet",
          method: "POST",
          path: WORKING_SET_UPDATE_PATH,
          field: checked.failure.field,
          reason: checked.failure.reason,
        }),
      )
    }

    const callRuntime = runtimeFor(options, {
      operation: "updateWorkingSet",
      method: "POST",
      path: WORKING_SET_UPDATE_PATH,
    })

    if (Result.isFailure(callRuntime)) {
      return Effect.fail(callRuntime.failure)
    }

    return execute(callRuntime.success, {
      name: "updateWorkingSet",
      method: "POST",
      path: WORKING_SET_UPDATE_PATH,
      template: WORKING_SET_UPDATE_PATH,
      body: JSON.stringify(checked.success),
      request: checked.success,
      decode: decodeJobReference,
    }) as Effect.Effect<Completed<JobReference>, UpdateWorkingSetError>
  }

  return {
    baseUrl,
    throttle,
    getBackgroundJob: (jobId, options) =>
      Effect.map(getBackgroundJobCompleted(jobId, options), (r) => r.data),
    getBackgroundJobWithResponse: (jobId, options) =>
      Effect.map(getBackgroundJobCompleted(jobId, options), withResponse),
    updateWorkingSet: (request, options) =>
      Effect.map(updateWorkingSetCompleted(request, options), (r) => r.data),
    updateWorkingSetWithResponse: (request, options) =>
      Effect.map(updateWorkingSetCompleted(request, options), withResponse),
  }
}

/**
 * Makes a client from a configuration; fails with a {@link ConfigError} naming the field.
 */
export const makeClient = (
  config: ClientConfig | ClientConfigInput,
): Effect.Effect<CodebeamerClientService, ConfigError> =>
  Effect.map(makeClientConfig(config), makeService)

const nonEmpty = <A>(value: Option.Option<A>, text: (a: A) => string): Option.Option<A> =>
  Option.filter(value, (a) => text(a).trim() !== "")

const env = Config.all({
  url: Config.option(Config.String("CODEBEAMER_URL")),
  username: Config.option(Config.String("CODEBEAMER_USERNAME")),
  password: Config.option(Config.Redacted("CODEBEAMER_PASSWORD")),
  apiKey: Config.option(Config.Redacted("CODEBEAMER_API_KEY")),
  apiKeyPrefix: Config.option(Config.String("CODEBEAMER_API_KEY_PREFIX")),
  token: Config.option(Config.Redacted("CODEBEAMER_TOKEN")),
})

const SCHEMES = "CODEBEAMER_USERNAME + CODEBEAMER_PASSWORD, CODEBEAMER_API_KEY or CODEBEAMER_TOKEN"

/**
 * Reads the base URL and credentials from the environment (through effect's `ConfigProvider`):
 * `CODEBEAMER_URL` and exactly one of `CODEBEAMER_USERNAME` + `CODEBEAMER_PASSWORD`,
 * `CODEBEAMER_API_KEY` (+ `CODEBEAMER_API_KEY_PREFIX`) or `CODEBEAMER_TOKEN`. Empty variables
 * count as unset; two schemes at once is an error.
 */
export const clientConfigFromEnv: Effect.Effect<ClientConfig, ConfigError> = Effect.gen(
  function* () {
    const values = yield* Effect.mapError(
      env,
      () => new ConfigError({ field: "environment", reason: "could not be read" }),
    )
    const url = nonEmpty(values.url, (v) => v)
    const username = nonEmpty(values.username, (v) => v)
    const password = nonEmpty(values.password, Redacted.value)
    const apiKey = nonEmpty(values.apiKey, Redacted.value)
    const prefix = nonEmpty(values.apiKeyPrefix, (v) => v)
    const token = nonEmpty(values.token, Redacted.value)

    if (Option.isNone(url)) {
      return yield* new ConfigError({ field: "CODEBEAMER_URL", reason: "is not set" })
    }

    const schemes = [
      Option.isSome(username) || Option.isSome(password) ? "CODEBEAMER_USERNAME" : undefined,
      Option.isSome(apiKey) ? "CODEBEAMER_API_KEY" : undefined,
      Option.isSome(token) ? "CODEBEAMER_TOKEN" : undefined,
    ].filter((scheme) => scheme !== undefined)

    if (schemes.length === 0) {
      return yield* new ConfigError({ field: "CODEBEAMER_*", reason: `set one of ${SCHEMES}` })
    }

    if (schemes.length > 1) {
      return yield* new ConfigError({
        field: schemes.join(", "),
        reason: "are set together; set exactly one authentication scheme",
      })
    }

    if (Option.isSome(prefix) && Option.isNone(apiKey)) {
      return yield* new ConfigError({
        field: "CODEBEAMER_API_KEY_PREFIX",
        reason: "is set without CODEBEAMER_API_KEY",
      })
    }

    const auth: Auth | ConfigError = Option.isSome(apiKey)
      ? { type: "apiKey", apiKey: apiKey.value, prefix: Option.getOrUndefined(prefix) }
      : Option.isSome(token)
        ? { type: "bearer", token: token.value }
        : Option.isNone(username)
          ? new ConfigError({ field: "CODEBEAMER_USERNAME", reason: "is not set" })
          : Option.isNone(password)
            ? new ConfigError({ field: "CODEBEAMER_PASSWORD", reason: "is not set" })
            : { type: "basic", username: username.value, password: password.value }

    if (auth instanceof ConfigError) {
      return yield* auth
    }

    return yield* Effect.mapError(
      makeClientConfig({ baseUrl: url.value, auth }),
      (error) => new ConfigError({ field: envName(error.field), reason: error.reason }),
    )
  },
)

const envName = (field: string): string => {
  switch (field) {
    case "baseUrl":
      return "CODEBEAMER_URL"
    case "auth.username":
      return "CODEBEAMER_USERNAME"
    case "auth.password":
      return "CODEBEAMER_PASSWORD"
    case "auth.apiKey":
      return "CODEBEAMER_API_KEY"
    case "auth.prefix":
      return "CODEBEAMER_API_KEY_PREFIX"
    case "auth.token":
      return "CODEBEAMER_TOKEN"
    default:
      return field
  }
}

/**
 * The client service. Provide it with {@link CodebeamerClient.layer} or
 * {@link CodebeamerClient.layerConfig}; every call through one layer shares its throttle.
 *
 * @example
 * ```ts
 * import { CodebeamerClient, getBackgroundJob } from "@cbjobs/core"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const client = CodebeamerClient.layer({
 *   baseUrl: "https://cb.example.com/cb/api",
 *   auth: { type: "bearer", token: Redacted.make(token) },
 * })
 * const job = await Effect.runPromise(getBackgroundJob(56).pipe(Effect.provide(client)))
 * ```
 */
export class CodebeamerClient extends Context.Service<CodebeamerClient, CodebeamerClientService>()(
  "@cbjobs/core/CodebeamerClient",
) {
  /** A layer that makes the client from a configuration. */
  static readonly layer = (
    config: ClientConfig | ClientConfigInput,
  ): Layer.Layer<CodebeamerClient, ConfigError> =>
    Layer.effect(CodebeamerClient, makeClient(config))

  /**
   * A layer that reads the configuration from the environment (see {@link clientConfigFromEnv}).
   */
  static readonly layerConfig: Layer.Layer<CodebeamerClient, ConfigError> = Layer.effect(
    CodebeamerClient,
    Effect.flatMap(clientConfigFromEnv, makeClient),
  )

  /**
   * Like {@link CodebeamerClient.layerConfig}, with further options (timeout, retry, throttle,
   * hooks...) on top of what the environment gives.
   */
  static readonly layerConfigWith = (
    options: Omit<ClientConfig, "baseUrl" | "auth">,
  ): Layer.Layer<CodebeamerClient, ConfigError> =>
    Layer.effect(
      CodebeamerClient,
      Effect.flatMap(clientConfigFromEnv, (config) => makeClient({ ...options, ...config })),
    )
}

/**
 * Reads a background job.
 *
 * @example
 * ```ts
 * import { getBackgroundJob, jobProgress } from "@cbjobs/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.map(getBackgroundJob(56), (job) => jobProgress(job))
 * ```
 */
export const getBackgroundJob = (
  jobId: number,
  options?: RequestOptions,
): Effect.Effect<BackgroundJob, GetBackgroundJobError, CodebeamerClient> =>
  Effect.flatMap(CodebeamerClient, (client) => client.getBackgroundJob(jobId, options))

/** Reads a background job, with the response's status, headers, attempts and duration. */
export const getBackgroundJobWithResponse = (
  jobId: number,
  options?: RequestOptions,
): Effect.Effect<WithResponse<BackgroundJob>, GetBackgroundJobError, CodebeamerClient> =>
  Effect.flatMap(CodebeamerClient, (client) => client.getBackgroundJobWithResponse(jobId, options))

/**
 * Starts a working-set update job. Not idempotent: every accepted call starts a new job, so it is
 * retried only where the server surely did not act; otherwise it fails with `UnknownOutcome`.
 *
 * @example
 * ```ts
 * import { updateWorkingSet } from "@cbjobs/core"
 *
 * const started = updateWorkingSet({
 *   source: { id: 12 },
 *   target: { id: 13 },
 *   trackers: [{ tracker: { id: 1001 }, cbql: "status = 'Approved'" }],
 * })
 * ```
 */
export const updateWorkingSet = (
  request: WorkingSetUpdateRequest,
  options?: RequestOptions,
): Effect.Effect<JobReference, UpdateWorkingSetError, CodebeamerClient> =>
  Effect.flatMap(CodebeamerClient, (client) => client.updateWorkingSet(request, options))

/** Starts a working-set update job, with the response's metadata. */
export const updateWorkingSetWithResponse = (
  request: WorkingSetUpdateRequest,
  options?: RequestOptions,
): Effect.Effect<WithResponse<JobReference>, UpdateWorkingSetError, CodebeamerClient> =>
  Effect.flatMap(CodebeamerClient, (client) =>
    client.updateWorkingSetWithResponse(request, options),
  )
