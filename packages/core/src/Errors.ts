/**
 * One tagged error per failure. Every error has a one-line `message` that says what failed and
 * then where, e.g. "job 56 not found (GET /v3/job/56, 404)", and none ever holds a secret: not in
 * its message, its fields, `toJSON()` or `util.inspect`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import type { BackgroundJob, BackgroundJobStep } from "./BackgroundJob.ts"
import { formatMs, oneLine } from "./internal/text.ts"
import type { WorkingSetUpdateRequest } from "./WorkingSet.ts"

/** The HTTP methods of the two operations. */
export type HttpMethod = "GET" | "POST"

/** The operations of the client, as named in the contract. */
export type OperationName = "getBackgroundJob" | "updateWorkingSet"

/** Where a request went: method and path below the base URL (never a secret). */
export interface RequestLocation {
  readonly method: HttpMethod
  readonly path: string
}

/** The fields every error for an HTTP status carries. */
export interface StatusErrorFields extends RequestLocation {
  readonly status: number
  /** Codebeamer's `message` from the error body, on one line. */
  readonly serverMessage?: string | undefined
  /** Codebeamer's `resourceUri` from the error body. */
  readonly resourceUri?: string | undefined
  /** The job the request was about, for the GET. */
  readonly jobId?: number | undefined
}

const at = (where: RequestLocation, status?: number): string =>
  status === undefined
    ? `(${where.method} ${where.path})`
    : `(${where.method} ${where.path}, ${status})`

const subject = (fields: { readonly jobId?: number | undefined; readonly method: HttpMethod }) =>
  fields.jobId !== undefined
    ? `job ${fields.jobId}`
    : fields.method === "POST"
      ? "working-set update"
      : "request"

const withServerMessage = (text: string, fields: StatusErrorFields): string =>
  fields.serverMessage === undefined || fields.serverMessage === ""
    ? text
    : `${text}: ${fields.serverMessage}`

// The class of a tagged error with its fields and a message, as `Data.TaggedError(tag)<Fields &
// { message }>` types it.
type ErrorClass<Tag extends string, Fields> = new (
  fields: Fields,
) => Cause.YieldableError & { readonly _tag: Tag } & Readonly<Fields & { readonly message: string }>

// Every error: its fields, and a one-line message made from them. (A class cannot extend a base
// typed by a type parameter, hence the cast.)
const MessageError = <Tag extends string, Fields extends object>(
  tag: Tag,
  message: (fields: Fields) => string,
): ErrorClass<Tag, Fields> =>
  class extends Data.TaggedError(tag)<{ readonly message: string }> {
    constructor(fields: Fields) {
      super({ ...fields, message: message(fields) })
    }
  } as unknown as ErrorClass<Tag, Fields>

// Every error about a request: what failed, then where the request went.
const RequestError = <
  Tag extends string,
  Fields extends RequestLocation & { readonly status?: number | undefined },
>(
  tag: Tag,
  describe: (fields: Fields) => string,
): ErrorClass<Tag, Fields> =>
  MessageError(tag, (fields: Fields) => `${describe(fields)} ${at(fields, fields.status)}`)

/** The server rejected the request as malformed (400). */
export class BadRequest extends RequestError("BadRequest", (fields: StatusErrorFields) =>
  withServerMessage(`${subject(fields)} rejected as a bad request`, fields),
) {}

/** Credentials were missing or not accepted (401). */
export class Unauthorized extends RequestError(
  "Unauthorized",
  (fields: StatusErrorFields) =>
    `${subject(fields)} not authenticated: credentials missing or not accepted`,
) {}

/** The user lacks a permission, e.g. Working-Set Admin, or may not read the job (403). */
export class Forbidden extends RequestError("Forbidden", (fields: StatusErrorFields) =>
  withServerMessage(`${subject(fields)} forbidden for this user`, fields),
) {}

/** The job, working set or tracker does not exist, or is no longer kept (404). */
export class NotFound extends RequestError("NotFound", (fields: StatusErrorFields) =>
  fields.jobId !== undefined
    ? `job ${fields.jobId} not found`
    : withServerMessage(`${subject(fields)}: working set or tracker not found`, fields),
) {}

/** Where the wait of a 429 came from. */
export type RetryAfterSource = "body" | "header" | "default"

/** Fields of {@link RateLimited}. */
export interface RateLimitedFields extends StatusErrorFields {
  /** How long the server asked to wait, in milliseconds. */
  readonly retryAfterMs: number
  /** `body`: `retryAfterSecond`; `header`: `Retry-After`; `default`: the 1 s floor. */
  readonly retryAfterSource: RetryAfterSource
}

/** The server's API throttling refused the request (429). */
export class RateLimited extends RequestError("RateLimited", (fields: RateLimitedFields) => {
  const seconds = Math.round(fields.retryAfterMs / 100) / 10

  return `${subject(fields)} rate limited: the server asks to wait ${seconds} s`
}) {}

/** The server failed (5xx). For the POST this ends as {@link UnknownOutcome} instead. */
export class ServerError extends RequestError("ServerError", (fields: StatusErrorFields) =>
  withServerMessage(`${subject(fields)} failed on the server`, fields),
) {}

/** A status the contract does not list (e.g. 302 or 418). */
export class UnexpectedStatus extends RequestError(
  "UnexpectedStatus",
  (fields: StatusErrorFields) =>
    withServerMessage(`${subject(fields)} got unexpected status ${fields.status}`, fields),
) {}

/** Fields of {@link Transport}. */
export interface TransportFields extends RequestLocation {
  readonly jobId?: number | undefined
  /** What the runtime reported, on one line, secrets removed. */
  readonly reason: string
  /** The system error code where the runtime gives one (ECONNREFUSED, ENOTFOUND...). */
  readonly code?: string | undefined
  /**
   * `false` only where the request surely never left (connection refused, DNS failure);
   * `true` where the server may have received it (reset, closed socket, unknown).
   */
  readonly mayHaveBeenSent: boolean
}

/** The network failed: no HTTP response arrived. */
export class Transport extends RequestError(
  "Transport",
  (fields: TransportFields) => `${subject(fields)} failed on the network: ${fields.reason}`,
) {}

/** Fields of {@link Timeout}. */
export interface TimeoutFields extends RequestLocation {
  readonly jobId?: number | undefined
  /** The limit that passed, in milliseconds. */
  readonly timeoutMs: number
  /** `attempt`: the per-attempt timeout; `deadline`: the whole operation's deadline. */
  readonly scope: "attempt" | "deadline"
}

/** No response arrived in time. */
export class Timeout extends RequestError("Timeout", (fields: TimeoutFields) =>
  fields.scope === "attempt"
    ? `${subject(fields)} got no response within ${formatMs(fields.timeoutMs)}`
    : `${subject(fields)} passed its deadline of ${formatMs(fields.timeoutMs)}`,
) {}

/** What was wrong with a response body. */
export type DecodeProblem = "html-login-page" | "content-type" | "json" | "schema"

/** Fields of {@link DecodeError}. */
export interface DecodeErrorFields extends RequestLocation {
  readonly status: number
  readonly jobId?: number | undefined
  readonly problem: DecodeProblem
  /** The response's content type, if any. */
  readonly contentType?: string | undefined
  /** The path inside the body that failed, e.g. `steps[1].id`. */
  readonly field?: string | undefined
  /** What was expected, on one line. */
  readonly issue: string
}

const fieldPrefix = (field: string | undefined): string => (field ? `${field}: ` : "")

/** The response body was not as the contract says (content type, JSON, or shape). */
export class DecodeError extends RequestError("DecodeError", (fields: DecodeErrorFields) => {
  const what = `${subject(fields)} response`
  const text =
    fields.problem === "html-login-page"
      ? `${what} is an HTML login page, not JSON: check the base URL and credentials`
      : fields.problem === "content-type"
        ? `${what} is ${fields.contentType ?? "untyped"}, not JSON: ${fields.issue}`
        : fields.problem === "json"
          ? `${what} is not valid JSON: ${fields.issue}`
          : `${what} does not match the contract: ${fieldPrefix(fields.field)}${fields.issue}`
  // A POST answered 2xx was accepted: a job probably started, only its id is unreadable.
  const accepted =
    fields.method === "POST" && fields.problem !== "html-login-page" && fields.status < 300
      ? "; the job may have started"
      : ""

  return `${text}${accepted}`
}) {}

/** Fields of {@link InvalidRequest}. */
export interface InvalidRequestFields extends RequestLocation {
  readonly operation: OperationName
  /** The field at fault, as a path: `jobId`, `trackers[1].tracker.id`. */
  readonly field: string
  readonly reason: string
}

/** The request broke a rule of the contract; nothing was sent. */
export class InvalidRequest extends MessageError(
  "InvalidRequest",
  (fields: InvalidRequestFields) =>
    `invalid ${fields.operation} request: ${fields.field} ${fields.reason} ` +
    `(${fields.method} ${fields.path}, not sent)`,
) {}

/** Why a POST's outcome is unknown. */
export type UnknownOutcomeReason = "timeout" | "connection-lost" | "server-error" | "response-lost"

/** Fields of {@link UnknownOutcome}. */
export interface UnknownOutcomeFields extends RequestLocation {
  /** The request as sent, so the caller can check the target before resubmitting. */
  readonly request: WorkingSetUpdateRequest
  readonly reason: UnknownOutcomeReason
  /** What happened, on one line. */
  readonly detail: string
  readonly status?: number | undefined
  readonly serverMessage?: string | undefined
}

/**
 * The working-set update may have reached the server and started a job: a timeout or a lost
 * connection after sending, or a 5xx. Never retried; check the target working set (or the jobs
 * list) before resubmitting.
 */
export class UnknownOutcome extends RequestError(
  "UnknownOutcome",
  (fields: UnknownOutcomeFields) =>
    `working-set update may have started a job (${fields.detail}); check before resubmitting`,
) {}

const describeStep = (step: BackgroundJobStep): string => {
  const name = step.name ?? (step.id === undefined ? "a step" : `step ${step.id}`)

  return step.resultMessage ? `${name}: ${oneLine(step.resultMessage)}` : name
}

/** Fields of {@link JobFailed}. */
export interface JobFailedFields {
  readonly jobId: number
  readonly job: BackgroundJob
  readonly failedSteps: ReadonlyArray<BackgroundJobStep>
}

/** The job finished with failed steps; they carry the server's messages. */
export class JobFailed extends MessageError(
  "JobFailed",
  (fields: JobFailedFields) =>
    `job ${fields.jobId} failed: ${fields.failedSteps.map(describeStep).join("; ")}`,
) {}

const jobState = (job: BackgroundJob | undefined): string => {
  if (job === undefined) {
    return "never read"
  }

  const parts = [job.backgroundJobStatus ?? "no status"]
  const info = job.statusInfo

  if (info?.progressPercentage !== undefined) {
    parts.push(`${info.progressPercentage}%`)
  }

  if (info?.stepInProgress) {
    parts.push(`step ${oneLine(info.stepInProgress)}`)
  }

  return parts.join(", ")
}

/** Fields of {@link WaitTimeout}. */
export interface WaitTimeoutFields {
  readonly jobId: number
  readonly maxWaitMs: number
  /** The last snapshot read, if any. */
  readonly lastJob?: BackgroundJob | undefined
}

/** The job did not finish within the waiter's `maxWait`. */
export class WaitTimeout extends MessageError(
  "WaitTimeout",
  (fields: WaitTimeoutFields) =>
    `job ${fields.jobId} not finished after ${formatMs(fields.maxWaitMs)} ` +
    `(last: ${jobState(fields.lastJob)})`,
) {}

/** Fields of {@link JobStalled}. */
export interface JobStalledFields {
  readonly jobId: number
  readonly stallAfterMs: number
  readonly lastJob: BackgroundJob
}

/** The job showed no change of status, progress or step for the waiter's `stallAfter`. */
export class JobStalled extends MessageError(
  "JobStalled",
  (fields: JobStalledFields) =>
    `job ${fields.jobId} stalled: no change for ${formatMs(fields.stallAfterMs)} ` +
    `(last: ${jobState(fields.lastJob)})`,
) {}

/** Fields of {@link ConfigError}. */
export interface ConfigErrorFields {
  /** The config field or environment variable at fault, e.g. `baseUrl`, `CODEBEAMER_TOKEN`. */
  readonly field: string
  readonly reason: string
}

/** The client configuration is invalid; no client was made. */
export class ConfigError extends MessageError(
  "ConfigError",
  (fields: ConfigErrorFields) => `invalid client config: ${fields.field} ${fields.reason}`,
) {}

/** Every error of `getBackgroundJob`. */
export type GetBackgroundJobError =
  | InvalidRequest
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | ServerError
  | UnexpectedStatus
  | Transport
  | Timeout
  | DecodeError

/**
 * Every error of `updateWorkingSet`. A 5xx, or a timeout or lost connection after sending, is an
 * {@link UnknownOutcome}; `Transport` and `Timeout` here mean the request was never sent.
 */
export type UpdateWorkingSetError =
  | InvalidRequest
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | UnexpectedStatus
  | Transport
  | Timeout
  | DecodeError
  | UnknownOutcome

/** Every error the waiter adds to those of the GET. */
export type WaitError = JobFailed | WaitTimeout | JobStalled

/** Every error of the operations and the waiter. */
export type CodebeamerError = GetBackgroundJobError | UpdateWorkingSetError | WaitError

/** The `_tag` of every {@link CodebeamerError}. */
export const codebeamerErrorTags: ReadonlyArray<CodebeamerError["_tag"]> = [
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "RateLimited",
  "ServerError",
  "UnexpectedStatus",
  "Transport",
  "Timeout",
  "DecodeError",
  "InvalidRequest",
  "UnknownOutcome",
  "JobFailed",
  "WaitTimeout",
  "JobStalled",
]

const tags: ReadonlySet<string> = new Set(codebeamerErrorTags)

/**
 * Whether a value is one of the errors of the operations and the waiter.
 *
 * @example
 * ```ts
 * import { isCodebeamerError } from "@cbjobs/core"
 *
 * try { await run() } catch (e) { if (isCodebeamerError(e)) console.error(e._tag, e.message) }
 * ```
 */
export const isCodebeamerError = (u: unknown): u is CodebeamerError =>
  u instanceof Error && Predicate.hasProperty(u, "_tag") && tags.has(u._tag as string)
