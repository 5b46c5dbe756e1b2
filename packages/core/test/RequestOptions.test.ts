import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { describe, expect, it } from "vitest"
import {
  CodebeamerClient,
  type CodebeamerError,
  getBackgroundJob,
  getBackgroundJobWithResponse,
  updateWorkingSet,
  updateWorkingSetAndWait,
  updateWorkingSetWithResponse,
  waitForJob,
} from "../src/index.ts"
import { adminLayer, releaseIntoDefault, run, runError, useSandbox } from "./support.ts"

const sandboxOf = useSandbox({ throttle: false, jobDurationMs: 300 })

const expectTag = <T extends CodebeamerError["_tag"]>(error: unknown, tag: T) => {
  expect((error as CodebeamerError)._tag).toBe(tag)
  return error as Extract<CodebeamerError, { _tag: T }>
}

// A fetch that records the headers of every request it sends on to the sandbox.
const recordingFetch = (sent: Array<Headers>): typeof fetch =>
  ((input: RequestInfo | URL, init?: RequestInit) => {
    sent.push(new Headers(input instanceof Request ? input.headers : init?.headers))
    return fetch(input, init)
  }) as typeof fetch

const startJob = async () => {
  const reference = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandboxOf()))

  return reference.jobId
}

describe("per-call timeout", () => {
  it("fails a GET with the call's timeout while the client's default would wait", async () => {
    const jobId = await startJob()
    const sandbox = sandboxOf()
    sandbox.faults.latency(300)
    const layer = adminLayer(sandbox, { retry: false })

    const error = expectTag(
      await runError(getBackgroundJob(jobId, { timeout: 100 }), layer),
      "Timeout",
    )
    const job = await run(getBackgroundJob(jobId), layer)

    expect(error).toMatchObject({ scope: "attempt", timeoutMs: 100, jobId })
    expect(job.id).toBe(jobId)
  })

  it("gives a longer timeout than the client's to one call", async () => {
    const jobId = await startJob()
    const sandbox = sandboxOf()
    sandbox.faults.latency(250)
    const layer = adminLayer(sandbox, { retry: false, timeout: 100 })

    const read = await run(getBackgroundJobWithResponse(jobId, { timeout: "2 seconds" }), layer)
    const error = expectTag(await runError(getBackgroundJob(jobId), layer), "Timeout")

    expect(read.data.id).toBe(jobId)
    expect(error.timeoutMs).toBe(100)
  })

  it("ends a POST past its call's timeout as UnknownOutcome, without repeating it", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.latency(300)

    const error = expectTag(
      await runError(updateWorkingSet(releaseIntoDefault, { timeout: 100 }), adminLayer(sandbox)),
      "UnknownOutcome",
    )

    expect(error.reason).toBe("timeout")
    expect(error.detail).toBe("no response within 100 ms")
    expect(sandbox.counters().requests["working-set-update"]).toBe(1)
  })

  it("does not count the wait for a throttle slot toward the call's timeout", async () => {
    const jobId = await startJob()
    const layer = adminLayer(sandboxOf(), {
      throttle: { windows: [{ limit: 1, window: "300 millis" }] },
      retry: false,
    })
    const started = Date.now()

    const jobs = await run(
      Effect.all(
        Array.from({ length: 4 }, () => getBackgroundJob(jobId, { timeout: 150 })),
        { concurrency: "unbounded" },
      ),
      layer,
    )

    expect(jobs.map((job) => job.id)).toEqual([jobId, jobId, jobId, jobId])
    expect(Date.now() - started).toBeGreaterThanOrEqual(850)
  })
})

describe("per-call headers", () => {
  it("sends a call's headers on that call only, merged over the client's", async () => {
    const jobId = await startJob()
    const sent: Array<Headers> = []
    const layer = adminLayer(sandboxOf(), {
      fetch: recordingFetch(sent),
      headers: { "x-client": "cbjobs-core-tests", "x-tenant": "t1" },
    })
    const headers = { "x-trace-id": "trace-1", "X-Tenant": "t2" }

    await run(getBackgroundJob(jobId, { headers }), layer)
    await run(getBackgroundJob(jobId), layer)
    await run(updateWorkingSetWithResponse(releaseIntoDefault, { headers }), layer)

    expect(sent.map((h) => h.get("x-trace-id"))).toEqual(["trace-1", null, "trace-1"])
    expect(sent.map((h) => h.get("x-tenant"))).toEqual(["t2", "t1", "t2"])
    expect(sent.map((h) => h.get("x-client"))).toEqual(Array(3).fill("cbjobs-core-tests"))
    expect(sent.every((h) => h.get("authorization")?.startsWith("Basic "))).toBe(true)
    expect(sent.map((h) => h.get("content-type"))).toEqual([null, null, "application/json"])
  })

  it("rejects a call header the client sets itself, before sending", async () => {
    const sandbox = sandboxOf()
    const layer = adminLayer(sandbox)

    for (const name of ["Authorization", "accept", "Content-Type", "content-length"]) {
      const read = expectTag(
        await runError(getBackgroundJob(1, { headers: { [name]: "x" } }), layer),
        "InvalidRequest",
      )
      const start = expectTag(
        await runError(updateWorkingSet(releaseIntoDefault, { headers: { [name]: "x" } }), layer),
        "InvalidRequest",
      )

      expect(read.field).toBe(`options.headers.${name}`)
      expect(start.field).toBe(`options.headers.${name}`)
    }

    expect(sandbox.counters().requests).toEqual({ job: 0, "working-set-update": 0, other: 0 })
  })

  it("names a bad call option in InvalidRequest", async () => {
    const layer = adminLayer(sandboxOf())
    const cases = [
      [{ timeout: -1 }, "options.timeout"],
      [{ timeout: "soon" }, "options.timeout"],
      [{ headers: { "bad name": "x" } }, "options.headers.bad name"],
      [{ headers: { "x-trace": "a\r\nb" } }, "options.headers.x-trace"],
      [{ retries: 3 }, "options.retries"],
    ] as const

    for (const [options, field] of cases) {
      const error = expectTag(
        await runError(getBackgroundJob(1, options as never), layer),
        "InvalidRequest",
      )

      expect(error.field).toBe(field)
    }
  })

  it("redacts a sensitive call header in spans and error messages", async () => {
    const sandbox = sandboxOf()
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span: (options) => {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      },
    })
    const canary = "canary-session-5e1f"

    const error = await Effect.runPromise(
      Effect.flip(
        getBackgroundJob(404_404, {
          headers: { "x-session-token": canary, "x-note": Redacted.make(`${canary}-2`) },
        }),
      ).pipe(Effect.provide(adminLayer(sandbox)), Effect.withTracer(tracer)),
    )
    const attempt = spans.find((span) => span.name === "GET /v3/job/{jobId}")

    expect(error._tag).toBe("NotFound")
    expect(attempt?.attributes.get("http.request.header.x-session-token")).toEqual(["<redacted>"])
    expect(attempt?.attributes.get("http.request.header.x-note")).toEqual(["<redacted>"])
    expect(JSON.stringify([...(attempt?.attributes ?? [])])).not.toContain(canary)
    expect(String(error)).not.toContain(canary)
  })
})

describe("per-call options keep the client's own machinery", () => {
  it("pauses the client's throttle for a 429's wait on a call with headers", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(429, { route: "job", retryAfterSecond: 3 })
    let pausedUntil = 0
    const program = Effect.flatMap(CodebeamerClient, (client) =>
      Effect.flatMap(
        Effect.flip(getBackgroundJob(1, { headers: { "x-trace-id": "t" }, timeout: 1_000 })),
        (error) =>
          Effect.sync(() => {
            pausedUntil = client.throttle.pausedUntil()
            return error
          }),
      ),
    )
    const before = Date.now()

    const error = await run(program, adminLayer(sandbox, { retry: false }))

    expect(error._tag).toBe("RateLimited")
    expect(pausedUntil - before).toBeGreaterThanOrEqual(2_900)
  })

  it("passes request options to every poll of a wait and to the start of the job", async () => {
    const sent: Array<Headers> = []
    const layer = adminLayer(sandboxOf(), { fetch: recordingFetch(sent) })
    const request = { headers: { "x-trace-id": "wait-1" }, timeout: 5_000 }

    const started = await run(
      updateWorkingSetAndWait(releaseIntoDefault, { pollInterval: 50, request }),
      layer,
    )
    const count = sent.length
    const again = await run(waitForJob(started.id ?? -1, { pollInterval: 50, request }), layer)

    expect(started.backgroundJobStatus).toBe("FINISHED")
    expect(again.id).toBe(started.id)
    expect(count).toBeGreaterThanOrEqual(3)
    expect(sent.length).toBeGreaterThan(count)
    expect(sent.every((h) => h.get("x-trace-id") === "wait-1")).toBe(true)
  })
})
