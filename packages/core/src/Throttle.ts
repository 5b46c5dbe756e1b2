/**
 * The client-side limiter shared by every call made through one client. By default it keeps to
 * Codebeamer's default API throttling: at most 3 requests in any sliding 1-second window and 120
 * in any sliding 60-second window.
 *
 * It stays safe whichever way the server counts: a request holds its place in a window from the
 * moment it is sent until its response arrives plus the window (+1 ms), so a server that counts
 * arrivals, or counts in fixed buckets, never sees more than the limit. After a 429 every caller
 * of the client waits out the server's wait.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** One sliding window: at most `limit` requests within any `window`. */
export interface ThrottleWindow {
  readonly limit: number
  readonly window: Duration.Input
}

/** The windows a client keeps to; all apply at once. */
export interface ThrottlePolicy {
  readonly windows: ReadonlyArray<ThrottleWindow>
}

/**
 * Codebeamer's default API throttling, per user: 3 requests a second and 120 a minute.
 *
 * @example
 * ```ts
 * import { CodebeamerClient, defaultThrottlePolicy } from "@cbjobs/core"
 *
 * // A server whose admin allows twice the default:
 * CodebeamerClient.layer({ baseUrl, auth, throttle: {
 *   windows: defaultThrottlePolicy.windows.map((w) => ({ ...w, limit: w.limit * 2 })),
 * } })
 * ```
 */
export const defaultThrottlePolicy: ThrottlePolicy = {
  windows: [
    { limit: 3, window: "1 second" },
    { limit: 120, window: "1 minute" },
  ],
}

/** Returned by `acquire` when no slot opens before the deadline. */
export const DeadlineReached: unique symbol = Symbol.for("@cbjobs/core/Throttle/DeadlineReached")

/** The limiter of one client. */
export interface Throttle {
  /**
   * Waits for a slot, or fails with {@link DeadlineReached} when none opens before `deadlineAt`
   * (epoch ms). Waiting is done inside `restore`, so call it in `Effect.uninterruptibleMask` and
   * register `release` right after it succeeds: a granted slot is then never lost.
   */
  readonly acquire: (
    restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
    deadlineAt: number | undefined,
  ) => Effect.Effect<void, typeof DeadlineReached>
  /** Frees a slot whose response arrived (or whose request ended) at `endedAt` (epoch ms). */
  readonly release: (endedAt: number) => void
  /** Holds every caller until `until` (epoch ms), after a 429. */
  readonly pauseUntil: (until: number) => void
  /** How long a request made at `now` would wait, in ms (`Infinity`: until a response). */
  readonly waitMs: (now: number) => number
  /** The number of requests sent and not yet answered. */
  readonly inFlight: () => number
  /** Until when (epoch ms) a 429 holds every caller; 0 when it never did. */
  readonly pausedUntil: () => number
}

interface Window {
  readonly limit: number
  readonly millis: number
}

const toWindows = (policy: ThrottlePolicy | false): ReadonlyArray<Window> =>
  policy === false
    ? []
    : policy.windows.map((window) => ({
        limit: window.limit,
        millis: Duration.toMillis(Duration.fromInputUnsafe(window.window)),
      }))

/**
 * Makes the limiter for one client. With `false` no window applies, but the pause after a 429
 * still does.
 */
export const makeThrottle = (policy: ThrottlePolicy | false): Throttle => {
  const windows = toWindows(policy)
  const longest = windows.reduce((max, window) => Math.max(max, window.millis), 0)
  const keep = windows.reduce((max, window) => Math.max(max, window.limit), 0)

  // End times of answered requests, ascending (time only moves forward), from index `first`.
  let ends: Array<number> = []
  let first = 0
  let inFlight = 0
  let pausedUntil = 0
  const queue: Array<object> = []
  let changed = Deferred.makeUnsafe<void>()

  const notify = () => {
    const previous = changed
    changed = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(previous, Effect.void)
  }

  const prune = (now: number) => {
    while (first < ends.length && (ends.length - first > keep || ends[first]! + longest < now)) {
      first++
    }

    if (first > 1024 && first * 2 > ends.length) {
      ends = ends.slice(first)
      first = 0
    }
  }

  const waitMs = (now: number): number => {
    prune(now)

    let wait = Math.max(0, pausedUntil - now)

    for (const window of windows) {
      if (inFlight >= window.limit) {
        return Number.POSITIVE_INFINITY
      }

      // At most `allowed` answered requests may end within the window before the new one.
      const allowed = window.limit - 1 - inFlight
      const index = ends.length - 1 - allowed

      if (index >= first) {
        wait = Math.max(wait, ends[index]! + window.millis + 1 - now)
      }
    }

    return wait
  }

  const waitForChange = (millis: number): Effect.Effect<void> =>
    Number.isFinite(millis)
      ? Effect.asVoid(Effect.timeoutOption(Deferred.await(changed), Math.max(1, millis)))
      : Deferred.await(changed)

  const queued = (
    ticket: object,
    restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
    deadlineAt: number | undefined,
  ): Effect.Effect<void, typeof DeadlineReached> =>
    Effect.clockWith((clock) => {
      const loop: Effect.Effect<void, typeof DeadlineReached> = Effect.suspend(() => {
        const now = clock.currentTimeMillisUnsafe()
        const left = deadlineAt === undefined ? Number.POSITIVE_INFINITY : deadlineAt - now

        if (queue[0] !== ticket) {
          return left <= 0
            ? Effect.fail(DeadlineReached)
            : Effect.flatMap(restore(waitForChange(left)), () => loop)
        }

        const wait = waitMs(now)

        if (wait === 0) {
          queue.shift()
          inFlight++
          notify()
          return Effect.void
        }

        // A known wait past the deadline fails now rather than after sleeping.
        if (left <= 0 || (Number.isFinite(wait) && wait >= left)) {
          return Effect.fail(DeadlineReached)
        }

        return Effect.flatMap(restore(waitForChange(Math.min(wait, left))), () => loop)
      })

      return Effect.onExit(loop, () =>
        Effect.sync(() => {
          const index = queue.indexOf(ticket)

          if (index !== -1) {
            queue.splice(index, 1)
            notify()
          }
        }),
      )
    })

  return {
    acquire: (restore, deadlineAt) =>
      Effect.clockWith((clock) => {
        if (queue.length === 0 && waitMs(clock.currentTimeMillisUnsafe()) === 0) {
          inFlight++
          return Effect.void
        }

        const ticket = {}
        queue.push(ticket)

        return queued(ticket, restore, deadlineAt)
      }),
    release: (endedAt) => {
      inFlight--

      const last = ends.length > first ? ends[ends.length - 1]! : endedAt
      ends.push(Math.max(last, endedAt))

      if (queue.length > 0) {
        notify()
      }
    },
    pauseUntil: (until) => {
      pausedUntil = Math.max(pausedUntil, until)
    },
    waitMs,
    inFlight: () => inFlight,
    pausedUntil: () => pausedUntil,
  }
}
