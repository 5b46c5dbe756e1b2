import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import {
  DeadlineReached,
  defaultThrottlePolicy,
  makeThrottle,
  type Throttle,
} from "../src/Throttle.ts"

const run = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.provide(effect, TestClock.layer()))

const now = Effect.clockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))

// One request: waits for a slot, is answered `latencyMs` later, and reports when it was sent.
const request = (throttle: Throttle, latencyMs = 0, deadlineAt?: number) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(throttle.acquire(restore, deadlineAt), () =>
      Effect.flatMap(now, (sentAt) =>
        restore(Effect.sleep(latencyMs)).pipe(
          Effect.flatMap(() => now),
          Effect.map((endedAt) => {
            throttle.release(endedAt)
            return sentAt
          }),
        ),
      ),
    ),
  )

// Lets every forked fiber run up to its next sleep.
const settle = Effect.flatMap(Effect.yieldNow, () => TestClock.adjust(0))

describe("Throttle", () => {
  it("lets 3 requests through at once and the 4th a second after the first answer", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle(defaultThrottlePolicy)
        const fibers = yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7], () =>
          Effect.forkChild(request(throttle)),
        )
        yield* settle

        for (let step = 0; step < 25; step++) {
          yield* TestClock.adjust(100)
        }

        const sentAt = yield* Fiber.joinAll(fibers)

        expect(sentAt).toEqual([0, 0, 0, 1001, 1001, 1001, 2002])
      }),
    ))

  it("keeps 120 a minute even when each second allows 3", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle(defaultThrottlePolicy)
        const sequence = yield* Effect.forkChild(
          Effect.forEach(Array.from({ length: 121 }), () => request(throttle)),
        )
        yield* settle

        for (let step = 0; step < 700; step++) {
          yield* TestClock.adjust(100)
        }

        const sent = yield* Fiber.join(sequence)

        // 40 bursts of 3 fill the minute; the 121st waits for the first to leave it.
        expect(sent[119]).toBe(39 * 1001)
        expect(sent[120]).toBe(60_001)
      }),
    ))

  it("holds a place from sending until the answer plus the window", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle({ windows: [{ limit: 1, window: "1 second" }] })
        const first = yield* Effect.forkChild(request(throttle, 400))
        const second = yield* Effect.forkChild(request(throttle))
        yield* settle
        yield* TestClock.adjust(2_000)

        expect(yield* Fiber.join(first)).toBe(0)
        expect(yield* Fiber.join(second)).toBe(1_401)
      }),
    ))

  it("holds every caller after a 429 until the server's wait is over", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle(false)
        throttle.pauseUntil(2_500)
        const fibers = yield* Effect.forEach([1, 2], () => Effect.forkChild(request(throttle)))
        yield* settle
        yield* TestClock.adjust(3_000)

        expect(yield* Fiber.joinAll(fibers)).toEqual([2_500, 2_500])
      }),
    ))

  it("fails at once when no slot opens before the deadline", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle(false)
        throttle.pauseUntil(5_000)
        const result = yield* Effect.flip(request(throttle, 0, 1_000))

        expect(result).toBe(DeadlineReached)
        expect(yield* now).toBe(0)
      }),
    ))

  it("gives the slot of an interrupted waiter to the next one", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle({ windows: [{ limit: 1, window: "1 second" }] })
        yield* request(throttle)
        const interrupted = yield* Effect.forkChild(request(throttle))
        const next = yield* Effect.forkChild(request(throttle))
        yield* settle
        yield* Fiber.interrupt(interrupted)
        yield* TestClock.adjust(1_500)

        expect(yield* Fiber.join(next)).toBe(1_001)
        expect(throttle.inFlight()).toBe(0)
      }),
    ))

  it("serves waiters first come, first served", () =>
    run(
      Effect.gen(function* () {
        const throttle = makeThrottle({ windows: [{ limit: 1, window: "100 millis" }] })
        const order: Array<number> = []
        const fibers = yield* Effect.forEach([0, 1, 2, 3, 4], (index) =>
          Effect.forkChild(
            Effect.tap(request(throttle), () => Effect.sync(() => order.push(index))),
          ),
        )
        yield* settle
        yield* TestClock.adjust(1_000)
        yield* Fiber.joinAll(fibers)

        expect(order).toEqual([0, 1, 2, 3, 4])
      }),
    ))
})
