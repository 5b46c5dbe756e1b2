import { createServer } from "node:net"
import { startSandbox } from "@cbjobs/sandbox"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { describe, expect, it } from "vitest"
import {
  type AttemptEvent,
  CodebeamerClient,
  type CodebeamerError,
  type ConfigError,
  getBackgroundJob,
  getBackgroundJobWithResponse,
  isCodebeamerError,
  isRetryablePostError,
  makeClientConfig,
  maxRetries,
  retryWhile,
  updateWorkingSet,
  updateWorkingSetWithResponse,
} from "../src/index.ts"
import {
  adminLayer,
  quickRetries,
  releaseIntoDefault,
  run,
  runError,
  useSandbox,
} from "./support.ts"

const sandboxOf = useSandbox({ throttle: false, jobDurationMs: 60_000 })

const startJob = async () => {
  const sandbox = sandboxOf()
  const reference = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))
  sandbox.faults.clear()

  return reference.jobId
}

const expectTag = <T extends string>(error: unknown, tag: T) => {
  expect(isCodebeamerError(error)).toBe(true)
  expect((error as CodebeamerError)._tag).toBe(tag)

  return error as Extract<CodebeamerError, { _tag: T }>
}

/** A free local port with nothing listening on it. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })

describe("getBackgroundJob against the sandbox", () => {
  it("reads a job with its metadata", async () => {
    const jobId = await startJob()
    const result = await run(getBackgroundJobWithResponse(jobId), adminLayer(sandboxOf()))

    expect(result.data.id).toBe(jobId)
    expect(result.data.backgroundJobType).toBe("WORKING_SET_UPDATE")
    expect(result.data.createdAt).toBeInstanceOf(Date)
    expect(result.response).toMatchObject({ status: 200, attempts: 1 })
    expect(result.response.headers["content-type"]).toMatch(/application\/json/)
  })

  it("fails with NotFound naming the job and the request", async () => {
    const error = await runError(getBackgroundJob(99_999), adminLayer(sandboxOf()))

    expect(expectTag(error, "NotFound").message).toBe(
      "job 99999 not found (GET /v3/job/99999, 404)",
    )
    expect(sandboxOf().counters().requests.job).toBe(1)
  })

  it("fails with Unauthorized for a wrong password, without retrying", async () => {
    const sandbox = sandboxOf()
    const layer = adminLayer(sandbox, {
      auth: { type: "basic", username: "admin", password: Redacted.make("not-the-password") },
    })
    const error = expectTag(await runError(getBackgroundJob(1), layer), "Unauthorized")

    expect(error.status).toBe(401)
    expect(error.message).toMatch(/\(GET \/v3\/job\/1, 401\)$/)
    expect(sandbox.counters().requests.job).toBe(1)
  })

  it("fails with Forbidden when another user reads the job", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    const other = adminLayer(sandbox, {
      auth: { type: "bearer", token: Redacted.make(sandbox.users.other.token) },
    })
    const error = expectTag(await runError(getBackgroundJob(jobId), other), "Forbidden")

    expect(error.serverMessage).toBeTruthy()
    expect(error.resourceUri).toBe(`/v3/job/${jobId}`)
  })

  it("fails with BadRequest and Codebeamer's message for a 400", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(400, { route: "job" })
    const error = expectTag(await runError(getBackgroundJob(1), adminLayer(sandbox)), "BadRequest")

    expect(error.message).toMatch(/^job 1 rejected as a bad request.*\(GET \/v3\/job\/1, 400\)$/)
  })

  it("fails with UnexpectedStatus for a status the contract does not list", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(418, { route: "job", count: 3 })
    const error = await runError(getBackgroundJob(1), adminLayer(sandbox))

    expect(expectTag(error, "UnexpectedStatus").status).toBe(418)
    expect(sandbox.counters().requests.job).toBe(1)
  })

  it("retries a GET after a 503 and reads the job", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    sandbox.faults.status(503, { route: "job", count: 2 })
    const result = await run(getBackgroundJobWithResponse(jobId), adminLayer(sandbox))

    expect(result.response.attempts).toBe(3)
    expect(sandbox.counters().requests.job).toBe(3)
  })

  it("retries a GET four times under the default schedule, then fails", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(500, { route: "job", count: 10 })
    const layer = adminLayer(sandbox, { retry: undefined })
    const error = await runError(getBackgroundJob(1), layer)

    expect(expectTag(error, "ServerError").status).toBe(500)
    expect(sandbox.counters().requests.job).toBe(5)
  })

  it("retries a GET whose connection was destroyed, before or after the server acted", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    sandbox.faults.destroy("before", { route: "job" })
    sandbox.faults.destroy("after", { route: "job" })
    const result = await run(getBackgroundJobWithResponse(jobId), adminLayer(sandbox))

    expect(result.response.attempts).toBe(3)
  })

  it("honours retryAfterSecond of a 429 before retrying", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    sandbox.faults.status(429, { route: "job", retryAfterSecond: 1 })
    const started = Date.now()
    const result = await run(getBackgroundJobWithResponse(jobId), adminLayer(sandbox))

    expect(result.response.attempts).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
  })

  it("reads the wait of a 429 from Retry-After in seconds or as an HTTP date", async () => {
    const sandbox = sandboxOf()
    const layer = adminLayer(sandbox, { retry: false })
    sandbox.faults.status(429, { route: "job", retryAfterSecond: 1, retryAfterHeader: "3" })
    const seconds = expectTag(await runError(getBackgroundJob(1), layer), "RateLimited")

    expect([seconds.retryAfterMs, seconds.retryAfterSource]).toEqual([3_000, "header"])

    const at = new Date(Date.now() + 5_000).toUTCString()
    sandbox.faults.status(429, { route: "job", retryAfterSecond: 1, retryAfterHeader: at })
    const date = expectTag(
      await runError(getBackgroundJob(1), adminLayer(sandbox, { retry: false })),
      "RateLimited",
    )

    expect(date.retryAfterSource).toBe("header")
    expect(date.retryAfterMs).toBeGreaterThan(2_500)
    expect(date.retryAfterMs).toBeLessThanOrEqual(5_000)
  })

  it("reads a JSON 429 without Retry-After from its body", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(429, { route: "job", retryAfterSecond: 2 })
    const error = await runError(getBackgroundJob(1), adminLayer(sandbox, { retry: false }))

    expect(expectTag(error, "RateLimited")).toMatchObject({
      retryAfterMs: 2_000,
      retryAfterSource: "body",
      message: "job 1 rate limited: the server asks to wait 2 s (GET /v3/job/1, 429)",
    })
  })

  it("survives the bare text/xml 429 with a 1 s floor", async () => {
    const legacy = await startSandbox({ legacyXml429: true, throttle: false })

    try {
      legacy.faults.status(429, { route: "job" })
      const error = await runError(getBackgroundJob(1), adminLayer(legacy, { retry: false }))

      expect(expectTag(error, "RateLimited")).toMatchObject({
        retryAfterMs: 1_000,
        retryAfterSource: "default",
      })
    } finally {
      await legacy.close()
    }
  })

  it("names an HTML login page as such", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.body("html-login", { route: "job" })
    const error = expectTag(await runError(getBackgroundJob(1), adminLayer(sandbox)), "DecodeError")

    expect(error.problem).toBe("html-login-page")
    expect(error.message).toMatch(/HTML login page/)
    expect(sandbox.counters().requests.job).toBe(1)
  })

  it("fails with DecodeError for malformed JSON and does not retry", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    sandbox.faults.body("malformed", { route: "job" })
    const error = expectTag(
      await runError(getBackgroundJob(jobId), adminLayer(sandbox)),
      "DecodeError",
    )

    expect(error.problem).toBe("json")
    expect(sandbox.counters().requests.job).toBe(1)
  })

  it("fails a truncated body as a decode error or a lost response, never as a job", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    sandbox.faults.body("truncated", { route: "job", count: 10 })
    const error = await runError(getBackgroundJob(jobId), adminLayer(sandbox))

    expect(["DecodeError", "Transport"]).toContain((error as CodebeamerError)._tag)
  })

  it("keeps unknown enum values and extra fields", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    sandbox.faults.body("unknown-enums", { route: "job" })
    const odd = await run(getBackgroundJob(jobId), adminLayer(sandbox))
    sandbox.faults.body("extra-fields", { route: "job" })
    const extra = await run(getBackgroundJob(jobId), adminLayer(sandbox))

    expect(odd.backgroundJobType).toBe("WORKING_SET_REBASE")
    expect(odd.steps?.at(-1)).toMatchObject({ status: "SKIPPED", result: "NOT_RUN" })
    expect(extra).toMatchObject({ priority: "NORMAL", tenant: { id: 7, name: "sandbox" } })
    expect(extra.statusInfo).toMatchObject({ estimatedSecondsLeft: 4 })
    expect(extra.steps?.[0]).toMatchObject({ durationMillis: 120 })
  })

  it("keeps an unknown job type in the answer to a working-set update", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.body("unknown-enums", { route: "working-set-update" })
    const reference = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))

    expect(reference.jobType).toBe("WORKING_SET_REBASE")
  })

  it("rejects a job id outside int32 before sending", async () => {
    const sandbox = sandboxOf()

    for (const jobId of [-1, 1.5, 2 ** 31, Number.NaN]) {
      const error = expectTag(
        await runError(getBackgroundJob(jobId), adminLayer(sandbox)),
        "InvalidRequest",
      )
      expect(error.field).toBe("jobId")
    }

    expect(sandbox.counters().requests.job).toBe(0)
  })

  it("fails with Timeout when no response comes within the attempt's limit", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.latency(400)
    const layer = adminLayer(sandbox, { timeout: 100, retry: false })
    const error = expectTag(await runError(getBackgroundJob(1), layer), "Timeout")

    expect(error).toMatchObject({ scope: "attempt", timeoutMs: 100 })
    expect(error.message).toBe("job 1 got no response within 100 ms (GET /v3/job/1)")
  })

  it("stops retrying at the operation's deadline", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(503, { route: "job", count: 100 })
    sandbox.faults.latency(60)
    const retry = { get: Schedule.spaced("100 millis").pipe(maxRetries(100)) }
    const started = Date.now()
    const error = await runError(getBackgroundJob(1), adminLayer(sandbox, { deadline: 500, retry }))

    expect(["ServerError", "Timeout"]).toContain((error as CodebeamerError)._tag)
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(sandbox.counters().requests.job).toBeLessThanOrEqual(4)
  })

  it("aborts the fetch when the operation is interrupted", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.latency(2_000)
    const signals: Array<AbortSignal> = []
    const recordingFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.signal) signals.push(init.signal)
      return fetch(input, init)
    }) as typeof fetch

    await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(getBackgroundJob(1))
        yield* Effect.sleep(200)
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(adminLayer(sandbox, { fetch: recordingFetch }))),
    )

    expect(signals).toHaveLength(1)
    expect(signals[0]?.aborted).toBe(true)
  })

  it("fails with Transport when nothing listens, after retrying", async () => {
    const port = await closedPort()
    const events: Array<AttemptEvent> = []
    const layer = CodebeamerClient.layer({
      baseUrl: `http://127.0.0.1:${port}/cb/api`,
      auth: { type: "bearer", token: Redacted.make("token-for-nobody") },
      retry: quickRetries,
      hooks: { onAttempt: (event) => events.push(event) },
    })
    const error = expectTag(await runError(getBackgroundJob(1), layer), "Transport")

    expect(error.mayHaveBeenSent).toBe(false)
    expect(error.code).toBe("ECONNREFUSED")
    expect(events.map((event) => event.attempt)).toEqual([1, 2, 3, 4, 5])
    expect(events.at(-1)?.retryInMs).toBeUndefined()
  })
})

describe("updateWorkingSet against the sandbox", () => {
  it("starts exactly one job", async () => {
    const sandbox = sandboxOf()
    const result = await run(updateWorkingSetWithResponse(releaseIntoDefault), adminLayer(sandbox))

    expect(result.data.jobType).toBe("WORKING_SET_UPDATE")
    expect(result.response.attempts).toBe(1)
    expect(sandbox.counters().jobsCreated).toBe(1)
  })

  it("rejects an invalid request before anything is sent", async () => {
    const sandbox = sandboxOf()
    const request = {
      source: { id: 1002 },
      trackers: [{ tracker: { id: 3101 } }, { tracker: { id: -3 } }],
    }
    const error = expectTag(
      await runError(updateWorkingSet(request), adminLayer(sandbox)),
      "InvalidRequest",
    )

    expect(error.field).toBe("trackers[1].tracker.id")
    expect(error.message).toMatch(/^invalid updateWorkingSet request: trackers\[1\]\.tracker\.id /)
    expect(error.message).toMatch(/\(POST \/v3\/jobs\/working-set-update, not sent\)$/)
    expect(sandbox.counters().requests["working-set-update"]).toBe(0)
  })

  it("fails with Forbidden for a user without Working-Set Admin", async () => {
    const sandbox = sandboxOf()
    const viewer = adminLayer(sandbox, {
      auth: { type: "apiKey", apiKey: Redacted.make(sandbox.users.viewer.apiKey) },
    })
    const error = await runError(updateWorkingSet(releaseIntoDefault), viewer)

    expect(expectTag(error, "Forbidden").status).toBe(403)
    expect(sandbox.counters().jobsCreated).toBe(0)
  })

  it("fails with NotFound for an unknown working set", async () => {
    const sandbox = sandboxOf()
    const error = await runError(updateWorkingSet({ source: { id: 987_654 } }), adminLayer(sandbox))

    expect(expectTag(error, "NotFound").message).toMatch(
      /\(POST \/v3\/jobs\/working-set-update, 404\)$/,
    )
  })

  it("retries after a 429 and starts one job", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(429, { route: "working-set-update", retryAfterSecond: 0 })
    const result = await run(updateWorkingSetWithResponse(releaseIntoDefault), adminLayer(sandbox))

    expect(result.response.attempts).toBe(2)
    expect(sandbox.counters()).toMatchObject({
      requests: { "working-set-update": 2 },
      jobsCreated: 1,
    })
  })

  it("ends a 5xx as UnknownOutcome carrying the request, without retrying", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(503, { route: "working-set-update", count: 5 })
    const error = expectTag(
      await runError(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox)),
      "UnknownOutcome",
    )

    expect(error).toMatchObject({
      reason: "server-error",
      status: 503,
      request: releaseIntoDefault,
    })
    expect(sandbox.counters().requests["working-set-update"]).toBe(1)
  })

  it("ends a connection destroyed before or after acting as UnknownOutcome, once", async () => {
    const sandbox = sandboxOf()

    for (const [when, jobs] of [
      ["before", 0],
      ["after", 1],
    ] as const) {
      sandbox.reset()
      sandbox.faults.destroy(when, { route: "working-set-update" })
      const error = await runError(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))

      expect(expectTag(error, "UnknownOutcome").reason).toBe("connection-lost")
      expect(sandbox.counters().requests["working-set-update"]).toBe(1)
      expect(sandbox.counters().jobsCreated).toBe(jobs)
    }
  })

  it("ends a timeout after sending as UnknownOutcome, without retrying", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.latency(400)
    const error = expectTag(
      await runError(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox, { timeout: 100 })),
      "UnknownOutcome",
    )

    expect(error.reason).toBe("timeout")
    expect(error.message).toMatch(/may have started a job \(no response within 100 ms\)/)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(sandbox.counters()).toMatchObject({
      requests: { "working-set-update": 1 },
      jobsCreated: 1,
    })
  })

  it("says a job may have started when a 200 POST has a malformed body", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.body("malformed", { route: "working-set-update" })
    const error = expectTag(
      await runError(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox)),
      "DecodeError",
    )

    expect(error.message).toMatch(/the job may have started/)
    expect(sandbox.counters().jobsCreated).toBe(1)
  })

  it("retries a POST whose connection was refused, and starts one job", async () => {
    const port = await closedPort()
    const starting: Array<Promise<unknown>> = []
    const handles: Array<{ close(): Promise<void>; counters(): { jobsCreated: number } }> = []
    const events: Array<AttemptEvent> = []
    const sandbox = sandboxOf()
    const layer = CodebeamerClient.layer({
      baseUrl: `http://127.0.0.1:${port}/cb/api`,
      auth: { type: "apiKey", apiKey: Redacted.make(sandbox.credentials.apiKey) },
      retry: {
        post: Schedule.spaced("400 millis").pipe(
          Schedule.setInputType<CodebeamerError>(),
          retryWhile(isRetryablePostError),
          maxRetries(5),
        ),
      },
      hooks: {
        onAttempt: (event) => {
          events.push(event)

          if (event.attempt === 1) {
            starting.push(
              startSandbox({
                port,
                throttle: false,
                users: { admin: { apiKey: sandbox.credentials.apiKey } },
              }).then((started) => handles.push(started)),
            )
          }
        },
      },
    })

    try {
      const reference = await run(updateWorkingSet(releaseIntoDefault), layer)

      expect(reference.jobId).toBeGreaterThan(0)
      expect(events[0]?.error).toBe("Transport")
      expect(handles[0]?.counters().jobsCreated).toBe(1)
    } finally {
      await Promise.all(starting)
      await Promise.all(handles.map((handle) => handle.close()))
    }
  })
})

describe("client configuration", () => {
  const configError = async (input: unknown) => {
    const error = await Effect.runPromise(Effect.flip(makeClientConfig(input as never)))

    return error as ConfigError
  }

  const auth = { type: "bearer", token: "t0ken-value" } as const

  it("names the field of an invalid option", async () => {
    expect((await configError({ baseUrl: "ftp://cb.example.com", auth })).field).toBe("baseUrl")
    expect((await configError({ baseUrl: "https://u:p@cb.example.com", auth })).reason).toMatch(
      /credentials/,
    )
    expect((await configError({ baseUrl: "https://cb.example.com", auth: {} })).field).toBe(
      "auth.type",
    )
    expect(
      (
        await configError({
          baseUrl: "https://cb",
          auth,
          throttle: { windows: [{ limit: 0, window: 1 }] },
        })
      ).field,
    ).toBe("throttle.windows[0].limit")
    expect((await configError({ baseUrl: "https://cb", auth, timeout: -5 })).field).toBe("timeout")
    expect(
      (await configError({ baseUrl: "https://cb", auth, headers: { Authorization: "x" } })).field,
    ).toBe("headers.Authorization")
    expect((await configError({ baseUrl: "https://cb", auth, retries: 3 })).field).toBe("retries")
  })

  it("normalises the base URL and wraps plain secrets in Redacted", async () => {
    const config = await Effect.runPromise(
      makeClientConfig({ baseUrl: "https://cb.example.com/cb/api/", auth }),
    )

    expect(config.baseUrl).toBe("https://cb.example.com/cb/api")
    expect(config.auth.type === "bearer" && Redacted.isRedacted(config.auth.token)).toBe(true)
    expect(JSON.stringify(config)).not.toContain("t0ken-value")
  })

  const fromEnv = (env: Record<string, string>) =>
    Effect.runPromise(
      Effect.flip(
        Effect.provide(
          Effect.asVoid(CodebeamerClient),
          CodebeamerClient.layerConfig.pipe(
            Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
          ),
        ),
      ),
    )

  it("reads the environment and rejects two schemes at once", async () => {
    const both = (await fromEnv({
      CODEBEAMER_URL: "https://cb.example.com/cb/api",
      CODEBEAMER_API_KEY: "key-1234",
      CODEBEAMER_TOKEN: "token-1234",
    })) as ConfigError

    expect(both.field).toBe("CODEBEAMER_API_KEY, CODEBEAMER_TOKEN")
    expect(((await fromEnv({})) as ConfigError).field).toBe("CODEBEAMER_URL")
    expect(
      ((await fromEnv({ CODEBEAMER_URL: "https://cb", CODEBEAMER_USERNAME: "ada" })) as ConfigError)
        .field,
    ).toBe("CODEBEAMER_PASSWORD")
  })

  it("reads a job with each authentication scheme", async () => {
    const sandbox = sandboxOf()
    const jobId = await startJob()
    const { apiKey, token } = sandbox.credentials
    const schemes = [
      { type: "apiKey", apiKey: Redacted.make(apiKey) },
      { type: "apiKey", apiKey: Redacted.make(apiKey), prefix: "ApiKey" },
      { type: "bearer", token: Redacted.make(token) },
    ] as const

    for (const scheme of schemes) {
      const job = await run(getBackgroundJob(jobId), adminLayer(sandbox, { auth: scheme }))
      expect(job.id).toBe(jobId)
    }

    const env = ConfigProvider.layer(
      ConfigProvider.fromEnvRecord({ CODEBEAMER_URL: sandbox.url, CODEBEAMER_TOKEN: token }),
    )
    const job = await run(
      getBackgroundJob(jobId),
      CodebeamerClient.layerConfig.pipe(Layer.provide(env)),
    )
    expect(job.id).toBe(jobId)
  })
})
