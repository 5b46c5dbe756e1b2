// Runs one operation: throttle, attempts over ky, classification of every outcome into a typed
// error, retries by schedule within the deadline, spans and the attempt hook.
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Pull from "effect/Pull"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import type { KyInstance } from "ky"
import {
  BadRequest,
  type CodebeamerError,
  DecodeError,
  Forbidden,
  type HttpMethod,
  NotFound,
  type OperationName,
  RateLimited,
  type RetryAfterSource,
  ServerError,
  type StatusErrorFields,
  Timeout,
  Transport,
  Unauthorized,
  UnexpectedStatus,
  UnknownOutcome,
} from "../Errors.ts"
import type { RetrySchedule } from "../Retry.ts"
import type { Throttle } from "../Throttle.ts"
import type { WorkingSetUpdateRequest } from "../WorkingSet.ts"
import type { BodyIssue } from "./decode.ts"
import { isSensitiveHeader, REDACTED } from "./redact.ts"
import { formatMs, oneLine } from "./text.ts"
import { describeFetchFailure } from "./transport.ts"

/** One attempt as the `onAttempt` hook sees it. */
export interface AttemptEvent {
  readonly operation: OperationName
  readonly method: HttpMethod
  /** The path below the base URL, e.g. `/v3/job/56`; never a secret. */
  readonly path: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The HTTP status, when a response arrived. */
  readonly status?: number | undefined
  /** From sending to the response (or failure); throttle waits excluded. */
  readonly durationMs: number
  /** How long the attempt waited for the client's throttle before sending, in ms. */
  readonly throttledMs?: number | undefined
  /** The `_tag` of the attempt's error, when it failed. */
  readonly error?: CodebeamerError["_tag"] | undefined
  /** When another attempt follows: the wait before it, in ms. */
  readonly retryInMs?: number | undefined
}

/** A decoded body with the metadata of its response. */
export interface WithResponse<A> {
  readonly data: A
  readonly response: {
    readonly status: number
    /** Response headers, names in lower case; `set-cookie` is redacted. */
    readonly headers: Record<string, string>
    /** How many attempts were made, 1 when the first succeeded. */
    readonly attempts: number
    /** The whole operation, retries and waits included. */
    readonly durationMs: number
  }
}

/** What the executor needs from a client. */
export interface ClientRuntime {
  readonly baseUrl: string
  readonly basePath: string
  readonly headers: Readonly<Record<string, string>>
  /** Span attributes common to every attempt: server and request headers (redacted). */
  readonly spanAttributes: Readonly<Record<string, unknown>>
  readonly timeoutMs: number
  readonly deadlineMs: number | undefined
  readonly retryGet: RetrySchedule | undefined
  readonly retryPost: RetrySchedule | undefined
  readonly throttle: Throttle
  readonly ky: KyInstance
  /** The fetch ky ends in: the configured one or the global one. */
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
  readonly onAttempt: ((event: AttemptEvent) => void) | undefined
  readonly scrub: (text: string) => string
}

/** One operation to run. */
export interface Operation<A> {
  readonly name: OperationName
  readonly method: HttpMethod
  readonly path: string
  readonly template: string
  readonly jobId?: number | undefined
  readonly body?: string | undefined
  readonly request?: WorkingSetUpdateRequest | undefined
  readonly decode: (u: unknown) => Result.Result<A, BodyIssue>
}

interface Answer {
  readonly response: Response
  readonly text: string | undefined
  readonly bodyError: unknown
}

interface Success<A> {
  readonly data: A
  readonly response: Response
}

const send = async (
  runtime: ClientRuntime,
  operation: Operation<unknown>,
  signal: AbortSignal,
): Promise<Answer> => {
  // The signal goes to fetch itself, not to ky: ky would merge it with its own through
  // AbortSignal.any, which costs some 20 us per request on Node 20.
  // A string body alone would go out as text/plain; the contract takes application/json.
  const response = await runtime.ky(runtime.baseUrl + operation.path, {
    method: operation.method,
    headers:
      operation.body === undefined
        ? runtime.headers
        : { ...runtime.headers, "content-type": "application/json" },
    body: operation.body ?? null,
    fetch: (input, init) => runtime.fetch(input, { ...init, signal }),
  })

  try {
    return { response, text: await response.text(), bodyError: undefined }
  } catch (bodyError) {
    return { response, text: undefined, bodyError }
  }
}

const JSON_TYPE = /^\s*application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i
const HTML_TYPE = /^\s*text\/html/i
const LOGIN_PAGE = /<form|log ?in|sign ?in|password|j_username/i

const parseJson = (text: string): { readonly ok: boolean; readonly value: unknown } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false, value: undefined }
  }
}

const stringField = (body: unknown, key: string): string | undefined => {
  if (typeof body !== "object" || body === null) {
    return undefined
  }

  const value = (body as Record<string, unknown>)[key]

  return typeof value === "string" ? value : undefined
}

const retryAfterHeaderMs = (header: string | null, now: number): number | undefined => {
  if (header === null || header.trim() === "") {
    return undefined
  }

  const text = header.trim()

  if (/^\d+$/.test(text)) {
    return Number(text) * 1000
  }

  const at = Date.parse(text)

  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

const retryAfterBodyMs = (body: unknown): number | undefined => {
  if (typeof body !== "object" || body === null) {
    return undefined
  }

  const value = (body as Record<string, unknown>).retryAfterSecond

  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? value * 1000
    : undefined
}

/** The wait a 429 asks for: the longer of body and header, else a floor of 1 s. */
export const retryAfter = (
  body: unknown,
  header: string | null,
  now: number,
): { readonly ms: number; readonly source: RetryAfterSource } => {
  const fromBody = retryAfterBodyMs(body)
  const fromHeader = retryAfterHeaderMs(header, now)

  if (fromHeader !== undefined && (fromBody === undefined || fromHeader > fromBody)) {
    return { ms: fromHeader, source: "header" }
  }

  return fromBody === undefined ? { ms: 1000, source: "default" } : { ms: fromBody, source: "body" }
}

const classifyStatus = (
  runtime: ClientRuntime,
  operation: Operation<unknown>,
  answer: Answer,
  now: number,
): CodebeamerError => {
  const status = answer.response.status
  const parsed = answer.text === undefined ? undefined : parseJson(answer.text)
  const body = parsed?.ok ? parsed.value : undefined
  const serverMessage = stringField(body, "message")
  const resourceUri = stringField(body, "resourceUri")
  const fields: StatusErrorFields = {
    method: operation.method,
    path: operation.path,
    status,
    jobId: operation.jobId,
    serverMessage: serverMessage === undefined ? undefined : oneLine(runtime.scrub(serverMessage)),
    resourceUri: resourceUri === undefined ? undefined : oneLine(runtime.scrub(resourceUri)),
  }

  switch (status) {
    case 400:
      return new BadRequest(fields)
    case 401:
      return new Unauthorized(fields)
    case 403:
      return new Forbidden(fields)
    case 404:
      return new NotFound(fields)
    case 429: {
      const wait = retryAfter(body, answer.response.headers.get("retry-after"), now)
      runtime.throttle.pauseUntil(now + wait.ms)

      return new RateLimited({ ...fields, retryAfterMs: wait.ms, retryAfterSource: wait.source })
    }
  }

  if (status >= 500 && status <= 599) {
    return operation.method === "POST"
      ? new UnknownOutcome({
          method: operation.method,
          path: operation.path,
          request: operation.request!,
          reason: "server-error",
          detail: fields.serverMessage
            ? `server error ${status}: ${fields.serverMessage}`
            : `server error ${status}`,
          status,
          serverMessage: fields.serverMessage,
        })
      : new ServerError(fields)
  }

  return new UnexpectedStatus(fields)
}

const decodeBody = <A>(
  runtime: ClientRuntime,
  operation: Operation<A>,
  answer: Answer,
): Result.Result<A, CodebeamerError> => {
  const status = answer.response.status
  const contentType = answer.response.headers.get("content-type") ?? undefined
  const text = answer.text ?? ""
  const where = {
    method: operation.method,
    path: operation.path,
    status,
    jobId: operation.jobId,
    contentType,
  }

  if (contentType !== undefined && !JSON_TYPE.test(contentType)) {
    if (HTML_TYPE.test(contentType) && LOGIN_PAGE.test(text)) {
      return Result.fail(new DecodeError({ ...where, problem: "html-login-page", issue: "" }))
    }

    return Result.fail(
      new DecodeError({ ...where, problem: "content-type", issue: "expected application/json" }),
    )
  }

  const parsed = parseJson(text)

  if (!parsed.ok) {
    const issue = text.trim() === "" ? "the body is empty" : "the body does not parse"

    return Result.fail(new DecodeError({ ...where, problem: "json", issue }))
  }

  return Result.mapError(
    operation.decode(parsed.value),
    (failure) =>
      new DecodeError({
        ...where,
        problem: "schema",
        field: failure.field,
        issue: runtime.scrub(failure.issue),
      }),
  )
}

const classifyAnswer = <A>(
  runtime: ClientRuntime,
  operation: Operation<A>,
  answer: Answer,
  now: number,
): Result.Result<Success<A>, CodebeamerError> => {
  const status = answer.response.status

  if (answer.bodyError !== undefined) {
    const failure = describeFetchFailure(answer.bodyError)
    const reason = oneLine(runtime.scrub(`response body lost: ${failure.reason}`))

    return Result.fail(
      operation.method === "POST"
        ? new UnknownOutcome({
            method: operation.method,
            path: operation.path,
            request: operation.request!,
            reason: "response-lost",
            detail: `status ${status}, then the ${reason}`,
            status,
          })
        : new Transport({
            method: operation.method,
            path: operation.path,
            jobId: operation.jobId,
            reason,
            code: failure.code,
            mayHaveBeenSent: true,
          }),
    )
  }

  if (status >= 200 && status <= 299) {
    return Result.map(decodeBody(runtime, operation, answer), (data) => ({
      data,
      response: answer.response,
    }))
  }

  return Result.fail(classifyStatus(runtime, operation as Operation<unknown>, answer, now))
}

const transportError = (
  runtime: ClientRuntime,
  operation: Operation<unknown>,
  error: unknown,
): CodebeamerError => {
  const failure = describeFetchFailure(error)
  const reason = oneLine(runtime.scrub(failure.reason))

  if (operation.method === "POST" && failure.mayHaveBeenSent) {
    return new UnknownOutcome({
      method: operation.method,
      path: operation.path,
      request: operation.request!,
      reason: "connection-lost",
      detail: `connection lost: ${reason}`,
    })
  }

  return new Transport({
    method: operation.method,
    path: operation.path,
    jobId: operation.jobId,
    reason,
    code: failure.code,
    mayHaveBeenSent: failure.mayHaveBeenSent,
  })
}

const timeoutError = (
  operation: Operation<unknown>,
  timeoutMs: number,
  scope: "attempt" | "deadline",
): CodebeamerError =>
  operation.method === "POST"
    ? new UnknownOutcome({
        method: operation.method,
        path: operation.path,
        request: operation.request!,
        reason: "timeout",
        detail:
          scope === "attempt"
            ? `no response within ${formatMs(timeoutMs)}`
            : `deadline of ${formatMs(timeoutMs)} passed while waiting for the response`,
      })
    : new Timeout({
        method: operation.method,
        path: operation.path,
        jobId: operation.jobId,
        timeoutMs,
        scope,
      })

const statusOf = (error: CodebeamerError): number | undefined =>
  "status" in error && typeof error.status === "number" ? error.status : undefined

/** What an operation ends with; the response's headers are read only when asked for. */
export interface Completed<A> {
  readonly data: A
  readonly response: Response
  readonly attempts: number
  readonly durationMs: number
}

/** The data with the metadata of its response. */
export const withResponse = <A>(completed: Completed<A>): WithResponse<A> => ({
  data: completed.data,
  response: {
    status: completed.response.status,
    headers: responseHeaders(completed.response),
    attempts: completed.attempts,
    durationMs: completed.durationMs,
  },
})

const responseHeaders = (response: Response): Record<string, string> => {
  const headers: Record<string, string> = {}

  response.headers.forEach((value, name) => {
    headers[name] = name === "set-cookie" || isSensitiveHeader(name) ? REDACTED : value
  })

  return headers
}

const emit = (runtime: ClientRuntime, event: AttemptEvent): void => {
  if (runtime.onAttempt === undefined) {
    return
  }

  try {
    runtime.onAttempt(event)
  } catch {
    // A failing hook must not fail the request it observes.
  }
}

/** The span attributes common to every attempt of a client; header values redacted. */
export const clientSpanAttributes = (
  url: URL,
  headers: Readonly<Record<string, string>>,
  secretNames: ReadonlySet<string>,
): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    "server.address": url.hostname,
    "server.port": url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port),
  }

  for (const [name, value] of Object.entries(headers)) {
    const key = `http.request.header.${name.toLowerCase()}`
    attributes[key] = [isSensitiveHeader(name) || secretNames.has(name) ? REDACTED : value]
  }

  return attributes
}

// When the current attempt was sent; `sentAt` stays undefined when it never was.
interface Timing {
  sentAt: number | undefined
}

/** The runtime's own clock, to tell it from a test clock. */
export const defaultClock = Effect.runSync(Effect.clockWith(Effect.succeed))

const TIMED_OUT: unique symbol = Symbol("TIMED_OUT")

// Sends and reads the answer within `limit` ms; interruption aborts the fetch. On the default
// clock the limit is a plain timer: racing two fibers, as Effect.timeout does, costs about 4 us
// per request. Under any other Clock (TestClock) the limit goes through that clock.
const exchange = (
  runtime: ClientRuntime,
  operation: Operation<unknown>,
  limit: number,
  clock: Clock.Clock,
): Effect.Effect<Answer | typeof TIMED_OUT, CodebeamerError> => {
  if (clock !== defaultClock) {
    const viaClock = Effect.tryPromise({
      try: (signal) => send(runtime, operation, signal),
      catch: (error) => transportError(runtime, operation, error),
    })

    return Effect.map(Effect.timeoutOption(viaClock, limit), (answer) =>
      answer._tag === "None" ? TIMED_OUT : answer.value,
    )
  }

  return Effect.callback<Answer | typeof TIMED_OUT, CodebeamerError>((resume) => {
    const controller = new AbortController()
    const timer = setTimeout(() => {
      controller.abort()
      resume(Effect.succeed(TIMED_OUT))
    }, limit)

    send(runtime, operation, controller.signal).then(
      (answer) => {
        clearTimeout(timer)
        resume(Effect.succeed(answer))
      },
      (error) => {
        clearTimeout(timer)
        resume(Effect.fail(transportError(runtime, operation, error)))
      },
    )

    return Effect.sync(() => {
      clearTimeout(timer)
      controller.abort()
    })
  })
}

// A single attempt: throttle, send, read, classify. Fails with the attempt's error.
const attempt = <A>(
  runtime: ClientRuntime,
  operation: Operation<A>,
  deadlineAt: number | undefined,
  span: Tracer.Span,
  timing: Timing,
  clock: Clock.Clock,
): Effect.Effect<Success<A>, CodebeamerError> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      Effect.catch(runtime.throttle.acquire(restore, deadlineAt), () =>
        Effect.fail(
          new Timeout({
            method: operation.method,
            path: operation.path,
            jobId: operation.jobId,
            timeoutMs: runtime.deadlineMs ?? 0,
            scope: "deadline",
          }),
        ),
      ),
      () => {
        const start = clock.currentTimeMillisUnsafe()
        timing.sentAt = start
        const left = deadlineAt === undefined ? Number.POSITIVE_INFINITY : deadlineAt - start
        const scope = left < runtime.timeoutMs ? "deadline" : "attempt"
        const limit = Math.max(0, Math.min(left, runtime.timeoutMs))
        const untyped = operation as Operation<unknown>

        return restore(exchange(runtime, untyped, limit, clock)).pipe(
          Effect.onExit(() =>
            Effect.sync(() => runtime.throttle.release(clock.currentTimeMillisUnsafe())),
          ),
          Effect.flatMap((answer) => {
            if (answer === TIMED_OUT) {
              const timeoutMs = scope === "attempt" ? runtime.timeoutMs : (runtime.deadlineMs ?? 0)

              return Effect.fail(timeoutError(untyped, timeoutMs, scope))
            }

            span.attribute("http.response.status_code", answer.response.status)

            const outcome = classifyAnswer(
              runtime,
              operation,
              answer,
              clock.currentTimeMillisUnsafe(),
            )

            return Result.isSuccess(outcome)
              ? Effect.succeed(outcome.success)
              : Effect.fail(outcome.failure)
          }),
        )
      },
    ),
  ).pipe(
    Effect.tapError((error) =>
      Effect.sync(() => {
        span.attribute("error.type", error._tag)
      }),
    ),
  )

const attemptSpan = <A>(
  runtime: ClientRuntime,
  operation: Operation<A>,
  number: number,
  deadlineAt: number | undefined,
  timing: Timing,
  parent: Tracer.Span,
  clock: Clock.Clock,
): Effect.Effect<Success<A>, CodebeamerError> => {
  // Per-call attributes inherit the client's fixed ones; spans read them with for...in.
  const attributes: Record<string, unknown> = Object.create(runtime.spanAttributes)
  attributes["http.request.method"] = operation.method
  attributes["url.path"] = runtime.basePath + operation.path
  attributes["url.template"] = operation.template
  attributes["cbjobs.attempt"] = number

  if (number > 1) {
    attributes["http.request.resend_count"] = number - 1
  }

  if (operation.jobId !== undefined) {
    attributes["cbjobs.job.id"] = operation.jobId
  }

  // The parent is given, not provided through the context: providing it (as withSpan does)
  // copies the fiber's context on every call.
  return Effect.useSpan(
    `${operation.method} ${operation.template}`,
    { kind: "client", attributes, parent },
    (span) => attempt(runtime, operation, deadlineAt, span, timing, clock),
  )
}

const nextDelay = (
  step: (now: number, input: CodebeamerError) => Pull.Pull<[unknown, Duration.Duration], never>,
  now: number,
  error: CodebeamerError,
): Effect.Effect<number | undefined> =>
  step(now, error).pipe(
    Effect.map(([, delay]) => Duration.toMillis(delay)),
    Pull.catchDone(() => Effect.succeed(undefined)),
  )

// Only these errors reach the schedule: never a passed deadline, never a request that was
// rejected before sending, and for the POST only errors where the server surely did not act.
const mayRetry = (operation: Operation<unknown>, error: CodebeamerError): boolean => {
  if (error._tag === "InvalidRequest" || (error._tag === "Timeout" && error.scope === "deadline")) {
    return false
  }

  return (
    operation.method === "GET" ||
    error._tag === "RateLimited" ||
    (error._tag === "Transport" && !error.mayHaveBeenSent)
  )
}

/** Runs an operation with throttle, retries, deadline, spans and the attempt hook. */
export const execute = <A>(
  runtime: ClientRuntime,
  operation: Operation<A>,
): Effect.Effect<Completed<A>, CodebeamerError> => {
  const schedule = operation.method === "GET" ? runtime.retryGet : runtime.retryPost

  const run = (span: Tracer.Span) =>
    Effect.clockWith((clock) => {
      const startedAt = clock.currentTimeMillisUnsafe()
      const deadlineAt =
        runtime.deadlineMs === undefined ? undefined : startedAt + runtime.deadlineMs
      let step:
        | ((now: number, input: CodebeamerError) => Pull.Pull<[unknown, Duration.Duration], never>)
        | undefined

      const loop = (number: number): Effect.Effect<Completed<A>, CodebeamerError> => {
        const attemptStart = clock.currentTimeMillisUnsafe()
        const timing: Timing = { sentAt: undefined }

        return Effect.flatMap(
          Effect.exit(attemptSpan(runtime, operation, number, deadlineAt, timing, span, clock)),
          (exit): Effect.Effect<Completed<A>, CodebeamerError> => {
            const now = clock.currentTimeMillisUnsafe()
            const sentAt = timing.sentAt ?? now
            const throttledMs = sentAt - attemptStart

            if (Exit.isSuccess(exit)) {
              const { data, response } = exit.value

              emit(runtime, {
                operation: operation.name,
                method: operation.method,
                path: operation.path,
                attempt: number,
                status: response.status,
                durationMs: now - sentAt,
                throttledMs,
              })

              return Effect.succeed({
                data,
                response,
                attempts: number,
                durationMs: now - startedAt,
              })
            }

            const error = Cause.findErrorOption(exit.cause)

            if (error._tag === "None") {
              return Effect.failCause(exit.cause)
            }

            return Effect.flatMap(
              decideRetry(error.value, now),
              (retryInMs): Effect.Effect<Completed<A>, CodebeamerError> => {
                emit(runtime, {
                  operation: operation.name,
                  method: operation.method,
                  path: operation.path,
                  attempt: number,
                  status: statusOf(error.value),
                  durationMs: now - sentAt,
                  throttledMs,
                  error: error.value._tag,
                  retryInMs,
                })

                return retryInMs === undefined
                  ? Effect.fail(error.value)
                  : Effect.flatMap(Effect.sleep(retryInMs), () => loop(number + 1))
              },
            )
          },
        )
      }

      const decideRetry = (
        error: CodebeamerError,
        now: number,
      ): Effect.Effect<number | undefined> => {
        if (schedule === undefined || !mayRetry(operation as Operation<unknown>, error)) {
          return Effect.succeed(undefined)
        }

        const withStep =
          step === undefined
            ? Effect.map(Schedule.toStep(schedule), (made) => {
                step = made as typeof step
                return made as NonNullable<typeof step>
              })
            : Effect.succeed(step)

        return Effect.flatMap(withStep, (current) =>
          Effect.map(nextDelay(current, now, error), (delay) => {
            if (delay === undefined || deadlineAt === undefined) {
              return delay
            }

            // A retry that could not start before the deadline is not made.
            const start = Math.max(now + delay, runtime.throttle.pausedUntil())

            return start >= deadlineAt ? undefined : delay
          }),
        )
      }

      return loop(1)
    })

  const attributes: Record<string, unknown> = {
    "http.request.method": operation.method,
    "url.path": runtime.basePath + operation.path,
    "cbjobs.operation": operation.name,
  }

  if (operation.jobId !== undefined) {
    attributes["cbjobs.job.id"] = operation.jobId
  }

  return Effect.useSpan(`cbjobs.${operation.name}`, { attributes }, run)
}
