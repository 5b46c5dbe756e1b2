import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import {
  AbortError,
  type BackgroundJob,
  RateLimitError,
  ServerError,
  UnknownOutcomeError,
} from "../src/index.ts"
import { clientFor, mergeRequest, rejectionOf, useSandbox } from "./support/sandbox.ts"

const sandbox = useSandbox()

const abortAfter = (ms: number, reason?: unknown): AbortSignal => {
  const controller = new AbortController()

  setTimeout(() => controller.abort(reason), ms)

  return controller.signal
}

describe("abort", () => {
  it("aborts a request in flight instead of waiting for the answer", async () => {
    sandbox().faults.latency(3000)

    const started = performance.now()
    const error = await rejectionOf(
      clientFor(sandbox()).getBackgroundJob(1, { signal: abortAfter(100) }),
    )

    expect(error).toBeInstanceOf(AbortError)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it("rejects at once, sending nothing, when the signal has already fired", async () => {
    const controller = new AbortController()

    controller.abort()

    const client = clientFor(sandbox())
    const error = await rejectionOf(
      client.updateWorkingSet(mergeRequest(sandbox()), { signal: controller.signal }),
    )

    expect(error).toBeInstanceOf(AbortError)
    expect(sandbox().counters().requests["working-set-update"]).toBe(0)
  })

  it("aborts a wait between polls and polls no more", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))
    const error = await rejectionOf(
      client.waitForJob(jobId, { pollInterval: 5000, signal: abortAfter(150) }),
    )
    const polls = sandbox().counters().requests.job

    await sleep(300)

    expect(error).toBeInstanceOf(AbortError)
    expect(polls).toBe(1)
    expect(sandbox().counters().requests.job).toBe(polls)
  })

  it("aborts a wait while a poll is in flight", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))

    sandbox().faults.latency(3000)

    const started = performance.now()
    const error = await rejectionOf(client.waitForJob(jobId, { signal: abortAfter(100) }))

    expect(error).toBeInstanceOf(AbortError)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it("aborts a watch with AbortError", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))
    const controller = new AbortController()
    const seen: Array<BackgroundJob> = []
    const watching = async () => {
      for await (const job of client.watchJob(jobId, { signal: controller.signal })) {
        seen.push(job)
        controller.abort()
      }
    }

    expect(await rejectionOf(watching())).toBeInstanceOf(AbortError)
    expect(seen).toHaveLength(1)
  })

  it("stops polling when a watch loop breaks", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))

    for await (const job of client.watchJob(jobId, { pollInterval: 20 })) {
      if (job.id === jobId) break
    }

    const polls = sandbox().counters().requests.job

    await sleep(200)

    expect(polls).toBe(1)
    expect(sandbox().counters().requests.job).toBe(polls)
  })
})

describe("retries", () => {
  it("retries a GET after two 503s", async () => {
    sandbox().faults.status(503, { count: 2, route: "job" })

    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))
    const { data, response } = await client.withResponse.getBackgroundJob(jobId)

    expect(data.id).toBe(jobId)
    expect(response.attempts).toBe(3)
    expect(sandbox().counters().requests.job).toBe(3)
  })

  it("waits at least as long as a 429 asks before retrying", async () => {
    sandbox().faults.status(429, { route: "job", retryAfterSecond: 1 })

    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))
    const { response } = await client.withResponse.getBackgroundJob(jobId)

    expect(response.attempts).toBe(2)
    expect(response.durationMs).toBeGreaterThanOrEqual(1000)
  })

  it("stops after maxRetries retries", async () => {
    sandbox().faults.status(503, { count: 5, route: "job" })

    const error = await rejectionOf(clientFor(sandbox(), { maxRetries: 1 }).getBackgroundJob(1))

    expect(error).toBeInstanceOf(ServerError)
    expect(sandbox().counters().requests.job).toBe(2)
  })

  it("sends a single request with retry: false", async () => {
    sandbox().faults.status(429, { count: 5, route: "job" })

    const error = await rejectionOf(clientFor(sandbox(), { retry: false }).getBackgroundJob(1))

    expect(error).toBeInstanceOf(RateLimitError)
    expect(sandbox().counters().requests.job).toBe(1)
  })
})

describe("no duplicate working-set update", () => {
  const client = () => clientFor(sandbox(), { maxRetries: 4 })

  it("does not repeat the POST when the connection drops after the server acted", async () => {
    sandbox().faults.destroy("after", { route: "working-set-update" })

    const error = await rejectionOf(client().updateWorkingSet(mergeRequest(sandbox())))

    expect(error).toBeInstanceOf(UnknownOutcomeError)
    expect(sandbox().counters()).toMatchObject({
      requests: { "working-set-update": 1 },
      jobsCreated: 1,
    })
  })

  it("does not repeat the POST when the connection drops before an answer", async () => {
    sandbox().faults.destroy("before", { route: "working-set-update" })

    const error = await rejectionOf(client().updateWorkingSet(mergeRequest(sandbox())))

    expect(error).toBeInstanceOf(UnknownOutcomeError)
    expect(sandbox().counters().requests["working-set-update"]).toBe(1)
  })

  it("does not repeat the POST after a 503", async () => {
    sandbox().faults.status(503, { route: "working-set-update" })

    const error = await rejectionOf(client().updateWorkingSet(mergeRequest(sandbox())))

    expect(error).toBeInstanceOf(UnknownOutcomeError)
    expect((error as UnknownOutcomeError).reason).toBe("server-error")
    expect(sandbox().counters().requests["working-set-update"]).toBe(1)
  })

  it("does not repeat the POST after a timeout", async () => {
    sandbox().faults.latency(500)

    const error = await rejectionOf(
      client().updateWorkingSet(mergeRequest(sandbox()), { timeout: 100 }),
    )

    expect(error).toBeInstanceOf(UnknownOutcomeError)
    expect((error as UnknownOutcomeError).reason).toBe("timeout")
    expect(sandbox().counters().requests["working-set-update"]).toBe(1)
  })

  it("repeats the POST after a 429, which the server refused without acting", async () => {
    sandbox().faults.status(429, { route: "working-set-update", retryAfterSecond: 0 })

    const { data, response } = await client().withResponse.updateWorkingSet(mergeRequest(sandbox()))

    expect(data.jobId).toBeGreaterThan(0)
    expect(response.attempts).toBe(2)
    expect(sandbox().counters()).toMatchObject({
      requests: { "working-set-update": 2 },
      jobsCreated: 1,
    })
  })
})

describe("throttle", () => {
  const throttled = useSandbox({ throttle: { perSecond: 3, perMinute: 120 } })

  const read = (count: number, call: (index: number) => Promise<unknown>) =>
    Promise.all(Array.from({ length: count }, (_, index) => call(index)))

  it("keeps to 3 requests a second by default, so the server never answers 429", async () => {
    const { username, password } = throttled().credentials
    const client = clientFor(throttled(), { auth: { username, password }, throttle: undefined })
    const started = performance.now()

    await read(7, () => rejectionOf(client.getBackgroundJob(404404)))

    expect(performance.now() - started).toBeGreaterThanOrEqual(1900)
    expect(
      throttled()
        .requestLog()
        .map((entry) => entry.status),
    ).toEqual(Array(7).fill(404))
  })

  it("counts calls with their own headers against the same throttle", async () => {
    const client = clientFor(throttled(), { throttle: undefined })
    const started = performance.now()

    await read(6, (index) =>
      rejectionOf(
        client.getBackgroundJob(404404, index % 2 === 0 ? { headers: { "x-n": `${index}` } } : {}),
      ),
    )

    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(
      throttled()
        .requestLog()
        .map((entry) => entry.status),
    ).toEqual(Array(6).fill(404))
  })

  it("does not count the wait for a throttle slot toward a call's own timeout", async () => {
    const client = clientFor(throttled(), { throttle: undefined, retry: false })
    const started = performance.now()

    const errors = await read(6, () =>
      rejectionOf(client.getBackgroundJob(404404, { timeout: 300 })),
    )

    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(errors.map((error) => (error as Error).name)).toEqual(Array(6).fill("NotFoundError"))
  })

  it("holds the client for a 429's wait on a call with its own headers", async () => {
    const client = clientFor(sandbox(), { throttle: undefined, retry: false })

    sandbox().faults.status(429, { route: "job", retryAfterSecond: 2 })

    const limited = await rejectionOf(
      client.getBackgroundJob(404404, { headers: { "x-trace-id": "t-429" } }),
    )
    const rateLimitedAt = performance.now()
    const next = await rejectionOf(client.getBackgroundJob(404404))

    expect(limited).toBeInstanceOf(RateLimitError)
    expect((next as Error).name).toBe("NotFoundError")
    expect(performance.now() - rateLimitedAt).toBeGreaterThanOrEqual(1900)
  })

  it("retries the server's 429s when the client does not throttle", async () => {
    const client = clientFor(throttled(), { throttle: false })
    const results = await read(5, () => rejectionOf(client.getBackgroundJob(404404)))
    const statuses = throttled()
      .requestLog()
      .map((entry) => entry.status)

    expect(results.every((error) => (error as Error).name === "NotFoundError")).toBe(true)
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1)
    expect(statuses.filter((status) => status === 404)).toHaveLength(5)
  })
})
