import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"
import { describe, expect, it } from "vitest"
import {
  type CodebeamerError,
  NotFound,
  RateLimited,
  ServerError,
  Timeout,
  Transport,
  UnknownOutcome,
} from "../src/Errors.ts"
import {
  defaultGetRetry,
  defaultPostRetry,
  fullJitterBackoff,
  isRetryableGetError,
  isRetryablePostError,
  maxRetries,
  type RetrySchedule,
} from "../src/Retry.ts"

const where = { method: "GET" as const, path: "/v3/job/1", jobId: 1 }
const serverError = new ServerError({ ...where, status: 503 })
const rateLimited = (retryAfterMs: number) =>
  new RateLimited({ ...where, status: 429, retryAfterMs, retryAfterSource: "body" })
const refused = new Transport({ ...where, reason: "refused", mayHaveBeenSent: false })
const reset = new Transport({ ...where, reason: "reset", mayHaveBeenSent: true })

// Feeds errors to a schedule; the delay of each step, or undefined once it stops.
const delays = (schedule: RetrySchedule, errors: ReadonlyArray<CodebeamerError>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const step = yield* Schedule.toStep(schedule)
      const out: Array<number | undefined> = []

      for (const error of errors) {
        out.push(
          yield* step(0, error).pipe(
            Effect.map(([, delay]) => Duration.toMillis(delay)),
            Pull.catchDone(() => Effect.succeed(undefined)),
          ),
        )
      }

      return out
    }),
  )

describe("retry schedules", () => {
  it("retries a GET at most 4 times, with delays under the exponential bound", async () => {
    for (let run = 0; run < 20; run++) {
      const out = await delays(defaultGetRetry, Array(5).fill(serverError))

      expect(out[4]).toBeUndefined()
      out.slice(0, 4).forEach((delay, index) => {
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(250 * 2 ** index)
      })
    }
  })

  it("never retries sooner than a 429 asked", async () => {
    const out = await delays(defaultGetRetry, [rateLimited(3_000), rateLimited(1_500)])

    expect(out[0]).toBeGreaterThanOrEqual(3_000)
    expect(out[1]).toBeGreaterThanOrEqual(1_500)
  })

  it("stops at an error that retrying cannot mend", async () => {
    expect(await delays(defaultGetRetry, [new NotFound({ ...where, status: 404 })])).toEqual([
      undefined,
    ])

    const deadline = new Timeout({ ...where, timeoutMs: 5, scope: "deadline" })
    expect(await delays(defaultGetRetry, [deadline])).toEqual([undefined])
  })

  it("retries a POST only where the server surely did not act", async () => {
    const unknown = new UnknownOutcome({
      method: "POST",
      path: "/v3/jobs/working-set-update",
      request: { source: { id: 1 } },
      reason: "timeout",
      detail: "no response",
    })

    expect(
      (await delays(defaultPostRetry, [rateLimited(10), refused])).every(Number.isFinite),
    ).toBe(true)
    expect(await delays(defaultPostRetry, [reset])).toEqual([undefined])
    expect(await delays(defaultPostRetry, [serverError])).toEqual([undefined])
    expect(await delays(defaultPostRetry, [unknown])).toEqual([undefined])
    expect([isRetryablePostError(refused), isRetryablePostError(reset)]).toEqual([true, false])
    expect([isRetryableGetError(reset), isRetryableGetError(unknown)]).toEqual([true, false])
  })

  it("caps the backoff", async () => {
    const capped = fullJitterBackoff({ base: "1 second", factor: 10, cap: "2 seconds" })
    const out = await delays(capped, Array(6).fill(serverError))

    expect(Math.max(...(out as Array<number>))).toBeLessThan(2_000)
  })

  it("composes: fewer retries on top of the default", async () => {
    const out = await delays(defaultGetRetry.pipe(maxRetries(2)), Array(3).fill(serverError))

    expect(out.map((delay) => delay === undefined)).toEqual([false, false, true])
  })
})
