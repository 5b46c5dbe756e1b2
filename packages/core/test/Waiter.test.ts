import { type SandboxHandle, startSandbox } from "@cbjobs/sandbox"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  type BackgroundJob,
  CodebeamerClient,
  type CodebeamerError,
  jobProgress,
  updateWorkingSet,
  updateWorkingSetAndWait,
  waitForJob,
  watchJob,
} from "../src/index.ts"
import { adminLayer, releaseIntoDefault, run, runError } from "./support.ts"

// The sandbox follows real time in the first block; in the second its clock stands still, so
// a job never changes while the waiter runs on the TestClock. Polls are timed on the TestClock.
let frozenNow = Date.now()
let followRealTime = true
let testTime = 0
let sandbox: SandboxHandle
const requestTimes: Array<number> = []

beforeAll(async () => {
  sandbox = await startSandbox({
    throttle: false,
    jobDurationMs: 800,
    now: () => (followRealTime ? Date.now() : frozenNow),
    onRequest: (entry) => {
      if (entry.route === "job") requestTimes.push(testTime)
    },
  })
})

afterAll(async () => {
  await sandbox.close()
})

beforeEach(() => {
  sandbox.reset()
  requestTimes.length = 0
  followRealTime = true
})

const failing = () => ({
  ...releaseIntoDefault,
  trackers: [{ tracker: { id: sandbox.seed.failing.trackerId } }],
})

describe("waiting in real time", () => {
  it("succeeds with the finished job and reports each change once", async () => {
    const { jobId } = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))
    const seen: Array<BackgroundJob> = []
    const job = await run(
      waitForJob(jobId, { pollInterval: 50, onProgress: (snapshot) => seen.push(snapshot) }),
      adminLayer(sandbox),
    )

    expect(job.backgroundJobStatus).toBe("FINISHED")
    expect(seen.at(-1)).toEqual(job)
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(seen.map(jobProgress)).toEqual([...seen.map(jobProgress)].sort((a, b) => a - b))
    expect(sandbox.counters().requests.job).toBeGreaterThan(seen.length - 1)
  })

  it("fails with JobFailed carrying the failed step and its message", async () => {
    const error = await runError(
      updateWorkingSetAndWait(failing(), { pollInterval: 50 }),
      adminLayer(sandbox),
    )

    expect((error as CodebeamerError)._tag).toBe("JobFailed")
    if ((error as CodebeamerError)._tag !== "JobFailed") return

    const failed = error as Extract<CodebeamerError, { _tag: "JobFailed" }>
    expect(failed.failedSteps).toHaveLength(1)
    expect(failed.failedSteps[0]?.resultMessage).toMatch(/could not be replaced/)
    expect(failed.job.backgroundJobStatus).toBe("FINISHED")
    expect(failed.message).toMatch(new RegExp(`^job ${failed.jobId} failed: `))
    expect(sandbox.counters().jobsCreated).toBe(1)
  })

  it("starts a job and waits for it", async () => {
    const job = await run(
      updateWorkingSetAndWait(releaseIntoDefault, { pollInterval: 50 }),
      adminLayer(sandbox),
    )

    expect(job.backgroundJobStatus).toBe("FINISHED")
    expect(sandbox.counters().jobsCreated).toBe(1)
  })

  it("streams the first snapshot and each change, ending after FINISHED", async () => {
    const { jobId } = await run(updateWorkingSet(failing()), adminLayer(sandbox))
    const snapshots = await run(
      Stream.runCollect(watchJob(jobId, { pollInterval: 30, pollFactor: 1 })),
      adminLayer(sandbox),
    )
    const keys = snapshots.map((job) => {
      const info = job.statusInfo

      return `${job.backgroundJobStatus} ${info?.progressPercentage} ${info?.stepInProgress}`
    })

    expect(snapshots.at(-1)?.backgroundJobStatus).toBe("FINISHED")
    expect(snapshots.filter((job) => job.backgroundJobStatus === "FINISHED")).toHaveLength(1)
    expect(new Set(keys).size).toBe(keys.length)
    expect(sandbox.counters().requests.job).toBeGreaterThan(snapshots.length)
  })

  it("passes on the errors of the GET", async () => {
    const error = await runError(waitForJob(99_999), adminLayer(sandbox))

    expect((error as CodebeamerError)._tag).toBe("NotFound")
  })

  it("fails with WaitTimeout at maxWait on the real clock, with the last snapshot", async () => {
    const { jobId } = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))
    const startedAt = Date.now()
    const error = await runError(
      waitForJob(jobId, { pollInterval: "10 seconds", maxWait: 300 }),
      adminLayer(sandbox),
    )

    expect(error).toMatchObject({ _tag: "WaitTimeout", jobId, maxWaitMs: 300 })
    expect((error as { lastJob?: BackgroundJob }).lastJob?.id).toBe(jobId)
    expect(Date.now() - startedAt).toBeLessThan(5_000)
  })

  it("stops polling once a sleeping waiter is interrupted", async () => {
    const { jobId } = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))
    const [afterInterrupt, later] = await run(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(waitForJob(jobId, { pollInterval: 150 }))
        yield* Effect.sleep(50)
        yield* Fiber.interrupt(fiber)
        const afterInterrupt = sandbox.counters().requests.job
        yield* Effect.sleep(400)

        return [afterInterrupt, sandbox.counters().requests.job] as const
      }),
      adminLayer(sandbox),
    )

    expect(afterInterrupt).toBe(1)
    expect(later).toBe(1)
  })

  it("rejects an invalid option before polling", async () => {
    const error = await runError(waitForJob(1, { pollFactor: 0.5 }), adminLayer(sandbox))

    expect(error).toMatchObject({ _tag: "InvalidRequest", field: "options.pollFactor" })
    expect(sandbox.counters().requests.job).toBe(0)
  })
})

// Runs a waiter on the TestClock: advances it in steps and lets each poll's real HTTP round
// trip finish before the next step.
const onTestClock = <A, E>(
  stepMs: number,
  steps: number,
  waiter: Effect.Effect<A, E, CodebeamerClient>,
) =>
  Effect.gen(function* () {
    const client = yield* CodebeamerClient
    const fiber = yield* Effect.forkChild(waiter)
    const settle = Effect.gen(function* () {
      yield* TestClock.withLive(Effect.sleep(3))

      for (let wait = 0; wait < 400 && client.throttle.inFlight() > 0; wait++) {
        yield* TestClock.withLive(Effect.sleep(5))
      }
    })

    testTime = 0
    yield* settle

    for (let step = 0; step < steps && fiber.pollUnsafe() === undefined; step++) {
      testTime += stepMs
      yield* TestClock.adjust(stepMs)
      yield* settle
    }

    return yield* Effect.exit(Fiber.join(fiber))
  }).pipe(Effect.provide(TestClock.layer()))

describe("waiting on the TestClock", () => {
  const startFrozenJob = async () => {
    followRealTime = false
    frozenNow = Date.now()
    const { jobId } = await run(updateWorkingSet(releaseIntoDefault), adminLayer(sandbox))
    requestTimes.length = 0

    return jobId
  }

  it("polls after 500 ms, then 1.5 times longer each time, at most every 5 s", async () => {
    const jobId = await startFrozenJob()
    const exit = await run(
      onTestClock(100, 260, Effect.timeout(waitForJob(jobId), "25 seconds")),
      adminLayer(sandbox),
    )

    const gaps = requestTimes.slice(1).map((at, index) => at - requestTimes[index]!)
    const expected = [500, 750, 1125, 1687.5, 2531.25, 3796.875, 5000, 5000]

    expect(exit._tag).toBe("Failure")
    expect(requestTimes[0]).toBe(0)
    expect(gaps.length).toBeGreaterThanOrEqual(expected.length)
    expected.forEach((delay, index) => {
      expect(gaps[index]).toBeGreaterThanOrEqual(delay)
      expect(gaps[index]).toBeLessThanOrEqual(delay + 100)
    })
  })

  it("fails with JobStalled when nothing changes for stallAfter", async () => {
    const jobId = await startFrozenJob()
    const exit = await run(
      onTestClock(500, 200, waitForJob(jobId, { stallAfter: "1 minute" })),
      adminLayer(sandbox),
    )

    expect(exit._tag).toBe("Failure")
    const error = exit._tag === "Failure" ? exit.cause.reasons[0] : undefined
    const stalled = error?._tag === "Fail" ? error.error : undefined

    expect(stalled).toMatchObject({ _tag: "JobStalled", jobId, stallAfterMs: 60_000 })
    expect(testTime).toBeGreaterThanOrEqual(60_000)
    expect(testTime).toBeLessThanOrEqual(61_000)
    expect((stalled as { lastJob?: BackgroundJob }).lastJob?.id).toBe(jobId)
  })

  it("fails with WaitTimeout after maxWait, with the last snapshot", async () => {
    const jobId = await startFrozenJob()
    const exit = await run(
      onTestClock(500, 200, waitForJob(jobId, { maxWait: "30 seconds" })),
      adminLayer(sandbox),
    )
    const reason = exit._tag === "Failure" ? exit.cause.reasons[0] : undefined
    const timeout = reason?._tag === "Fail" ? reason.error : undefined

    expect(timeout).toMatchObject({ _tag: "WaitTimeout", jobId, maxWaitMs: 30_000 })
    expect(testTime).toBe(30_000)
    expect((timeout as { lastJob?: BackgroundJob }).lastJob?.id).toBe(jobId)
  })
})
