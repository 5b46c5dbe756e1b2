import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SandboxHandle, startSandbox } from "../src/index.ts"
import {
  checkRequest,
  checkResponse,
  checkSchema,
  isRfc3339DateTime,
  responseSchema,
} from "./openapi.ts"
import { manualClock, type Received, send, startJob } from "./support.ts"

const jobPath = (jobId: number | string) => `/v3/job/${jobId}`
const updatePath = "/v3/jobs/working-set-update"

const bodyOf = (received: Received): Record<string, unknown> =>
  JSON.parse(received.text) as Record<string, unknown>

describe("job bodies in every state and date style", () => {
  for (const dates of ["offset", "local", "mixed"] as const) {
    describe(`with ${dates} dates`, () => {
      const clock = manualClock()
      let sandbox: SandboxHandle

      beforeAll(async () => {
        sandbox = await startSandbox({ dates, jobDurationMs: 1_000, throttle: false, ...clock })
      })

      afterAll(() => sandbox.close())

      it("matches the contract as NEW, IN_PROGRESS and FINISHED", async () => {
        const jobId = await startJob(sandbox)
        const seen: Array<string> = []

        for (const step of [0, 150, 500, 1_000]) {
          clock.advance(step)

          const received = await send(sandbox, { path: jobPath(jobId) })

          expect(checkResponse("getBackgroundJob", received)).toEqual([])
          seen.push(String(bodyOf(received).backgroundJobStatus))
        }

        expect(seen).toEqual(["NEW", "IN_PROGRESS", "IN_PROGRESS", "FINISHED"])
      })

      it("matches the contract for a failed job", async () => {
        const failing = { tracker: { id: sandbox.seed.failing.trackerId } }
        const jobId = await startJob(sandbox, { source: { id: 1002 }, trackers: [failing] })

        clock.advance(1_000)

        const received = await send(sandbox, { path: jobPath(jobId) })
        const steps = bodyOf(received).steps as Array<Record<string, unknown>>

        expect(checkResponse("getBackgroundJob", received)).toEqual([])
        expect(steps.map((step) => step.result)).toContain("FAILED")
      })

      it("writes date-times with the offsets the style asks for", async () => {
        const jobId = await startJob(sandbox)

        clock.advance(1_000)

        const job = bodyOf(await send(sandbox, { path: jobPath(jobId) }))
        const created = String(job.createdAt)
        const finished = String(job.finishedAt)

        expect(isRfc3339DateTime(created)).toBe(dates !== "local")
        expect(isRfc3339DateTime(finished)).toBe(dates === "offset")
      })
    })
  }
})

describe("every status path", () => {
  const clock = manualClock()
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({
      jobDurationMs: 1_000,
      throttle: false,
      retentionMs: 500,
      ...clock,
    })
  })

  afterAll(() => sandbox.close())

  it("sends valid requests in these tests", () => {
    expect(checkRequest("updateWorkingSet", { source: { id: 1002 } })).toEqual([])
    expect(checkRequest("updateWorkingSet", { trackers: [{ tracker: { id: 1 } }] })).toEqual([])
    expect(checkRequest("updateWorkingSet", { trackers: [{ cbql: "x" }] })).not.toEqual([])
  })

  it("answers the POST with a valid job reference", async () => {
    const received = await send(sandbox, { path: updatePath, body: { source: { id: 1002 } } })

    expect(received.status).toBe(200)
    expect(checkResponse("updateWorkingSet", received)).toEqual([])
  })

  it.each([
    ["malformed JSON", "{"],
    ["neither side", "{}"],
    ["a wrong type", '{"source":{"id":"1002"}}'],
    ["equal sides", '{"source":{"id":1001},"target":{"id":1001}}'],
    [
      "duplicate trackers",
      '{"source":{"id":1002},"trackers":[{"tracker":{"id":3101}},{"tracker":{"id":3101}}]}',
    ],
  ])("answers a POST with %s with a valid 400", async (_name, rawBody) => {
    const received = await send(sandbox, { path: updatePath, rawBody })

    expect(received.status).toBe(400)
    expect(checkResponse("updateWorkingSet", received)).toEqual([])
  })

  it.each([
    ["an unknown working set", { source: { id: 9999 } }],
    [
      "a tracker of another project",
      { source: { id: 1002 }, trackers: [{ tracker: { id: 3201 } }] },
    ],
    ["a baseline of another project", { source: { id: 1002 }, projectBaselineId: 5201 }],
  ])("answers a POST with %s with a valid 404", async (_name, body) => {
    const received = await send(sandbox, { path: updatePath, body })

    expect(received.status).toBe(404)
    expect(checkResponse("updateWorkingSet", received)).toEqual([])
  })

  it("answers 401 and 403 on both operations with valid bodies", async () => {
    const jobId = await startJob(sandbox)
    const wrong = { header: "Basic d3Jvbmc6d3Jvbmc=" }
    const unauthorizedGet = await send(sandbox, { path: jobPath(jobId), auth: wrong })
    const unauthorizedPost = await send(sandbox, { path: updatePath, body: {}, auth: "none" })
    const forbiddenGet = await send(sandbox, {
      path: jobPath(jobId),
      auth: { basic: sandbox.users.other },
    })
    const forbiddenPost = await send(sandbox, {
      path: updatePath,
      body: { source: { id: 1002 } },
      auth: { basic: sandbox.users.viewer },
    })

    expect(
      [unauthorizedGet, unauthorizedPost, forbiddenGet, forbiddenPost].map((r) => r.status),
    ).toEqual([401, 401, 403, 403])
    expect(checkResponse("getBackgroundJob", unauthorizedGet)).toEqual([])
    expect(checkResponse("updateWorkingSet", unauthorizedPost)).toEqual([])
    expect(checkResponse("getBackgroundJob", forbiddenGet)).toEqual([])
    expect(checkResponse("updateWorkingSet", forbiddenPost)).toEqual([])
  })

  it("answers 400 and 404 on the GET with valid bodies", async () => {
    const jobId = await startJob(sandbox)
    const badId = await send(sandbox, { path: jobPath("abc") })
    const unknown = await send(sandbox, { path: jobPath(424_242) })

    clock.advance(1_000 + 500)

    const expired = await send(sandbox, { path: jobPath(jobId) })

    expect([badId.status, unknown.status, expired.status]).toEqual([400, 404, 404])

    for (const received of [badId, unknown, expired]) {
      expect(checkResponse("getBackgroundJob", received)).toEqual([])
    }
  })

  it("answers a forced 500 on the POST with a valid body", async () => {
    sandbox.faults.status(500)

    const received = await send(sandbox, { path: updatePath, body: { source: { id: 1002 } } })

    expect(received.status).toBe(500)
    expect(checkResponse("updateWorkingSet", received)).toEqual([])
  })

  it.each([500, 502, 503])(
    "answers a forced %i the contract does not list with a RestException body",
    async (status) => {
      sandbox.faults.status(status, { route: "job" })

      const received = await send(sandbox, { path: jobPath(1) })

      expect(received.status).toBe(status)
      expect(checkResponse("getBackgroundJob", received)).toEqual([
        `status ${status} is not documented`,
      ])
      expect(checkSchema("RestException", bodyOf(received))).toEqual([])
    },
  )

  it("answers a forced 429 with a valid body on both operations", async () => {
    sandbox.faults.status(429, { count: 2, retryAfterSecond: 7 })

    const get = await send(sandbox, { path: jobPath(1) })
    const post = await send(sandbox, { path: updatePath, body: { source: { id: 1002 } } })

    expect(checkResponse("getBackgroundJob", get)).toEqual([])
    expect(checkResponse("updateWorkingSet", post)).toEqual([])
    expect(bodyOf(post).retryAfterSecond).toBe(7)
  })

  it("answers other paths with a Codebeamer-shaped 404", async () => {
    const inside = await send(sandbox, { path: "/v3/projects" })
    const outside = await send(sandbox, { path: "/elsewhere", base: "origin" })

    expect([inside.status, outside.status]).toEqual([404, 404])
    expect(checkSchema("ResourceNotFoundException", bodyOf(inside))).toEqual([])
    expect(checkSchema("ResourceNotFoundException", bodyOf(outside))).toEqual([])
  })
})

describe("throttled answers", () => {
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ throttle: { perSecond: 1, perMinute: 100 } })
  })

  afterAll(() => sandbox.close())

  it("answers a throttled GET and POST with a valid 429", async () => {
    await send(sandbox, { path: jobPath(1) })

    const get = await send(sandbox, { path: jobPath(1) })
    const post = await send(sandbox, { path: updatePath, body: { source: { id: 1002 } } })

    expect([get.status, post.status]).toEqual([429, 429])
    expect(checkResponse("getBackgroundJob", get)).toEqual([])
    expect(checkResponse("updateWorkingSet", post)).toEqual([])
  })

  it("breaks the contract only by media type with the legacy XML 429", async () => {
    await send(sandbox, { path: jobPath(1) })

    const received = await send(sandbox, { path: jobPath(1), accept: null })

    expect(received.status).toBe(429)
    expect(received.text).toBe("Too many requests")
    expect(checkResponse("getBackgroundJob", received)).toEqual([
      "media type text/xml is not documented",
    ])
  })
})

describe("fault bodies", () => {
  let sandbox: SandboxHandle
  let jobId: number

  beforeAll(async () => {
    sandbox = await startSandbox({ jobDurationMs: 0, throttle: false })
    jobId = await startJob(sandbox)
  })

  afterAll(() => sandbox.close())

  it("breaks the contract by media type with the HTML login page", async () => {
    sandbox.faults.body("html-login")

    const received = await send(sandbox, { path: jobPath(jobId) })

    expect(received.status).toBe(200)
    expect(checkResponse("getBackgroundJob", received)).toEqual([
      "media type text/html is not documented",
    ])
  })

  it.each(["malformed", "truncated"] as const)(
    "sends a %s body that is not JSON",
    async (fault) => {
      sandbox.faults.body(fault)

      const received = await send(sandbox, { path: jobPath(jobId) })

      expect(received.status).toBe(200)
      expect(checkResponse("getBackgroundJob", received)).toEqual(["body is not JSON"])
    },
  )

  it("breaks only the enums with unknown enum values, exactly where it changes them", async () => {
    sandbox.faults.body("unknown-enums")

    const received = await send(sandbox, { path: jobPath(jobId) })
    const violations = checkResponse("getBackgroundJob", received)

    expect(violations).toEqual([
      "/backgroundJobType enum: must be equal to one of the allowed values",
      "/steps/4/status enum: must be equal to one of the allowed values",
      "/steps/4/result enum: must be equal to one of the allowed values",
    ])
    expect(checkResponse("getBackgroundJob", received, { enums: false })).toEqual([])
  })

  it("reports an unknown status of a NEW job as an enum violation", async () => {
    const slow = await startSandbox({ jobDurationMs: 60_000, throttle: false })

    try {
      const id = await startJob(slow)

      slow.faults.body("unknown-enums")

      const received = await send(slow, { path: jobPath(id) })
      const violations = checkResponse("getBackgroundJob", received)

      expect(violations).toContain(
        "/backgroundJobStatus enum: must be equal to one of the allowed values",
      )
      expect(checkResponse("getBackgroundJob", received, { enums: false })).toEqual([])
    } finally {
      await slow.close()
    }
  })

  it("keeps a job body valid with extra fields", async () => {
    sandbox.faults.body("extra-fields")

    const received = await send(sandbox, { path: jobPath(jobId) })

    expect(bodyOf(received)).toHaveProperty("priority")
    expect(checkResponse("getBackgroundJob", received)).toEqual([])
  })

  it("spoils the job reference when the fault names the POST route", async () => {
    sandbox.faults.body("unknown-enums", { route: "working-set-update" })
    sandbox.faults.body("extra-fields", { route: "working-set-update" })

    const unknown = await send(sandbox, { path: updatePath, body: { source: { id: 1002 } } })
    const extra = await send(sandbox, { path: updatePath, body: { source: { id: 1002 } } })

    expect(checkResponse("updateWorkingSet", unknown)).toEqual([
      "/jobType enum: must be equal to one of the allowed values",
    ])
    expect(checkResponse("updateWorkingSet", extra)).toEqual([])
    expect(bodyOf(extra)).toHaveProperty("queuePosition", 3)
  })
})

describe("the validator itself", () => {
  it("rejects offset-less date-times under plain RFC 3339 but accepts them as Codebeamer's", () => {
    const job = { createdAt: "2026-12-03T10:53:49.963" }

    expect(isRfc3339DateTime(job.createdAt)).toBe(false)
    expect(checkSchema("BackgroundJob", job)).toEqual([])
    expect(checkSchema("BackgroundJob", { createdAt: "2026-12-03 10:53" })).toHaveLength(1)
    expect(checkSchema("BackgroundJob", { createdAt: "2026-13-03T10:53:49" })).toHaveLength(1)
  })

  it("finds the documented schema of each response", () => {
    expect(responseSchema("getBackgroundJob", 200, "application/json")).toEqual({
      schema: "BackgroundJob",
    })
    expect(responseSchema("getBackgroundJob", 400, "text/plain")).toEqual({
      schema: "RestException",
    })
    expect(responseSchema("updateWorkingSet", 429, "application/json")).toEqual({
      schema: "TooManyRequestsException",
    })
  })
})
