import { afterEach, describe, expect, it } from "vitest"
import {
  AbortError,
  type BackgroundJob,
  ClientClosedError,
  CodebeamerError,
  CodebeamerJobs,
} from "../src/index.ts"
import {
  clientFor,
  failingRequest,
  mergeRequest,
  recordingLogger,
  rejectionOf,
  useSandbox,
} from "./support/sandbox.ts"

const sandbox = useSandbox()

const progressOf = (job: BackgroundJob): number =>
  job.backgroundJobStatus === "FINISHED" ? 100 : (job.statusInfo?.progressPercentage ?? 0)

describe("CodebeamerJobs against the sandbox", () => {
  it("starts a working-set update and reads its job", async () => {
    const client = clientFor(sandbox())
    const reference = await client.updateWorkingSet(mergeRequest(sandbox()))
    const job = await client.getBackgroundJob(reference.jobId)

    expect(reference.jobType).toBe("WORKING_SET_UPDATE")
    expect(job.id).toBe(reference.jobId)
    expect(job.backgroundJobType).toBe("WORKING_SET_UPDATE")
    expect(job.createdAt).toBeInstanceOf(Date)
    expect(sandbox().counters().jobsCreated).toBe(1)
  })

  it("waits for a job, calling onProgress with rising progress", async () => {
    const client = clientFor(sandbox())
    const snapshots: Array<BackgroundJob> = []
    const job = await client.updateWorkingSetAndWait(mergeRequest(sandbox()), {
      pollInterval: 40,
      onProgress: (snapshot) => snapshots.push(snapshot),
    })
    const progress = snapshots.map(progressOf)

    expect(job.backgroundJobStatus).toBe("FINISHED")
    expect(job.finishedAt).toBeInstanceOf(Date)
    expect(new Set(progress).size).toBeGreaterThanOrEqual(2)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(progress.at(-1)).toBe(100)
    expect(snapshots.at(-1)).toEqual(job)
  })

  it("watches a job until it finishes, yielding only changed snapshots", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))
    const seen: Array<string> = []

    for await (const job of client.watchJob(jobId, { pollInterval: 30 })) {
      seen.push(`${job.backgroundJobStatus} ${job.statusInfo?.progressPercentage}`)
    }

    expect(seen.at(-1)).toMatch(/^FINISHED/)
    expect(new Set(seen).size).toBe(seen.length)
    expect(sandbox().counters().requests.job).toBeGreaterThan(seen.length)
  })

  it("ends a watch without an error when the job fails", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(failingRequest(sandbox()))
    const jobs: Array<BackgroundJob> = []

    for await (const job of client.watchJob(jobId, { pollInterval: 30 })) jobs.push(job)

    expect(jobs.at(-1)?.backgroundJobStatus).toBe("FINISHED")
    expect(jobs.at(-1)?.steps?.some((step) => step.result === "FAILED")).toBe(true)
  })

  it("gives the response's status, headers, attempts and duration with withResponse", async () => {
    const client = clientFor(sandbox())
    const started = await client.withResponse.updateWorkingSet(mergeRequest(sandbox()))
    const read = await client.withResponse.getBackgroundJob(started.data.jobId)

    expect(started.response.status).toBe(200)
    expect(started.response.attempts).toBe(1)
    expect(read.data.id).toBe(started.data.jobId)
    expect(read.response.headers["content-type"]).toMatch(/application\/json/)
    expect(read.response.durationMs).toBeGreaterThanOrEqual(0)
  })

  it("authenticates with an API key behind a prefix and with a bearer token", async () => {
    const { apiKey, token } = sandbox().credentials
    const byKey = clientFor(sandbox(), { auth: { apiKey, prefix: "ApiKey" } })
    const byToken = clientFor(sandbox(), { auth: { token } })
    const { jobId } = await byKey.updateWorkingSet(mergeRequest(sandbox()))

    expect((await byToken.getBackgroundJob(jobId)).id).toBe(jobId)
    expect(
      sandbox()
        .requestLog()
        .map((entry) => entry.user),
    ).toEqual(["admin", "admin"])
  })

  it("sends per-call headers on that call only", async () => {
    const sent: Array<Headers> = []
    const client = clientFor(sandbox(), {
      headers: { "x-client": "cbjobs-tests" },
      fetch: (input, init) => {
        sent.push(new Headers(input instanceof Request ? input.headers : init?.headers))

        return fetch(input, init)
      },
    })

    await rejectionOf(client.getBackgroundJob(404404, { headers: { "x-trace-id": "trace-1" } }))
    await rejectionOf(client.getBackgroundJob(404404))

    expect(sent.map((headers) => headers.get("x-trace-id"))).toEqual(["trace-1", null])
    expect(sent.map((headers) => headers.get("x-client"))).toEqual(["cbjobs-tests", "cbjobs-tests"])
  })
})

describe("environment", () => {
  const names = ["CODEBEAMER_URL", "CODEBEAMER_USERNAME", "CODEBEAMER_PASSWORD"] as const

  afterEach(() => {
    for (const name of names) delete process.env[name]
  })

  it("makes a working client from CODEBEAMER_* variables alone", async () => {
    process.env.CODEBEAMER_URL = sandbox().url
    process.env.CODEBEAMER_USERNAME = sandbox().credentials.username
    process.env.CODEBEAMER_PASSWORD = sandbox().credentials.password

    const client = new CodebeamerJobs()

    try {
      const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))

      expect(jobId).toBeGreaterThan(0)
    } finally {
      await client.close()
    }
  })
})

describe("logging", () => {
  it("writes one line per attempt at info, with the failed ones at warn", async () => {
    const { lines, logger } = recordingLogger()
    const client = clientFor(sandbox(), { logger, logLevel: "info", maxRetries: 2 })

    sandbox().faults.status(503, { route: "job" })

    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))

    await client.getBackgroundJob(jobId)

    expect(lines.map((entry) => entry.level)).toEqual(["info", "warn", "info"])
    expect(lines[1]?.line).toMatch(
      /^\[cbjobs\] getBackgroundJob: GET \/v3\/job\/\d+ attempt 1 -> 503 ServerError in \d+ ms, retrying in \d+ ms$/,
    )
    expect(lines[2]?.line).toMatch(/attempt 2 -> 200 in \d+ ms$/)
  })

  it("logs nothing by default, even with a logger", async () => {
    const { lines, logger } = recordingLogger()

    await clientFor(sandbox(), { logger }).updateWorkingSet(mergeRequest(sandbox()))

    expect(lines).toEqual([])
  })

  it("adds the masked settings and each call at debug", async () => {
    const { lines, logger } = recordingLogger()
    const { password } = sandbox().credentials
    const client = clientFor(sandbox(), { logger, logLevel: "debug" })

    await rejectionOf(client.getBackgroundJob(404404))

    const text = lines.map((entry) => entry.line).join("\n")

    expect(text).toContain('"password":"<redacted>"')
    expect(text).toContain("getBackgroundJob(404404) started")
    expect(text).toContain("getBackgroundJob(404404) failed: NotFoundError")
    expect(text).not.toContain(password)
    expect(lines.find((entry) => entry.line.includes("failed:"))?.level).toBe("error")
  })

  it("keeps working when the logger throws", async () => {
    const broken = () => {
      throw new Error("logger down")
    }
    const logger = { error: broken, warn: broken, info: broken, debug: broken }
    const client = clientFor(sandbox(), { logger, logLevel: "debug" })

    expect((await client.updateWorkingSet(mergeRequest(sandbox()))).jobId).toBeGreaterThan(0)
  })
})

describe("closing", () => {
  it("fails later calls at once and closes only once", async () => {
    const client = clientFor(sandbox())

    await client.close()
    await client.close()

    const error = await rejectionOf(client.getBackgroundJob(1))

    expect(error).toBeInstanceOf(CodebeamerError)
    expect((error as Error).message).toMatch(/closed client/)
    expect(sandbox().counters().requests.job).toBe(0)
    expect(client.toJSON().closed).toBe(true)
  })

  it("names the call in the ClientClosedError of every call after close", async () => {
    const client = clientFor(sandbox())
    const request = mergeRequest(sandbox())

    await client.close()

    const errors = [
      await rejectionOf(client.getBackgroundJob(1)),
      await rejectionOf(client.withResponse.updateWorkingSet(request)),
      await rejectionOf(client.waitForJob(1)),
      await rejectionOf(client.updateWorkingSetAndWait(request)),
      await rejectionOf(client.watchJob(1)[Symbol.asyncIterator]().next()),
    ]

    expect(errors.every((error) => error instanceof ClientClosedError)).toBe(true)
    expect(errors.map((error) => (error as Error).name)).toEqual(Array(5).fill("ClientClosedError"))
    expect(errors.map((error) => (error as Error).message.split(" ")[0])).toEqual([
      "getBackgroundJob",
      "updateWorkingSet",
      "waitForJob",
      "updateWorkingSetAndWait",
      "watchJob",
    ])
    expect((errors[0] as Error).message).toBe(
      "getBackgroundJob called on a closed client; make a new CodebeamerJobs to call again",
    )
    expect(sandbox().counters().requests).toEqual({ job: 0, "working-set-update": 0, other: 0 })
  })

  it("ends a call still waiting with AbortError when the client closes", async () => {
    const client = clientFor(sandbox())
    const { jobId } = await client.updateWorkingSet(mergeRequest(sandbox()))
    const waiting = rejectionOf(client.waitForJob(jobId, { pollInterval: 5000 }))

    await new Promise((resolve) => setTimeout(resolve, 100))
    await client.close()

    const error = await waiting

    expect(error).toBeInstanceOf(AbortError)
    expect((error as AbortError).message).toMatch(/client was closed/)
  })

  it("closes at the end of an await using block", async () => {
    let outer: CodebeamerJobs | undefined

    {
      await using client = clientFor(sandbox())
      outer = client
    }

    expect(outer?.toJSON().closed).toBe(true)
  })
})
