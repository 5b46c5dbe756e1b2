import { afterAll, beforeEach, describe, expect, it } from "vitest"
import { type SandboxHandle, startSandbox } from "../src/index.ts"
import { send, startJob } from "./support.ts"

const canary = "canary-Secret-7f3a9"
const updatePath = "/v3/jobs/working-set-update"
const update = { source: { id: 1002 } }

const sandbox: SandboxHandle = await startSandbox({
  throttle: false,
  jobDurationMs: 60_000,
  users: { admin: { password: canary, apiKey: `${canary}-key` } },
})

afterAll(() => sandbox.close())

beforeEach(() => sandbox.reset())

describe("latency", () => {
  it("delays every response by the set time until turned off", async () => {
    sandbox.faults.latency(400)
    await send(sandbox, { path: "/v3/job/1" })
    await send(sandbox, { path: "/v3/job/1", auth: "none" })
    sandbox.faults.latency(0)
    await send(sandbox, { path: "/v3/job/1" })

    const durations = sandbox.requestLog().map((entry) => entry.durationMs)

    expect(durations[0]).toBeGreaterThanOrEqual(400)
    expect(durations[1]).toBeGreaterThanOrEqual(400)
    expect(durations[2]).toBeLessThan(400)
  })

  it("acts at once and answers only after the delay", async () => {
    sandbox.faults.latency(800)

    let answered = false
    const response = send(sandbox, { path: updatePath, body: update }).finally(() => {
      answered = true
    })

    for (let poll = 0; poll < 400 && sandbox.counters().jobsCreated === 0; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }

    const answeredWhenActed = answered

    expect(sandbox.counters().jobsCreated).toBe(1)
    expect(answeredWhenActed).toBe(false)
    expect((await response).status).toBe(200)
  })
})

describe("forced statuses", () => {
  it("forces the next count responses, then answers normally", async () => {
    sandbox.faults.status(503, { count: 2 })

    const statuses = []

    for (let request = 0; request < 3; request += 1) {
      statuses.push((await send(sandbox, { path: "/v3/job/1" })).status)
    }

    expect(statuses).toEqual([503, 503, 404])
  })

  it("forces only the given route and creates no job", async () => {
    sandbox.faults.status(500, { route: "working-set-update" })

    const get = await send(sandbox, { path: "/v3/job/1" })
    const post = await send(sandbox, { path: updatePath, body: update })

    expect([get.status, post.status]).toEqual([404, 500])
    expect(JSON.parse(post.text)).toEqual({
      message: "Internal Server Error",
      resourceUri: updatePath,
    })
    expect(sandbox.counters().jobsCreated).toBe(0)
  })

  it("forces a 502 even without credentials", async () => {
    sandbox.faults.status(502)

    const received = await send(sandbox, { path: "/v3/job/1", auth: "none" })

    expect(received.status).toBe(502)
  })

  it("forces a 429 with the given wait in the body and the exact Retry-After text", async () => {
    sandbox.faults.status(429, { retryAfterSecond: 5, retryAfterHeader: "2" })
    sandbox.faults.status(429, { retryAfterHeader: "Wed, 21 Oct 2026 07:28:00 GMT" })

    const first = await send(sandbox, { path: "/v3/job/1" })
    const second = await send(sandbox, { path: "/v3/job/1" })

    expect(first.status).toBe(429)
    expect(first.headers.get("retry-after")).toBe("2")
    expect(JSON.parse(first.text).retryAfterSecond).toBe(5)
    expect(second.headers.get("retry-after")).toBe("Wed, 21 Oct 2026 07:28:00 GMT")
    expect(JSON.parse(second.text).retryAfterSecond).toBe(1)
  })

  it("sends no Retry-After header unless asked", async () => {
    sandbox.faults.status(429)

    const received = await send(sandbox, { path: "/v3/job/1" })

    expect(received.headers.has("retry-after")).toBe(false)
  })

  it("refuses counts and statuses that make no sense", () => {
    expect(() => sandbox.faults.status(503, { count: 0 })).toThrow(/count/)
    expect(() => sandbox.faults.status(42)).toThrow(/faults.status/)
    expect(() => sandbox.faults.latency(-1)).toThrow(/latency/)
  })
})

describe("destroyed connections", () => {
  it("drops a POST before acting: no answer and no job", async () => {
    sandbox.faults.destroy("before", { route: "working-set-update" })

    await expect(send(sandbox, { path: updatePath, body: update })).rejects.toThrow()
    expect(sandbox.counters()).toMatchObject({
      requests: { "working-set-update": 1 },
      jobsCreated: 0,
    })
  })

  it("drops a POST after acting: no answer, but the job exists", async () => {
    sandbox.faults.destroy("after")

    await expect(send(sandbox, { path: updatePath, body: update })).rejects.toThrow()
    expect(sandbox.counters().jobsCreated).toBe(1)

    const entry = sandbox.requestLog()[0]!

    expect(entry).toMatchObject({ status: 0, fault: "destroy after", user: "admin" })
  })

  it("drops a GET and then serves the next one", async () => {
    sandbox.faults.destroy("before", { route: "job" })

    await expect(send(sandbox, { path: "/v3/job/1" })).rejects.toThrow()
    expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(404)
  })
})

describe("spoiled bodies", () => {
  it("sends malformed JSON with status 200 after acting", async () => {
    sandbox.faults.body("malformed")

    const received = await send(sandbox, { path: updatePath, body: update })

    expect(received.status).toBe(200)
    expect(received.contentType).toBe("application/json;charset=UTF-8")
    expect(() => JSON.parse(received.text)).toThrow(SyntaxError)
    expect(sandbox.counters().jobsCreated).toBe(1)
  })

  it("sends the first half of the JSON with a matching Content-Length", async () => {
    const jobId = await startJob(sandbox)
    const whole = (await send(sandbox, { path: `/v3/job/${jobId}` })).text

    sandbox.faults.body("truncated")

    const received = await send(sandbox, { path: `/v3/job/${jobId}` })

    expect(received.text).toBe(whole.slice(0, Math.floor(whole.length / 2)))
    expect(received.headers.get("content-length")).toBe(String(received.text.length))
  })

  it("waits for a 200 answer before spoiling it", async () => {
    sandbox.faults.body("malformed")

    const notFound = await send(sandbox, { path: "/v3/job/1" })
    const ok = await send(sandbox, { path: updatePath, body: update })

    expect(JSON.parse(notFound.text).message).toBe("Job 1 not found")
    expect(() => JSON.parse(ok.text)).toThrow(SyntaxError)
  })

  it("answers a login page with 200 and does not act", async () => {
    sandbox.faults.body("html-login", { route: "working-set-update" })

    const received = await send(sandbox, { path: updatePath, body: update })

    expect(received.status).toBe(200)
    expect(received.contentType).toBe("text/html;charset=UTF-8")
    expect(received.text).toContain("<form")
    expect(sandbox.counters().jobsCreated).toBe(0)
  })

  it("puts unknown enum values into one job body", async () => {
    const jobId = await startJob(sandbox)

    sandbox.faults.body("unknown-enums")

    const spoiled = JSON.parse((await send(sandbox, { path: `/v3/job/${jobId}` })).text)
    const plain = JSON.parse((await send(sandbox, { path: `/v3/job/${jobId}` })).text)

    expect(spoiled).toMatchObject({
      backgroundJobType: "WORKING_SET_REBASE",
      backgroundJobStatus: "QUEUED",
    })
    expect(spoiled.steps.at(-1)).toMatchObject({ status: "SKIPPED", result: "NOT_RUN" })
    expect(plain).toMatchObject({
      backgroundJobType: "WORKING_SET_UPDATE",
      backgroundJobStatus: "NEW",
    })
  })

  it("leaves the POST alone for job-body faults set without a route", async () => {
    sandbox.faults.body("extra-fields")

    const reference = JSON.parse((await send(sandbox, { path: updatePath, body: update })).text)
    const job = JSON.parse((await send(sandbox, { path: `/v3/job/${reference.jobId}` })).text)

    expect(Object.keys(reference)).toEqual(["jobId", "jobType"])
    expect(job).toMatchObject({ priority: "NORMAL", statusInfo: { estimatedSecondsLeft: 4 } })
    expect(job.steps[0]).toHaveProperty("durationMillis", 120)
  })

  it("forgets pending faults on clear", async () => {
    sandbox.faults.status(500)
    sandbox.faults.latency(500)
    sandbox.faults.clear()

    expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(404)
    expect(sandbox.requestLog()[0]!.durationMs).toBeLessThan(500)
  })
})

describe("counters and the request log", () => {
  it("counts requests per route and jobs created", async () => {
    await startJob(sandbox)
    await send(sandbox, { path: updatePath, body: {} })
    await send(sandbox, { path: "/v3/job/1" })
    await send(sandbox, { path: "/v3/projects" })
    await send(sandbox, { path: "/favicon.ico", base: "origin" })

    expect(sandbox.counters()).toEqual({
      requests: { job: 1, "working-set-update": 2, other: 2 },
      jobsCreated: 1,
    })
  })

  it("logs method, path, status, duration and user", async () => {
    await send(sandbox, { path: "/v3/job/77" })
    await send(sandbox, { path: "/v3/job/77", auth: "none" })

    expect(sandbox.requestLog()).toEqual([
      {
        method: "GET",
        path: "/cb/api/v3/job/77",
        status: 404,
        durationMs: expect.any(Number),
        user: "admin",
        route: "job",
      },
      {
        method: "GET",
        path: "/cb/api/v3/job/77",
        status: 401,
        durationMs: expect.any(Number),
        user: null,
        route: "job",
      },
    ])
  })

  it("never logs a secret, whichever way it was sent", async () => {
    const seen: Array<unknown> = []
    const watched = await startSandbox({
      throttle: false,
      users: { admin: { password: canary } },
      onRequest: (entry) => seen.push(entry),
    })

    try {
      await send(watched, { path: "/v3/job/1", auth: { basic: watched.credentials } })
      await send(watched, {
        path: "/v3/job/1",
        auth: { header: `Basic ${btoa(`admin:${canary}x`)}` },
      })
      await send(watched, { path: "/v3/job/1", auth: { apiKey: watched.credentials } })
      await send(watched, { path: "/v3/job/1", auth: { bearer: watched.credentials.token } })
      await send(watched, { path: `/v3/job/1?password=${canary}` })
      await send(watched, { path: updatePath, body: { source: { id: 1002 }, cbql: canary } })

      const written = JSON.stringify([watched.requestLog(), seen])

      expect(watched.requestLog()).toHaveLength(6)
      expect(seen).toHaveLength(6)
      expect(written).not.toContain(canary)
      expect(written).not.toContain(watched.credentials.apiKey)
      expect(written).not.toContain(watched.credentials.token)
    } finally {
      await watched.close()
    }
  })

  it("forgets jobs, counters and the log on reset", async () => {
    const jobId = await startJob(sandbox)

    sandbox.reset()

    expect(sandbox.counters().jobsCreated).toBe(0)
    expect(sandbox.requestLog()).toEqual([])
    expect((await send(sandbox, { path: `/v3/job/${jobId}` })).status).toBe(404)
  })
})

describe("CORS and base paths", () => {
  it("answers preflights and adds CORS headers when asked", async () => {
    const browserFacing = await startSandbox({ cors: true, throttle: false })

    try {
      const preflight = await fetch(`${browserFacing.url}${updatePath}`, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      })
      const get = await send(browserFacing, { path: "/v3/job/1" })

      expect(preflight.status).toBe(204)
      expect(preflight.headers.get("access-control-allow-origin")).toBe("*")
      expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/)
      expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Content-Type/)
      expect(preflight.headers.get("access-control-allow-methods")).toMatch(/POST/)
      expect(get.headers.get("access-control-allow-origin")).toBe("*")
      expect(browserFacing.counters().requests["working-set-update"]).toBe(0)
    } finally {
      await browserFacing.close()
    }
  })

  it("sends no CORS headers by default", async () => {
    const preflight = await fetch(`${sandbox.url}${updatePath}`, { method: "OPTIONS" })
    const get = await send(sandbox, { path: "/v3/job/1" })

    expect(preflight.status).toBe(401)
    expect(get.headers.has("access-control-allow-origin")).toBe(false)
  })

  it("serves the API under another base path", async () => {
    const hosted = await startSandbox({ basePath: "api/", throttle: false })

    try {
      const inside = await send(hosted, { path: "/v3/job/1" })
      const oldPath = await send(hosted, { path: "/cb/api/v3/job/1", base: "origin" })

      expect(hosted.url).toBe(`${hosted.origin}/api`)
      expect(inside.status).toBe(404)
      expect(JSON.parse(inside.text).message).toBe("Job 1 not found")
      expect(oldPath.status).toBe(404)
      expect(JSON.parse(oldPath.text).message).toBe("No resource for GET /cb/api/v3/job/1")
    } finally {
      await hosted.close()
    }
  })

  it("answers the wrong method on a known path with 404", async () => {
    const received = await send(sandbox, { method: "GET", path: updatePath })

    expect(received.status).toBe(404)
    expect(JSON.parse(received.text)).toEqual({
      message: `No resource for GET ${updatePath}`,
      resourceUri: updatePath,
    })
  })
})

describe("closing", () => {
  it("refuses connections once closed, even with a response held back", async () => {
    const closing = await startSandbox({ throttle: false })

    closing.faults.latency(10_000)

    const pending = send(closing, { path: "/v3/job/1" }).then(
      () => "answered",
      () => "dropped",
    )

    await new Promise((resolve) => setTimeout(resolve, 50))
    await closing.close()

    expect(await pending).toBe("dropped")
    await expect(fetch(`${closing.url}/v3/job/1`)).rejects.toThrow()
  })
})
