/**
 * Retry policies as composable Schedules. A schedule's input is the error of the failed attempt;
 * its delay is the wait before the next one. A user schedule replaces the default entirely, but
 * two rules hold whatever it says: a POST is never retried where the server may have acted on
 * it, and no retry starts past the operation's deadline.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { CodebeamerError } from "./Errors.ts"

/** A retry policy: a schedule fed the error of each failed attempt. */
export type RetrySchedule = Schedule.Schedule<unknown, CodebeamerError>

/**
 * Whether an error of the GET is worth retrying: 429, 5xx, a network failure or a per-attempt
 * timeout. Not a passed deadline, nor 4xx, nor a decode error.
 */
export const isRetryableGetError = (error: CodebeamerError): boolean => {
  switch (error._tag) {
    case "RateLimited":
    case "ServerError":
    case "Transport":
      return true
    case "Timeout":
      return error.scope === "attempt"
    default:
      return false
  }
}

/**
 * Whether an error of the POST is safe to retry: only where the server surely did not act, a 429
 * or a connection that failed before the request was sent (refused, DNS).
 */
export const isRetryablePostError = (error: CodebeamerError): boolean =>
  error._tag === "RateLimited" || (error._tag === "Transport" && !error.mayHaveBeenSent)

/** Options of {@link fullJitterBackoff}. */
export interface BackoffOptions {
  /** The first delay before jitter; default 250 ms. */
  readonly base?: Duration.Input
  /** The growth per attempt; default 2. */
  readonly factor?: number
  /** The largest delay before jitter; default 10 s. */
  readonly cap?: Duration.Input
}

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(cap, base *
 * factor^(n-1))). Spreads the retries of many clients instead of bunching them.
 */
export const fullJitterBackoff = (
  options: BackoffOptions = {},
): Schedule.Schedule<Duration.Duration> => {
  const capMillis = Duration.toMillis(Duration.fromInputUnsafe(options.cap ?? "10 seconds"))

  return Schedule.exponential(options.base ?? "250 millis", options.factor ?? 2).pipe(
    Schedule.modifyDelay(({ duration }) =>
      Effect.map(Random.next, (random) =>
        Duration.millis(Math.floor(random * Math.min(capMillis, Duration.toMillis(duration)))),
      ),
    ),
  )
}

/** Keeps a schedule going only while `predicate` holds for the error. */
export const retryWhile =
  (predicate: (error: CodebeamerError) => boolean) =>
  <Output, Error, Env>(
    self: Schedule.Schedule<Output, CodebeamerError, Error, Env>,
  ): Schedule.Schedule<Output, CodebeamerError, Error, Env> =>
    Schedule.while(self, ({ input }) => predicate(input))

/** Never retries sooner than a 429 asked: the delay is at least the server's wait. */
export const atLeastServerWait = <Output, Error, Env>(
  self: Schedule.Schedule<Output, CodebeamerError, Error, Env>,
): Schedule.Schedule<Output, CodebeamerError, Error, Env> =>
  Schedule.modifyDelay(self, ({ input, duration }) =>
    Effect.succeed(
      input._tag === "RateLimited"
        ? Duration.max(duration, Duration.millis(input.retryAfterMs))
        : duration,
    ),
  )

/** Limits a schedule to `times` retries. */
export const maxRetries =
  (times: number) =>
  <Output, Input, Error, Env>(
    self: Schedule.Schedule<Output, Input, Error, Env>,
  ): Schedule.Schedule<Output, Input, Error, Env> =>
    Schedule.upTo(self, { times })

/**
 * The default for the GET: retries 429, 5xx, network failures and timeouts, at most 4 times,
 * with full-jitter backoff (250 ms base, factor 2, cap 10 s), never sooner than a 429 asked.
 *
 * @example
 * ```ts
 * import { CodebeamerClient, defaultGetRetry, maxRetries } from "@cbjobs/core"
 *
 * // Two retries instead of four, otherwise the default:
 * CodebeamerClient.layer({ baseUrl, auth, retry: { get: defaultGetRetry.pipe(maxRetries(2)) } })
 * ```
 */
export const defaultGetRetry: RetrySchedule = fullJitterBackoff().pipe(
  Schedule.setInputType<CodebeamerError>(),
  retryWhile(isRetryableGetError),
  maxRetries(4),
  atLeastServerWait,
)

/**
 * The default for the POST: retries only a 429 and a connection that failed before sending, at
 * most 4 times, with the same backoff, never sooner than a 429 asked.
 */
export const defaultPostRetry: RetrySchedule = fullJitterBackoff().pipe(
  Schedule.setInputType<CodebeamerError>(),
  retryWhile(isRetryablePostError),
  maxRetries(4),
  atLeastServerWait,
)

/** The retry policy of a client: one schedule per operation. */
export interface RetryPolicy {
  readonly get?: RetrySchedule | undefined
  readonly post?: RetrySchedule | undefined
}

/** The defaults of both operations. */
export const defaultRetryPolicy: Required<RetryPolicy> = {
  get: defaultGetRetry,
  post: defaultPostRetry,
}
