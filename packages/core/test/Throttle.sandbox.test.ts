import { type SandboxHandle, startSandbox } from "@cbjobs/sandbox"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodebeamerClient, getBackgroundJob, maxRetries, updateWorkingSet } from "../src/index.ts"
import { adminLayer, quickRetries, releaseIntoDefault } from "./support.ts"

let sandbox: SandboxHandle
const arrivals: Array<{ readonly at: number; readonly status: number }> = []

beforeAll(async () => {
  sandbox = await startSandbox({
    jobDurationMs: 60_000,
    onRequest: (entry) => arrivals.push({ at: Date.now(), status: entry.status }),
  })
})

afterAll(async () => {
  await sandbox.close()
})

const reset = (throttle: { perSecond: number; perMinute: number } | false) => {
  sandbox.reset()
  sandbox.setThrottle(throttle)
  arrivals.length = 0
}

describe("the shared throttle against the sandbox", () => {
  it("draws no 429 from a burst of 50 calls under the default policy", async () => {
    reset({ perSecond: 3, perMinute: 120 })
    const layer = CodebeamerClient.layer({
      baseUrl: sandbox.url,
      auth: { type: "apiKey", apiKey: Redacted.make(sandbox.credentials.apiKey) },
    })
    const statuses = await Effect.runPromise(
      Effect.forEach(
        Array.from({ length: 50 }, (_, index) => index),
        (index) =>
          Effect.match(getBackgroundJob(1_000 + index), {
            onFailure: (error) => error._tag,
            onSuccess: () => "found",
          }),
        { concurrency: "unbounded" },
      ).pipe(Effect.provide(layer)),
    )

    expect(statuses).toEqual(Array(50).fill("NotFound"))
    expect(sandbox.counters().requests.job).toBe(50)
    expect(arrivals.filter((arrival) => arrival.status === 429)).toHaveLength(0)
  }, 40_000)

  it("keeps to a custom policy on both sides without a 429", async () => {
    reset({ perSecond: 10, perMinute: 40 })
    const layer = adminLayer(sandbox, {
      throttle: {
        windows: [
          { limit: 10, window: "1 second" },
          { limit: 40, window: "1 minute" },
        ],
      },
    })
    const started = Date.now()
    await Effect.runPromise(
      Effect.forEach(Array.from({ length: 25 }), () => Effect.ignore(getBackgroundJob(424_242)), {
        concurrency: "unbounded",
      }).pipe(Effect.provide(layer)),
    )

    expect(arrivals.filter((arrival) => arrival.status === 429)).toHaveLength(0)
    expect(arrivals).toHaveLength(25)
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000)
  }, 20_000)

  it("holds every caller of the client after a 429, not only the one that got it", async () => {
    reset(false)
    sandbox.faults.status(429, { route: "job", retryAfterSecond: 1 })
    let limitedAt = 0
    const layer = adminLayer(sandbox, {
      retry: false,
      hooks: {
        onAttempt: (event) => {
          if (event.status === 429) limitedAt = Date.now()
        },
      },
    })

    await Effect.runPromise(
      Effect.gen(function* () {
        const first = yield* Effect.flip(getBackgroundJob(1))
        expect(first._tag).toBe("RateLimited")
        yield* Effect.ignore(getBackgroundJob(2))
      }).pipe(Effect.provide(layer)),
    )

    expect(arrivals).toHaveLength(2)
    expect(arrivals[1]!.at - limitedAt).toBeGreaterThanOrEqual(950)
  })
})

type Fault =
  | { readonly kind: "status"; readonly status: 429 | 500 | 502 | 503 }
  | { readonly kind: "destroy"; readonly when: "before" | "after" }
  | { readonly kind: "body"; readonly body: "malformed" | "truncated" | "html-login" }
  | { readonly kind: "slow" }

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant("status"), status: fc.constantFrom(429, 500, 502, 503) }),
  fc.record({ kind: fc.constant("destroy"), when: fc.constantFrom("before", "after") }),
  fc.record({
    kind: fc.constant("body"),
    body: fc.constantFrom("malformed", "truncated", "html-login"),
  }),
  fc.record({ kind: fc.constant("slow") }),
) as fc.Arbitrary<Fault>

// Errors after which the server surely did not act.
const untouched: ReadonlySet<string> = new Set(["RateLimited", "Transport", "Timeout"])

describe("working-set updates under faults", () => {
  it("never starts two jobs from one updateWorkingSet call, whatever the faults", async () => {
    // A schedule that would retry any error: the client alone must refuse the unsafe retries.
    const retryAnything = Schedule.spaced("5 millis").pipe(maxRetries(4))
    const layer = adminLayer(sandbox, {
      timeout: 80,
      retry: { get: quickRetries.get, post: retryAnything },
    })

    await fc.assert(
      fc.asyncProperty(fc.array(fault, { maxLength: 4 }), async (faults) => {
        reset(false)

        for (const item of faults) {
          const route = { route: "working-set-update" as const }

          if (item.kind === "status")
            sandbox.faults.status(item.status, { ...route, retryAfterSecond: 0 })
          if (item.kind === "destroy") sandbox.faults.destroy(item.when, route)
          if (item.kind === "body") sandbox.faults.body(item.body, route)
          if (item.kind === "slow") sandbox.faults.latency(200)
        }

        const exit = await Effect.runPromiseExit(
          updateWorkingSet(releaseIntoDefault).pipe(Effect.provide(layer)),
        )
        await new Promise((resolve) => setTimeout(resolve, 20))
        const { jobsCreated } = sandbox.counters()

        expect(jobsCreated).toBeLessThanOrEqual(1)

        if (Exit.isSuccess(exit)) {
          expect(jobsCreated).toBe(1)
        } else {
          const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
          const tag = (error?._tag === "Fail" ? error.error : undefined)?._tag

          if (tag !== undefined && untouched.has(tag)) expect(jobsCreated).toBe(0)
        }
      }),
      { numRuns: 30 },
    )
  }, 40_000)
})
