import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SandboxHandle, startSandbox } from "../src/index.ts"
import { manualClock, readJob, send, startJob } from "./support.ts"

type Step = { id: number; name: string; status: string; result?: string; resultMessage?: string }

const summary = (job: Record<string, unknown>) => {
  const info = job.statusInfo as { progressPercentage: number; stepInProgress?: string }

  return {
    status: job.backgroundJobStatus,
    progress: info.progressPercentage,
    step: info.stepInProgress,
    finished: "finishedAt" in job,
  }
}

describe("the life of a job on a hand-driven clock", () => {
  const clock = manualClock()
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({
      jobDurationMs: 1_000,
      throttle: false,
      retentionMs: 5_000,
      ...clock,
    })
  })

  afterAll(() => sandbox.close())

  it("goes NEW, IN_PROGRESS step by step with weighted progress, then FINISHED", async () => {
    const jobId = await startJob(sandbox)
    const seen = []
    let previous = 0

    // Steps run from 100 ms to 1000 ms, weighted 10/30/50/10: they end at 190, 460, 910, 1000.
    for (const at of [0, 99, 100, 189, 190, 459, 460, 909, 910, 999, 1_000]) {
      clock.advance(at - previous)
      previous = at
      seen.push(summary((await readJob(sandbox, jobId)).job))
    }

    expect(seen).toEqual([
      { status: "NEW", progress: 0, step: undefined, finished: false },
      { status: "NEW", progress: 0, step: undefined, finished: false },
      { status: "IN_PROGRESS", progress: 0, step: "Validate working sets", finished: false },
      { status: "IN_PROGRESS", progress: 0, step: "Validate working sets", finished: false },
      { status: "IN_PROGRESS", progress: 10, step: "Collect source items", finished: false },
      { status: "IN_PROGRESS", progress: 10, step: "Collect source items", finished: false },
      { status: "IN_PROGRESS", progress: 40, step: "Replace target trackers", finished: false },
      { status: "IN_PROGRESS", progress: 40, step: "Replace target trackers", finished: false },
      { status: "IN_PROGRESS", progress: 90, step: "Update references", finished: false },
      { status: "IN_PROGRESS", progress: 90, step: "Update references", finished: false },
      { status: "FINISHED", progress: 100, step: undefined, finished: true },
    ])
  })

  it("reports each step's status while running and status and result once finished", async () => {
    const jobId = await startJob(sandbox)

    clock.advance(500)

    const running = (await readJob(sandbox, jobId)).job.steps as Array<Step>

    clock.advance(500)

    const { job } = await readJob(sandbox, jobId)
    const finished = job.steps as Array<Step>

    expect(running.map((step) => [step.status, step.result])).toEqual([
      ["FINISHED", "SUCCESSFUL"],
      ["FINISHED", "SUCCESSFUL"],
      ["IN_PROGRESS", undefined],
      ["NEW", undefined],
    ])
    expect(finished.every((step) => step.status === "FINISHED")).toBe(true)
    expect(finished.every((step) => step.result === "SUCCESSFUL")).toBe(true)
    expect(Date.parse(String(job.finishedAt)) - Date.parse(String(job.createdAt))).toBe(1_000)
  })

  it("names the working sets and the submitter", async () => {
    const jobId = await startJob(sandbox, { target: { id: 2003 } })
    const { job } = await readJob(sandbox, jobId)

    expect(job.description).toBe(
      'Update Working-Set "Hotfix 2.0.1" (2003) from "Default Working-Set" (2001)',
    )
    expect(job.backgroundJobType).toBe("WORKING_SET_UPDATE")
    expect(job.submittedBy).toMatchObject({ id: 1, name: "admin", type: "UserReference" })
  })

  it("starts a new job for every accepted POST", async () => {
    const before = sandbox.counters().jobsCreated
    const first = await startJob(sandbox)
    const second = await startJob(sandbox)

    expect(second).toBe(first + 1)
    expect(sandbox.counters().jobsCreated).toBe(before + 2)
  })

  it("forgets a finished job after the retention and keeps a running one", async () => {
    const finishing = await startJob(sandbox)

    clock.advance(1_000)

    const running = await startJob(sandbox, { source: { id: 1003 } })

    clock.advance(4_999)

    const kept = await readJob(sandbox, finishing)

    clock.advance(1)

    const gone = await readJob(sandbox, finishing)

    expect(kept.status).toBe(200)
    expect(gone.status).toBe(404)
    expect(gone.job.message).toBe(`Job ${finishing} not found`)
    expect((await readJob(sandbox, running)).status).toBe(200)
  })
})

describe("failing jobs", () => {
  const clock = manualClock()
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ jobDurationMs: 1_000, throttle: false, ...clock })
  })

  afterAll(() => sandbox.close())

  it("fails the job that lists the seed's failing tracker", async () => {
    const { trackerId } = sandbox.seed.failing
    const jobId = await startJob(sandbox, {
      source: { id: 1002 },
      trackers: [{ tracker: { id: 3101 } }, { tracker: { id: trackerId } }],
    })

    clock.advance(909)

    const before = await readJob(sandbox, jobId)

    clock.advance(1)

    const { job } = await readJob(sandbox, jobId)
    const steps = job.steps as Array<Step>

    expect(before.job.backgroundJobStatus).toBe("IN_PROGRESS")
    expect(job.backgroundJobStatus).toBe("FINISHED")
    expect(job.finishedAt).toBeDefined()
    expect(steps[2]).toMatchObject({ status: "FINISHED", result: "FAILED" })
    expect(steps[2]!.resultMessage).toContain(`Tracker ${trackerId} (Legacy Import)`)
    expect(steps[3]).toEqual({ id: 4, name: "Update references", status: "NEW" })
    expect(summary(job).progress).toBe(90)
  })

  it("fails the job whose tracker carries the seed's failing cbql", async () => {
    const jobId = await startJob(sandbox, {
      target: { id: 2002 },
      trackers: [{ tracker: { id: 3202 }, cbql: ` ${sandbox.seed.failing.cbql} ` }],
    })

    clock.advance(1_000)

    const steps = (await readJob(sandbox, jobId)).job.steps as Array<Step>
    const failed = steps.filter((step) => step.result === "FAILED")

    expect(failed).toHaveLength(1)
    expect(failed[0]!.resultMessage).toContain("cbql of tracker 3202")
  })

  it("does not fail a job for another cbql", async () => {
    const jobId = await startJob(sandbox, {
      source: { id: 1002 },
      trackers: [{ tracker: { id: 3101 }, cbql: "summary LIKE '%ok%'" }],
    })

    clock.advance(1_000)

    const steps = (await readJob(sandbox, jobId)).job.steps as Array<Step>

    expect(steps.map((step) => step.result)).toEqual(Array(4).fill("SUCCESSFUL"))
    expect(steps[2]!.resultMessage).toBe("Replaced 1 tracker(s)")
  })
})

describe("date-time styles", () => {
  const start = Date.parse("2026-12-03T10:53:49.963Z")

  const finishedJob = async (dates: "offset" | "local" | "mixed") => {
    const clock = manualClock(start)
    const sandbox = await startSandbox({ dates, jobDurationMs: 1_000, throttle: false, ...clock })

    try {
      const jobId = await startJob(sandbox)

      clock.advance(1_000)

      return (await readJob(sandbox, jobId)).job
    } finally {
      await sandbox.close()
    }
  }

  it("writes offsets in the offset style", async () => {
    const job = await finishedJob("offset")

    expect(job.createdAt).toBe("2026-12-03T11:53:49.963+01:00")
    expect(job.finishedAt).toBe("2026-12-03T11:53:50.963+01:00")
    expect(Date.parse(String(job.createdAt))).toBe(start)
  })

  it("writes UTC wall time without an offset in the local style", async () => {
    const job = await finishedJob("local")

    expect(job.createdAt).toBe("2026-12-03T10:53:49.963")
    expect(job.finishedAt).toBe("2026-12-03T10:53:50.963")
  })

  it("mixes both in the mixed style", async () => {
    const job = await finishedJob("mixed")

    expect(job.createdAt).toBe("2026-12-03T11:53:49.963+01:00")
    expect(job.finishedAt).toBe("2026-12-03T10:53:50.963")
  })
})

describe("jobs over real time", () => {
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ jobDurationMs: 300, throttle: false })
  })

  afterAll(() => sandbox.close())

  it("finishes a 300 ms job no sooner than 300 ms, with its statuses in order", async () => {
    const startedAt = performance.now()
    const jobId = await startJob(sandbox)
    const statuses: Array<unknown> = []

    for (let poll = 0; poll < 200; poll += 1) {
      const { job } = await readJob(sandbox, jobId)

      statuses.push(job.backgroundJobStatus)

      if (job.backgroundJobStatus === "FINISHED") break

      await new Promise((resolve) => setTimeout(resolve, 20))
    }

    const order = ["NEW", "IN_PROGRESS", "FINISHED"]
    const ranks = statuses.map((status) => order.indexOf(String(status)))

    expect(statuses.at(-1)).toBe("FINISHED")
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(300)
    expect(ranks).not.toContain(-1)
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
  })

  it("finishes a job at once when the duration is zero", async () => {
    const instant = await startSandbox({ jobDurationMs: 0, throttle: false })

    try {
      const jobId = await startJob(instant)

      expect(summary((await readJob(instant, jobId)).job)).toEqual({
        status: "FINISHED",
        progress: 100,
        step: undefined,
        finished: true,
      })
    } finally {
      await instant.close()
    }
  })
})

describe("the GET path", () => {
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ throttle: false })
  })

  afterAll(() => sandbox.close())

  it.each(["abc", "1.5", "-1", "2147483648"])(
    "answers job id %s with 400 naming jobId",
    async (id) => {
      const received = await send(sandbox, { path: `/v3/job/${id}` })

      expect(received.status).toBe(400)
      expect(JSON.parse(received.text).message).toContain("'jobId'")
    },
  )
})
