import { createServer } from "node:net"
import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import {
  AbortError,
  BadRequestError,
  CodebeamerError,
  type CodebeamerErrorName,
  ConnectionError,
  ForbiddenError,
  InvalidOptionsError,
  JobFailedError,
  JobStalledError,
  NotFoundError,
  RateLimitError,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  UnexpectedStatusError,
  UnknownOutcomeError,
  WaitTimeoutError,
} from "../src/index.ts"
import {
  clientFor,
  failingRequest,
  mergeRequest,
  rejectionOf,
  useSandbox,
} from "./support/sandbox.ts"

// The admin's password and API key in this file: no error may ever show them.
const canary = "canary-Pa55word-7f3c9e"
const canaryKey = "canary-ApiKey-4d2b8a"

const sandbox = useSandbox({ users: { admin: { password: canary, apiKey: canaryKey } } })

const seen: Array<unknown> = []

const expectError = async <E extends CodebeamerError>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never) => E,
  name: CodebeamerErrorName,
): Promise<E> => {
  const error = await rejectionOf(promise)

  seen.push(error)
  expect(error).toBeInstanceOf(errorClass)
  expect(error).toBeInstanceOf(CodebeamerError)
  expect(error).toBeInstanceOf(Error)
  expect((error as E).name).toBe(name)

  return error as E
}

const freePort = async (): Promise<number> => {
  const server = createServer()

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))

  const address = server.address()

  await new Promise<void>((resolve) => server.close(() => resolve()))

  return typeof address === "object" && address !== null ? address.port : 0
}

describe("every error class, from the sandbox", () => {
  it("throws BadRequestError for a 400 with Codebeamer's message", async () => {
    sandbox().faults.status(400, { route: "job" })

    const error = await expectError(
      clientFor(sandbox()).getBackgroundJob(1),
      BadRequestError,
      "BadRequestError",
    )

    expect(error.status).toBe(400)
    expect(error.method).toBe("GET")
    expect(error.path).toBe("/v3/job/1")
  })

  it("throws UnauthorizedError for a wrong password", async () => {
    const client = clientFor(sandbox(), { auth: { username: "admin", password: `${canary}-x` } })
    const error = await expectError(
      client.getBackgroundJob(1),
      UnauthorizedError,
      "UnauthorizedError",
    )

    expect(error.status).toBe(401)
  })

  it("throws ForbiddenError when the user lacks Working-Set Admin", async () => {
    const { username, password } = sandbox().users.viewer
    const client = clientFor(sandbox(), { auth: { username, password } })
    const error = await expectError(
      client.updateWorkingSet(mergeRequest(sandbox())),
      ForbiddenError,
      "ForbiddenError",
    )

    expect(error.status).toBe(403)
    expect(error.serverMessage).toBeTruthy()
    expect(sandbox().counters().jobsCreated).toBe(0)
  })

  it("throws NotFoundError for an unknown job, naming it", async () => {
    const error = await expectError(
      clientFor(sandbox(), { auth: { apiKey: canaryKey } }).getBackgroundJob(987654),
      NotFoundError,
      "NotFoundError",
    )

    expect(error.status).toBe(404)
    expect(error.message).toContain("987654")
    expect(error.resourceUri).toBe("/v3/job/987654")
  })

  it("throws RateLimitError with the server's wait when retries are off", async () => {
    sandbox().faults.status(429, { retryAfterSecond: 2 })

    const client = clientFor(sandbox(), { retry: false })
    const error = await expectError(client.getBackgroundJob(1), RateLimitError, "RateLimitError")

    expect(error.status).toBe(429)
    expect(error.retryAfterMs).toBe(2000)
    expect(error.retryAfterSource).toBe("body")
  })

  it("throws ServerError for a 503 on a read when retries are off", async () => {
    sandbox().faults.status(503)

    const error = await expectError(
      clientFor(sandbox(), { retry: false }).getBackgroundJob(1),
      ServerError,
      "ServerError",
    )

    expect(error.status).toBe(503)
  })

  it("throws UnexpectedStatusError for a status the API does not list", async () => {
    sandbox().faults.status(418)

    const error = await expectError(
      clientFor(sandbox()).getBackgroundJob(1),
      UnexpectedStatusError,
      "UnexpectedStatusError",
    )

    expect(error.status).toBe(418)
  })

  it("throws ConnectionError when nothing listens", async () => {
    const port = await freePort()
    const client = clientFor(sandbox(), {
      baseUrl: `http://127.0.0.1:${port}/cb/api`,
      retry: false,
    })
    const error = await expectError(client.getBackgroundJob(1), ConnectionError, "ConnectionError")

    expect(error.status).toBeUndefined()
    expect(error.code).toBe("ECONNREFUSED")
  })

  it("throws TimeoutError when an attempt outlasts the timeout", async () => {
    sandbox().faults.latency(400)

    const client = clientFor(sandbox(), { timeout: 100, retry: false })
    const error = await expectError(client.getBackgroundJob(1), TimeoutError, "TimeoutError")

    expect(error.timeoutMs).toBe(100)
  })

  it("throws ResponseValidationError for a login page and for malformed JSON", async () => {
    const client = clientFor(sandbox(), { retry: false })

    sandbox().faults.body("html-login", { route: "job" })

    const login = await expectError(
      client.getBackgroundJob(1),
      ResponseValidationError,
      "ResponseValidationError",
    )

    expect(login.message).toMatch(/login page/)

    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))

    sandbox().faults.body("malformed", { route: "job" })

    const malformed = await expectError(
      client.getBackgroundJob(jobId),
      ResponseValidationError,
      "ResponseValidationError",
    )

    expect(malformed.status).toBe(200)
  })

  it("throws RequestValidationError without sending anything", async () => {
    const client = clientFor(sandbox())
    const same = { source: { id: 1002 }, target: { id: 1002 } }
    const error = await expectError(
      client.updateWorkingSet(same),
      RequestValidationError,
      "RequestValidationError",
    )

    expect(error.field).toBeTruthy()
    expect(error.reason).toBeTruthy()
    expect(sandbox().counters().requests["working-set-update"]).toBe(0)
  })

  it("throws UnknownOutcomeError when the connection drops after the server acted", async () => {
    sandbox().faults.destroy("after", { route: "working-set-update" })

    const request = mergeRequest(sandbox())
    const client = clientFor(sandbox(), { maxRetries: 3 })
    const error = await expectError(
      client.updateWorkingSet(request),
      UnknownOutcomeError,
      "UnknownOutcomeError",
    )

    expect(error.reason).toBe("connection-lost")
    expect(error.request).toEqual(request)
    expect(sandbox().counters().requests["working-set-update"]).toBe(1)
    expect(sandbox().counters().jobsCreated).toBe(1)
  })

  it("throws JobFailedError with the failed step's message", async () => {
    const client = clientFor(sandbox())
    const error = await expectError(
      client.updateWorkingSetAndWait(failingRequest(sandbox()), { pollInterval: 50 }),
      JobFailedError,
      "JobFailedError",
    )

    expect(error.job.backgroundJobStatus).toBe("FINISHED")
    expect(error.failedSteps).toHaveLength(1)
    expect(error.failedSteps[0]?.resultMessage).toBeTruthy()
    expect(error.message).toContain(error.failedSteps[0]?.resultMessage)
  })

  it("throws AbortError when the caller's signal fires", async () => {
    sandbox().faults.latency(1000)

    const reason = new Error("user pressed cancel")
    const controller = new AbortController()

    setTimeout(() => controller.abort(reason), 50)

    const error = await expectError(
      clientFor(sandbox()).getBackgroundJob(1, { signal: controller.signal }),
      AbortError,
      "AbortError",
    )

    expect(error.cause).toBe(reason)
  })

  it("throws InvalidOptionsError for options the client cannot use", async () => {
    const error = await expectError(
      Promise.resolve().then(() => clientFor(sandbox(), { timeout: -1 })),
      InvalidOptionsError,
      "InvalidOptionsError",
    )

    expect(error.option).toBe("timeout")
  })

  it("never shows a credential in any error or in the client", () => {
    const client = clientFor(sandbox(), { headers: { "x-session-token": canary } })
    const encoded = btoa(`admin:${canary}`)
    const shown = [inspect(client, { depth: 10 }), JSON.stringify(client), String(client)]

    expect(seen.length).toBeGreaterThanOrEqual(15)

    for (const error of seen) {
      const e = error as Error

      shown.push(e.message, String(e.stack), JSON.stringify(e), inspect(e, { depth: 10 }))
    }

    for (const text of shown) {
      expect(text).not.toContain(canary)
      expect(text).not.toContain(canaryKey)
      expect(text).not.toContain(encoded)
    }
  })
})

describe("errors of long waits", () => {
  const slow = useSandbox({ jobDurationMs: 60_000 })

  it("throws WaitTimeoutError with the last snapshot after maxWait", async () => {
    const client = clientFor(slow())
    const { jobId } = await client.updateWorkingSet(mergeRequest(slow()))
    const error = await rejectionOf(client.waitForJob(jobId, { maxWait: 400, pollInterval: 50 }))

    expect(error).toBeInstanceOf(WaitTimeoutError)
    expect((error as WaitTimeoutError).name).toBe("WaitTimeoutError")
    expect((error as WaitTimeoutError).jobId).toBe(jobId)
    expect((error as WaitTimeoutError).lastJob?.id).toBe(jobId)
    expect((error as WaitTimeoutError).lastJob?.backgroundJobStatus).toBe("NEW")
  })

  it("throws JobStalledError when nothing changes for stallAfter", async () => {
    const client = clientFor(slow())
    const { jobId } = await client.updateWorkingSet(mergeRequest(slow()))
    const error = await rejectionOf(client.waitForJob(jobId, { stallAfter: 300, pollInterval: 50 }))

    expect(error).toBeInstanceOf(JobStalledError)
    expect((error as JobStalledError).name).toBe("JobStalledError")
    expect((error as JobStalledError).lastJob.backgroundJobStatus).toBe("NEW")
  })
})
