import type { BackgroundJob, BackgroundJobStep } from "./BackgroundJob.ts"
import type { WorkingSetUpdateRequest } from "./WorkingSet.ts"

/** The `name` of every error class this package throws. */
export type CodebeamerErrorName =
  | "CodebeamerError"
  | "BadRequestError"
  | "UnauthorizedError"
  | "ForbiddenError"
  | "NotFoundError"
  | "RateLimitError"
  | "ServerError"
  | "UnexpectedStatusError"
  | "ConnectionError"
  | "TimeoutError"
  | "ResponseValidationError"
  | "RequestValidationError"
  | "UnknownOutcomeError"
  | "JobFailedError"
  | "WaitTimeoutError"
  | "JobStalledError"
  | "AbortError"
  | "ClientClosedError"
  | "InvalidOptionsError"

/** Where a failed request went and what Codebeamer said about it. */
export interface CodebeamerErrorDetails {
  /** The HTTP status, when the server answered. */
  readonly status?: number | undefined
  /** The HTTP method of the failed request. */
  readonly method?: string | undefined
  /** The API path of the failed request, without the base URL, e.g. `/v3/job/56`. */
  readonly path?: string | undefined
  /** The `message` of Codebeamer's error body, when it sent one. */
  readonly serverMessage?: string | undefined
  /** The `resourceUri` of Codebeamer's error body, when it sent one. */
  readonly resourceUri?: string | undefined
  /** What caused this error: the `@cbjobs/core` error, or the abort reason. */
  readonly cause?: unknown
}

// A registered symbol marks errors from every copy of this package (two versions installed side
// by side, or the browser bundle next to the npm build), so `instanceof` does not depend on which
// copy of a class the caller imported.
const errorBrand: unique symbol = Symbol.for("@cbjobs/sdk/CodebeamerError") as never

const ownClasses = new WeakSet<object>()

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom")

const isBranded = (value: unknown): value is { readonly name: unknown } =>
  typeof value === "object" &&
  value !== null &&
  (value as Record<symbol, unknown>)[errorBrand] === true

const ordinaryHasInstance = (target: object, value: unknown): boolean =>
  Function.prototype[Symbol.hasInstance].call(target, value)

const hasInstance = (target: { readonly prototype: unknown }, value: unknown): boolean => {
  if (ordinaryHasInstance(target, value)) return true

  if (!ownClasses.has(target) || !isBranded(value)) return false

  const expected = (target.prototype as { readonly name: string }).name

  return expected === "CodebeamerError" || value.name === expected
}

const nameOnPrototype = (errorClass: { prototype: object }, name: CodebeamerErrorName): void => {
  // On the prototype, not the instance, so the stack's first line already shows the right name.
  Object.defineProperty(errorClass.prototype, "name", {
    value: name,
    writable: true,
    configurable: true,
    enumerable: false,
  })

  ownClasses.add(errorClass)
}

// Only the fields that have a value become own properties, so `console.log` stays short.
const assignDefined = <Details extends object>(
  error: object,
  details: Details,
  keys: ReadonlyArray<keyof Details & string>,
): void => {
  for (const key of keys) {
    if (details[key] !== undefined) (error as Record<string, unknown>)[key] = details[key]
  }
}

/**
 * The base class of every error this package throws. Check the class with `instanceof`, or switch
 * on the literal `name`.
 *
 * Gotchas: nothing secret is ever put into an error: `message`, `stack`, `JSON.stringify(error)`
 * and Node's `util.inspect(error)` show the request's method and path, the status and
 * Codebeamer's message, never credentials. `cause` holds the `@cbjobs/core` error for callers
 * who want the full detail.
 *
 * @example
 * ```ts
 * import { CodebeamerError, NotFoundError } from "@cbjobs/sdk"
 *
 * try {
 *   await client.getBackgroundJob(56)
 * } catch (error) {
 *   if (error instanceof NotFoundError) console.log("no job 56")
 *   else if (error instanceof CodebeamerError) console.log(error.name, error.status)
 *   else throw error
 * }
 * ```
 */
export class CodebeamerError extends Error {
  declare readonly name: CodebeamerErrorName

  /** The HTTP status, when the server answered. */
  declare readonly status: number | undefined

  /** The HTTP method of the failed request, when a request was made. */
  declare readonly method: string | undefined

  /** The API path of the failed request, without the base URL, e.g. `/v3/job/56`. */
  declare readonly path: string | undefined

  /** The `message` of Codebeamer's error body, when it sent one. */
  declare readonly serverMessage: string | undefined

  /** The `resourceUri` of Codebeamer's error body, when it sent one. */
  declare readonly resourceUri: string | undefined

  /** Builds an error; the SDK does this for you, tests may too. */
  constructor(message: string, details: CodebeamerErrorDetails = {}) {
    super(message, "cause" in details ? { cause: details.cause } : undefined)

    assignDefined(this, details, ["status", "method", "path", "serverMessage", "resourceUri"])
    Object.defineProperty(this, errorBrand, { value: true })
  }

  /** `instanceof` that also recognises errors from another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof`
    return hasInstance(this, value)
  }

  /** A plain, secret-free view of the error for logs and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    const view: Record<string, unknown> = { name: this.name, message: this.message }

    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined && key !== "cause") view[key] = value
    }

    return view
  }

  /** What Node's `util.inspect` and `console.log` show: the stack and the plain fields. */
  [inspectSymbol](
    _depth: number,
    options: unknown,
    inspect?: (value: unknown, options: unknown) => string,
  ): string {
    const { name: _name, message: _message, ...fields } = this.toJSON()
    const stack = this.stack ?? `${this.name}: ${this.message}`

    if (Object.keys(fields).length === 0 || inspect === undefined) return stack

    return `${stack} ${inspect(fields, options)}`
  }
}

nameOnPrototype(CodebeamerError, "CodebeamerError")

/**
 * Codebeamer rejected the request as malformed (400); `serverMessage` usually names the field.
 *
 * @example
 * ```ts
 * if (error instanceof BadRequestError) console.log(error.serverMessage)
 * ```
 */
export class BadRequestError extends CodebeamerError {
  declare readonly name: "BadRequestError"
  declare readonly status: 400
}

nameOnPrototype(BadRequestError, "BadRequestError")

/**
 * The credentials are missing or wrong (401).
 *
 * @example
 * ```ts
 * if (error instanceof UnauthorizedError) console.log("check CODEBEAMER_USERNAME and password")
 * ```
 */
export class UnauthorizedError extends CodebeamerError {
  declare readonly name: "UnauthorizedError"
  declare readonly status: 401
}

nameOnPrototype(UnauthorizedError, "UnauthorizedError")

/**
 * The user may not do this (403): no Working-Set Admin permission on the target, no API access,
 * or another user's job.
 *
 * @example
 * ```ts
 * if (error instanceof ForbiddenError) console.log(error.serverMessage)
 * ```
 */
export class ForbiddenError extends CodebeamerError {
  declare readonly name: "ForbiddenError"
  declare readonly status: 403
}

nameOnPrototype(ForbiddenError, "ForbiddenError")

/**
 * The job, working set or tracker does not exist (404). Finished jobs also 404 once the server
 * has dropped them.
 *
 * @example
 * ```ts
 * if (error instanceof NotFoundError) console.log(`${error.path} is gone`)
 * ```
 */
export class NotFoundError extends CodebeamerError {
  declare readonly name: "NotFoundError"
  declare readonly status: 404
}

nameOnPrototype(NotFoundError, "NotFoundError")

/** Fields of a {@link RateLimitError}. */
export interface RateLimitErrorDetails extends CodebeamerErrorDetails {
  readonly retryAfterMs: number
  readonly retryAfterSource: "body" | "header" | "default"
}

/**
 * Codebeamer's API throttle refused the request (429) and the retries ran out.
 *
 * @example
 * ```ts
 * if (error instanceof RateLimitError) await sleep(error.retryAfterMs)
 * ```
 */
export class RateLimitError extends CodebeamerError {
  declare readonly name: "RateLimitError"
  declare readonly status: 429

  /** How long the server asked the client to wait, in milliseconds. */
  declare readonly retryAfterMs: number

  /** Where `retryAfterMs` came from: the JSON body, a `Retry-After` header, or a default. */
  declare readonly retryAfterSource: "body" | "header" | "default"

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: RateLimitErrorDetails) {
    super(message, details)

    assignDefined(this, details, ["retryAfterMs", "retryAfterSource"])
  }
}

nameOnPrototype(RateLimitError, "RateLimitError")

/**
 * Codebeamer failed (5xx) on a read and the retries ran out. A 5xx on a working-set update is an
 * {@link UnknownOutcomeError} instead, since the server may have started the job.
 *
 * @example
 * ```ts
 * if (error instanceof ServerError) console.log(error.status, error.serverMessage)
 * ```
 */
export class ServerError extends CodebeamerError {
  declare readonly name: "ServerError"
  declare readonly status: number
}

nameOnPrototype(ServerError, "ServerError")

/**
 * Codebeamer answered with a status the API does not list.
 *
 * @example
 * ```ts
 * if (error instanceof UnexpectedStatusError) console.log(error.status)
 * ```
 */
export class UnexpectedStatusError extends CodebeamerError {
  declare readonly name: "UnexpectedStatusError"
  declare readonly status: number
}

nameOnPrototype(UnexpectedStatusError, "UnexpectedStatusError")

/** Fields of a {@link ConnectionError}. */
export interface ConnectionErrorDetails extends CodebeamerErrorDetails {
  readonly code?: string | undefined
}

/**
 * No answer arrived: the connection was refused, reset or closed before a response. On a
 * working-set update this error means the request surely never left; otherwise it is an
 * {@link UnknownOutcomeError}.
 *
 * @example
 * ```ts
 * if (error instanceof ConnectionError) console.log("is Codebeamer reachable?", error.code)
 * ```
 */
export class ConnectionError extends CodebeamerError {
  declare readonly name: "ConnectionError"
  declare readonly status: undefined

  /** The system error code where the runtime gives one (`ECONNREFUSED`, `ENOTFOUND`...). */
  declare readonly code: string | undefined

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: ConnectionErrorDetails = {}) {
    super(message, details)

    assignDefined(this, details, ["code"])
  }
}

nameOnPrototype(ConnectionError, "ConnectionError")

/** Fields of a {@link TimeoutError}. */
export interface TimeoutErrorDetails extends CodebeamerErrorDetails {
  readonly timeoutMs?: number | undefined
}

/**
 * An attempt took longer than the `timeout` option (or the whole call ran past its deadline).
 *
 * @example
 * ```ts
 * if (error instanceof TimeoutError) console.log("try a larger timeout")
 * ```
 */
export class TimeoutError extends CodebeamerError {
  declare readonly name: "TimeoutError"
  declare readonly status: undefined

  /** The limit that passed, in milliseconds. */
  declare readonly timeoutMs: number | undefined

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: TimeoutErrorDetails = {}) {
    super(message, details)

    assignDefined(this, details, ["timeoutMs"])
  }
}

nameOnPrototype(TimeoutError, "TimeoutError")

/** Fields of a {@link ResponseValidationError}. */
export interface ResponseValidationErrorDetails extends CodebeamerErrorDetails {
  readonly field?: string | undefined
}

/**
 * Codebeamer's answer was not what the API describes: malformed or truncated JSON, an HTML login
 * page from a proxy, or a body of the wrong shape.
 *
 * @example
 * ```ts
 * if (error instanceof ResponseValidationError) console.log(error.message)
 * ```
 */
export class ResponseValidationError extends CodebeamerError {
  declare readonly name: "ResponseValidationError"

  /** The path inside the body that did not match, e.g. `steps[1].id`, when known. */
  declare readonly field: string | undefined

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: ResponseValidationErrorDetails = {}) {
    super(message, details)

    assignDefined(this, details, ["field"])
  }
}

nameOnPrototype(ResponseValidationError, "ResponseValidationError")

/** Fields of a {@link RequestValidationError}. */
export interface RequestValidationErrorDetails extends CodebeamerErrorDetails {
  readonly field: string
  readonly reason: string
}

/**
 * The request was refused before it was sent, because it could never succeed: a negative job
 * id, a working-set update with neither side, or with the same source and target.
 *
 * @example
 * ```ts
 * if (error instanceof RequestValidationError) console.log(error.field, error.reason)
 * ```
 */
export class RequestValidationError extends CodebeamerError {
  declare readonly name: "RequestValidationError"
  declare readonly status: undefined

  /** The offending field, e.g. `target.id` or `jobId`. */
  declare readonly field: string

  /** What is wrong with it. */
  declare readonly reason: string

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: RequestValidationErrorDetails) {
    super(message, details)

    assignDefined(this, details, ["field", "reason"])
  }
}

nameOnPrototype(RequestValidationError, "RequestValidationError")

/** Fields of an {@link UnknownOutcomeError}. */
export interface UnknownOutcomeErrorDetails extends CodebeamerErrorDetails {
  readonly request: WorkingSetUpdateRequest
  readonly reason: UnknownOutcomeReason
}

/**
 * Why a working-set update's outcome is unknown: no answer in time, the connection lost after
 * sending, a 5xx, or an answer that could not be read.
 */
export type UnknownOutcomeReason = "timeout" | "connection-lost" | "server-error" | "response-lost"

/**
 * A working-set update was sent, but no usable answer came back (a timeout, a lost connection, a
 * 5xx), so a job may or may not have started. The SDK never repeats such a POST, because a repeat
 * could start the merge twice.
 *
 * Gotchas: look at the target working set (or the server's job list) before trying again.
 *
 * @example
 * ```ts
 * if (error instanceof UnknownOutcomeError) console.log("check before retrying:", error.reason)
 * ```
 */
export class UnknownOutcomeError extends CodebeamerError {
  declare readonly name: "UnknownOutcomeError"

  /** The request whose outcome is unknown. */
  declare readonly request: WorkingSetUpdateRequest

  /** Why the outcome is unknown; `message` has the detail. */
  declare readonly reason: UnknownOutcomeReason

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: UnknownOutcomeErrorDetails) {
    super(message, details)

    assignDefined(this, details, ["request", "reason"])
  }
}

nameOnPrototype(UnknownOutcomeError, "UnknownOutcomeError")

/** Fields of a {@link JobFailedError}. */
export interface JobFailedErrorDetails extends CodebeamerErrorDetails {
  readonly jobId: number
  readonly job: BackgroundJob
  readonly failedSteps: ReadonlyArray<BackgroundJobStep>
}

/**
 * The job finished, but at least one step failed (Codebeamer has no failed job status).
 *
 * @example
 * ```ts
 * if (error instanceof JobFailedError) {
 *   for (const step of error.failedSteps) console.log(step.name, step.resultMessage)
 * }
 * ```
 */
export class JobFailedError extends CodebeamerError {
  declare readonly name: "JobFailedError"
  declare readonly status: undefined

  /** The id of the failed job. */
  declare readonly jobId: number

  /** The job's last snapshot. */
  declare readonly job: BackgroundJob

  /** The steps whose result is `FAILED`, with their `resultMessage`. */
  declare readonly failedSteps: ReadonlyArray<BackgroundJobStep>

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: JobFailedErrorDetails) {
    super(message, details)

    assignDefined(this, details, ["jobId", "job", "failedSteps"])
  }
}

nameOnPrototype(JobFailedError, "JobFailedError")

/** Fields of a {@link WaitTimeoutError}. */
export interface WaitTimeoutErrorDetails extends CodebeamerErrorDetails {
  readonly jobId: number
  readonly lastJob?: BackgroundJob | undefined
}

/**
 * The job did not finish within `maxWait`. The job itself keeps running on the server.
 *
 * @example
 * ```ts
 * if (error instanceof WaitTimeoutError) console.log(error.lastJob?.statusInfo?.progressPercentage)
 * ```
 */
export class WaitTimeoutError extends CodebeamerError {
  declare readonly name: "WaitTimeoutError"
  declare readonly status: undefined

  /** The id of the job waited for. */
  declare readonly jobId: number

  /** The last snapshot seen, if any poll succeeded. */
  declare readonly lastJob: BackgroundJob | undefined

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: WaitTimeoutErrorDetails) {
    super(message, details)

    assignDefined(this, details, ["jobId", "lastJob"])
  }
}

nameOnPrototype(WaitTimeoutError, "WaitTimeoutError")

/** Fields of a {@link JobStalledError}. */
export interface JobStalledErrorDetails extends CodebeamerErrorDetails {
  readonly jobId: number
  readonly lastJob: BackgroundJob
}

/**
 * The job showed no change in status, progress or step for `stallAfter`.
 *
 * @example
 * ```ts
 * if (error instanceof JobStalledError) console.log(error.lastJob.statusInfo?.stepInProgress)
 * ```
 */
export class JobStalledError extends CodebeamerError {
  declare readonly name: "JobStalledError"
  declare readonly status: undefined

  /** The id of the stalled job. */
  declare readonly jobId: number

  /** The last snapshot seen. */
  declare readonly lastJob: BackgroundJob

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: JobStalledErrorDetails) {
    super(message, details)

    assignDefined(this, details, ["jobId", "lastJob"])
  }
}

nameOnPrototype(JobStalledError, "JobStalledError")

/**
 * The caller's `AbortSignal` fired. The request in flight was cancelled; `cause` is the signal's
 * reason.
 *
 * Gotchas: aborting a working-set update after it was sent does not stop a job the server may
 * already have started.
 *
 * @example
 * ```ts
 * const controller = new AbortController()
 * setTimeout(() => controller.abort(), 1000)
 * await client.waitForJob(56, { signal: controller.signal }).catch((error) => {
 *   if (!(error instanceof AbortError)) throw error
 * })
 * ```
 */
export class AbortError extends CodebeamerError {
  declare readonly name: "AbortError"
  declare readonly status: undefined
}

nameOnPrototype(AbortError, "AbortError")

/**
 * A call was made on a client after its `close()`; nothing was sent. The message names the call.
 * Make a new `CodebeamerJobs` for further calls.
 *
 * @example
 * ```ts
 * await client.close()
 * await client.getBackgroundJob(56).catch((error) => {
 *   if (error instanceof ClientClosedError) console.log(error.message)
 *   // "getBackgroundJob called on a closed client; make a new CodebeamerJobs to call again"
 * })
 * ```
 */
export class ClientClosedError extends CodebeamerError {
  declare readonly name: "ClientClosedError"
  declare readonly status: undefined
}

nameOnPrototype(ClientClosedError, "ClientClosedError")

/** Fields of an {@link InvalidOptionsError}. */
export interface InvalidOptionsErrorDetails {
  readonly option: string
  readonly cause?: unknown
}

/**
 * An option given to `new CodebeamerJobs(...)` or to a call is missing or invalid. `option` names
 * it (`baseUrl`, `auth.password`, `timeout`...), or the environment variable it came from.
 *
 * @example
 * ```ts
 * try {
 *   new CodebeamerJobs({ baseUrl: "not a url" })
 * } catch (error) {
 *   if (error instanceof InvalidOptionsError) console.log(error.option) // "baseUrl"
 * }
 * ```
 */
export class InvalidOptionsError extends CodebeamerError {
  declare readonly name: "InvalidOptionsError"
  declare readonly status: undefined

  /** The option (or environment variable) at fault. */
  declare readonly option: string

  /** Builds the error; the SDK does this for you. */
  constructor(message: string, details: InvalidOptionsErrorDetails) {
    super(message, "cause" in details ? { cause: details.cause } : {})

    this.option = details.option
  }
}

nameOnPrototype(InvalidOptionsError, "InvalidOptionsError")
