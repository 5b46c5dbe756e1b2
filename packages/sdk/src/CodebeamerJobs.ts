import * as Core from "@cbjobs/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import type { BackgroundJob, JobReference } from "./BackgroundJob.ts"
import { AbortError, ClientClosedError } from "./Errors.ts"
import { makeCoreConfig, requestOptions } from "./internal/core.ts"
import { type CoreError, fromCoreError } from "./internal/errors.ts"
import { describeAuth, LogWriter } from "./internal/logging.ts"
import {
  type ResolvedCallOptions,
  type ResolvedOptions,
  type ResolvedWaitOptions,
  resolveCallOptions,
  resolveClientOptions,
  resolveWaitOptions,
} from "./internal/options.ts"
import type { ClientOptions, RequestOptions, WaitOptions } from "./Options.ts"
import type { WorkingSetUpdateRequest } from "./WorkingSet.ts"

/** What the server answered, beside the data: for callers who need more than the body. */
export interface ApiResponse {
  /** The HTTP status of the successful answer. */
  readonly status: number
  /** The answer's headers, names in lower case; `set-cookie` and secret-looking ones redacted. */
  readonly headers: Readonly<Record<string, string>>
  /** How many attempts the call took; 1 when the first succeeded. */
  readonly attempts: number
  /** Milliseconds the whole call took, retries and throttle waits included. */
  readonly durationMs: number
}

/** The data of a call together with its {@link ApiResponse}. */
export interface WithResponse<T> {
  readonly data: T
  readonly response: ApiResponse
}

/**
 * The single-request calls in their raw form, resolving to `{ data, response }`. Reach them as
 * `client.withResponse`.
 */
export interface WithResponseCalls {
  /**
   * Reads a background job, with the answer's status, headers, attempts and duration.
   *
   * @example
   * ```ts
   * const { data: job, response } = await client.withResponse.getBackgroundJob(56)
   * console.log(job.backgroundJobStatus, response.status, response.attempts)
   * ```
   */
  getBackgroundJob(jobId: number, options?: RequestOptions): Promise<WithResponse<BackgroundJob>>

  /**
   * Starts a working-set update, with the answer's status, headers, attempts and duration.
   *
   * @example
   * ```ts
   * const { data, response } = await client.withResponse.updateWorkingSet({ target: { id: 13 } })
   * console.log(data.jobId, response.headers["content-type"])
   * ```
   */
  updateWorkingSet(
    request: WorkingSetUpdateRequest,
    options?: RequestOptions,
  ): Promise<WithResponse<JobReference>>
}

/** Options of {@link CodebeamerJobs.watchJob}: those of a wait, without the callback. */
export type WatchOptions = Omit<WaitOptions, "onProgress">

type CallName =
  | "getBackgroundJob"
  | "updateWorkingSet"
  | "waitForJob"
  | "updateWorkingSetAndWait"
  | "watchJob"

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom")

const abortError = (call: CallName, signal: AbortSignal | undefined): AbortError =>
  new AbortError(`${call} aborted by its AbortSignal`, { cause: signal?.reason })

const waitOptions = (call: ResolvedWaitOptions): Core.WaitOptions => ({
  pollInterval: call.pollIntervalMs,
  maxWait: call.maxWaitMs,
  stallAfter: call.stallAfterMs,
  onProgress: call.onProgress,
  request: requestOptions(call),
})

const closedError = (call: CallName): ClientClosedError =>
  new ClientClosedError(
    `${call} called on a closed client; make a new CodebeamerJobs to call again`,
  )

const describeCall = (call: CallName, subject: number | WorkingSetUpdateRequest): string =>
  typeof subject === "number" ? `${call}(${subject})` : `${call}(${JSON.stringify(subject)})`

/**
 * The promise client for Codebeamer's background-job API: read a job, start a working-set update,
 * and wait for or watch a job, with typed errors, safe retries and a client-side throttle.
 *
 * Each instance has its own throttle and runtime; make one per Codebeamer server and user, and
 * share it. `close()` (or `await using`) releases it.
 *
 * Gotchas: a working-set update is not idempotent, so it is never retried once the server may
 * have acted; such failures are an `UnknownOutcomeError`. Nothing secret is printed: the client
 * shows up in `console.log` and `JSON.stringify` with its credentials masked.
 *
 * @example
 * ```ts
 * import { CodebeamerJobs } from "@cbjobs/sdk"
 *
 * const client = new CodebeamerJobs({
 *   baseUrl: "https://codebeamer.example.com/cb/api",
 *   auth: { username: "bond", password: process.env.CODEBEAMER_PASSWORD ?? "" },
 * })
 * const job = await client.updateWorkingSetAndWait(
 *   { source: { id: 1002 }, target: { id: 1003 } },
 *   { onProgress: (job) => console.log(job.statusInfo?.progressPercentage) },
 * )
 * console.log(job.backgroundJobStatus)
 * ```
 */
export class CodebeamerJobs {
  /**
   * The single-request calls in their raw form, resolving to `{ data, response }` with the
   * answer's status, headers, attempts and duration.
   *
   * @example
   * ```ts
   * const { data, response } = await client.withResponse.getBackgroundJob(56)
   * ```
   */
  readonly withResponse: WithResponseCalls

  /**
   * Closes the client when an `await using` block ends (on runtimes with explicit resource
   * management); the same as {@link CodebeamerJobs.close}.
   */
  declare readonly [Symbol.asyncDispose]: () => Promise<void>

  readonly #options: ResolvedOptions
  readonly #log: LogWriter
  readonly #runtime: ManagedRuntime.ManagedRuntime<Core.CodebeamerClient, Core.ConfigError>
  #closed = false

  /**
   * Makes a client. Options left out come from the environment where the runtime has one
   * (`CODEBEAMER_URL`, and `CODEBEAMER_USERNAME` + `CODEBEAMER_PASSWORD`, `CODEBEAMER_API_KEY`
   * or `CODEBEAMER_TOKEN`), then from the defaults.
   *
   * @throws {InvalidOptionsError} when an option is missing or invalid; `option` names it.
   *
   * @example
   * ```ts
   * const client = new CodebeamerJobs({
   *   baseUrl: "https://tenant.codebeamer.com/api",
   *   auth: { apiKey: process.env.CODEBEAMER_API_KEY ?? "", prefix: "ApiKey" },
   *   maxRetries: 2,
   *   logLevel: "info",
   * })
   * ```
   */
  constructor(options?: ClientOptions) {
    const resolved = resolveClientOptions(options)
    const log = new LogWriter(resolved.logger, resolved.logLevel, resolved.auth)

    this.#options = resolved
    this.#log = log
    const config = makeCoreConfig(resolved, (event) => log.attempt(event))

    this.#runtime = ManagedRuntime.make(Core.CodebeamerClient.layer(config))
    this.withResponse = {
      getBackgroundJob: (jobId, callOptions) => this.#getBackgroundJob(jobId, callOptions),
      updateWorkingSet: (request, callOptions) => this.#updateWorkingSet(request, callOptions),
    }

    log.write("debug", `client ${JSON.stringify(this.toJSON())}`)
  }

  /** The API's base URL this client talks to, without a trailing slash. */
  get baseUrl(): string {
    return this.#options.baseUrl
  }

  /**
   * Reads a background job (`GET /v3/job/{jobId}`). A read is retried after a connection
   * failure, a timeout, a 5xx or a 429.
   *
   * @example
   * ```ts
   * const job = await client.getBackgroundJob(56)
   * console.log(job.backgroundJobStatus, job.statusInfo?.progressPercentage)
   * ```
   */
  async getBackgroundJob(jobId: number, options?: RequestOptions): Promise<BackgroundJob> {
    const { data } = await this.#getBackgroundJob(jobId, options)

    return data
  }

  /**
   * Starts a working-set update (`POST /v3/jobs/working-set-update`) and resolves to the
   * reference of the job it started; the job runs on in the background.
   *
   * Gotchas: every accepted call starts a new job. When the server may have acted but no usable
   * answer came (a timeout, a lost connection, a 5xx), the call fails with
   * `UnknownOutcomeError` and is not repeated.
   *
   * @example
   * ```ts
   * const { jobId } = await client.updateWorkingSet({
   *   source: { id: 1002 },
   *   target: { id: 1003 },
   *   trackers: [{ tracker: { id: 3101 }, cbql: "status = 'Approved'" }],
   * })
   * ```
   */
  async updateWorkingSet(
    request: WorkingSetUpdateRequest,
    options?: RequestOptions,
  ): Promise<JobReference> {
    const { data } = await this.#updateWorkingSet(request, options)

    return data
  }

  /**
   * Waits until a job is FINISHED and resolves to its last snapshot. Polls with a growing
   * interval (from `pollInterval`, by 1.5x, up to 5 s) through the client's throttle.
   *
   * @throws {JobFailedError} when the job finished with a failed step.
   * @throws {WaitTimeoutError} after `maxWait`; {JobStalledError} after `stallAfter` unchanged.
   *
   * @example
   * ```ts
   * const job = await client.waitForJob(56, {
   *   maxWait: 10 * 60_000,
   *   onProgress: (job) => console.log(job.statusInfo?.progressPercentage),
   * })
   * ```
   */
  waitForJob(jobId: number, options?: WaitOptions): Promise<BackgroundJob> {
    return this.#call("waitForJob", jobId, options, resolveWaitOptions, (call) =>
      Core.waitForJob(jobId, waitOptions(call)),
    )
  }

  /**
   * Starts a working-set update and waits for its job; fails as `updateWorkingSet` or
   * `waitForJob` would.
   *
   * @example
   * ```ts
   * const job = await client.updateWorkingSetAndWait(
   *   { source: { id: 1002 }, target: { id: 1003 } },
   *   { maxWait: 30 * 60_000, onProgress: (job) => console.log(job.statusInfo?.stepInProgress) },
   * )
   * ```
   */
  updateWorkingSetAndWait(
    request: WorkingSetUpdateRequest,
    options?: WaitOptions,
  ): Promise<BackgroundJob> {
    return this.#call("updateWorkingSetAndWait", request, options, resolveWaitOptions, (call) =>
      Core.updateWorkingSetAndWait(request, waitOptions(call)),
    )
  }

  /**
   * Watches a job: yields its first snapshot and then each one whose status, progress or step
   * in progress changed, and ends after the FINISHED one. A failed job ends the iteration too,
   * without an error; look at its steps (the last snapshot's `steps[].result`).
   *
   * Gotchas: polling runs while you iterate; leaving the loop (`break`) stops it.
   *
   * @example
   * ```ts
   * for await (const job of client.watchJob(56)) {
   *   console.log(job.backgroundJobStatus, job.statusInfo?.progressPercentage)
   * }
   * ```
   */
  watchJob(jobId: number, options?: WatchOptions): AsyncIterable<BackgroundJob> {
    const call = resolveWaitOptions(options)

    return this.#watch(jobId, call)
  }

  /**
   * Releases the client's runtime. Calls still running are interrupted and fail with
   * `AbortError`; later calls fail at once with `ClientClosedError`. Calling it again does
   * nothing.
   *
   * @example
   * ```ts
   * const client = new CodebeamerJobs()
   * try {
   *   await client.getBackgroundJob(56)
   * } finally {
   *   await client.close()
   * }
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return

    this.#closed = true
    await this.#runtime.dispose()
    this.#log.write("debug", "client closed")
  }

  /**
   * A plain description of the client with its credentials masked; `JSON.stringify(client)`
   * uses it.
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(client))
   * // {"baseUrl":"...","auth":{"type":"bearer","token":"<redacted>"},...}
   * ```
   */
  toJSON(): Record<string, unknown> {
    const options = this.#options
    const description: Record<string, unknown> = {
      baseUrl: options.baseUrl,
      auth: describeAuth(options.auth),
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      throttle: options.throttle,
      // Header values may be secrets (cookies, tokens), so only their names are shown.
      headers: Object.keys(options.headers),
      logLevel: options.logLevel,
      closed: this.#closed,
    }

    for (const [key, value] of Object.entries(description)) {
      if (value === undefined) delete description[key]
    }

    return description
  }

  /** What Node's `util.inspect` and `console.log` show: the masked description. */
  [inspectSymbol](
    _depth: number,
    options: unknown,
    inspect?: (value: unknown, options: unknown) => string,
  ): string {
    const description = this.toJSON()

    return `CodebeamerJobs ${inspect ? inspect(description, options) : JSON.stringify(description)}`
  }

  #getBackgroundJob(
    jobId: number,
    options: RequestOptions | undefined,
  ): Promise<WithResponse<BackgroundJob>> {
    return this.#call("getBackgroundJob", jobId, options, resolveCallOptions, (call) =>
      Core.getBackgroundJobWithResponse(jobId, requestOptions(call)),
    )
  }

  #updateWorkingSet(
    request: WorkingSetUpdateRequest,
    options: RequestOptions | undefined,
  ): Promise<WithResponse<JobReference>> {
    return this.#call("updateWorkingSet", request, options, resolveCallOptions, (call) =>
      Core.updateWorkingSetWithResponse(request, requestOptions(call)),
    )
  }

  async #call<A, Options, Call extends ResolvedCallOptions>(
    name: CallName,
    subject: number | WorkingSetUpdateRequest,
    options: Options,
    resolve: (options: Options) => Call,
    operation: (call: Call) => Effect.Effect<A, CoreError, Core.CodebeamerClient>,
  ): Promise<A> {
    const call = resolve(options)
    const label = describeCall(name, subject)

    if (this.#closed) throw closedError(name)

    if (call.signal?.aborted) throw abortError(name, call.signal)

    this.#log.write("debug", `${label} started`)

    const exit = await this.#runtime.runPromiseExit(
      operation(call),
      call.signal ? { signal: call.signal } : undefined,
    )

    if (Exit.isSuccess(exit)) {
      this.#log.write("debug", `${label} succeeded`)

      return exit.value
    }

    const error = this.#toError(name, exit.cause, call.signal)

    this.#log.write(error instanceof AbortError ? "debug" : "error", `${label} failed: ${error}`)

    throw error
  }

  async *#watch(jobId: number, call: ResolvedWaitOptions): AsyncGenerator<BackgroundJob> {
    if (this.#closed) throw closedError("watchJob")

    if (call.signal?.aborted) throw abortError("watchJob", call.signal)

    const signal = call.signal
    const mask = (text: string) => this.#log.mask(text)
    const context = await this.#runtime.context()
    const snapshots = Core.watchJob(jobId, waitOptions(call)).pipe(
      Stream.mapError((error): Error => fromCoreError(error, mask)),
    )
    const stream =
      signal === undefined
        ? snapshots
        : Stream.interruptWhen(
            snapshots,
            Effect.callback<never, Error>((resume) => {
              const onAbort = () => resume(Effect.fail(abortError("watchJob", signal)))

              signal.addEventListener("abort", onAbort, { once: true })

              return Effect.sync(() => signal.removeEventListener("abort", onAbort))
            }),
          )

    yield* Stream.toAsyncIterableWith(stream, context)
  }

  #toError(name: CallName, cause: Cause.Cause<CoreError>, signal?: AbortSignal): unknown {
    const failure = Cause.findErrorOption(cause)

    if (failure._tag === "Some") return fromCoreError(failure.value, (text) => this.#log.mask(text))

    if (Cause.hasInterruptsOnly(cause)) {
      return signal?.aborted
        ? abortError(name, signal)
        : new AbortError(`${name} interrupted because the client was closed`)
    }

    // A defect is a bug, not a failure of the call; it is passed on unchanged for its stack.
    return Cause.squash(cause)
  }
}

if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(CodebeamerJobs.prototype, Symbol.asyncDispose, {
    value(this: CodebeamerJobs): Promise<void> {
      return this.close()
    },
    writable: true,
    configurable: true,
  })
}
