/**
 * Waiting for a job: polls `GET /v3/job/{jobId}` (through the client's throttle) with a growing
 * interval until the job is FINISHED, and tells success from failure by its steps.
 *
 * @since 0.1.0
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { type BackgroundJob, isFinished, jobOutcome } from "./BackgroundJob.ts"
import {
  type CodebeamerClient,
  getBackgroundJob,
  type RequestOptions,
  updateWorkingSet,
} from "./CodebeamerClient.ts"
import {
  type GetBackgroundJobError,
  InvalidRequest,
  JobFailed,
  JobStalled,
  type UpdateWorkingSetError,
  WaitTimeout,
} from "./Errors.ts"
import { defaultClock } from "./internal/execute.ts"
import type { WorkingSetUpdateRequest } from "./WorkingSet.ts"

/** How to wait for a job. */
export interface WaitOptions {
  /** The first delay between polls; default 500 ms. */
  readonly pollInterval?: Duration.Input | undefined
  /** How much the delay grows after each poll; default 1.5. */
  readonly pollFactor?: number | undefined
  /** The longest delay between polls; default 5 s. */
  readonly maxPollInterval?: Duration.Input | undefined
  /** Give up with `WaitTimeout` after this long; no limit by default. */
  readonly maxWait?: Duration.Input | undefined
  /**
   * Give up with `JobStalled` when status, progress and step in progress stay the same this long;
   * no limit by default.
   */
  readonly stallAfter?: Duration.Input | undefined
  /** Called with the first snapshot and every one that changed, the final one included. */
  readonly onProgress?: ((job: BackgroundJob) => void) | undefined
  /** Options of every request of the wait (the start of the job included), e.g. `timeout`. */
  readonly request?: RequestOptions | undefined
}

/** Every error of {@link waitForJob}. */
export type WaitForJobError = GetBackgroundJobError | JobFailed | WaitTimeout | JobStalled

/** Every error of {@link watchJob}. */
export type WatchJobError = GetBackgroundJobError | WaitTimeout | JobStalled

interface Cadence {
  readonly firstMs: number
  readonly factor: number
  readonly maxMs: number
  readonly maxWaitMs: number | undefined
  readonly stallAfterMs: number | undefined
}

interface Invalid {
  readonly reason: string
}

const toMillis = (
  value: Duration.Input | undefined,
  fallback: number | undefined,
): number | undefined | Invalid => {
  if (value === undefined) {
    return fallback
  }

  const duration = Duration.fromInput(value)

  if (Option.isNone(duration)) {
    return { reason: "must be a duration such as 500 (ms) or '5 seconds'" }
  }

  const millis = Duration.toMillis(duration.value)

  return millis > 0 && Number.isFinite(millis) ? millis : { reason: "must be positive and finite" }
}

const cadence = (jobId: number, options: WaitOptions): Effect.Effect<Cadence, InvalidRequest> => {
  const invalid = (field: string, reason: string) =>
    Effect.fail(
      new InvalidRequest({
        operation: "getBackgroundJob",
        method: "GET",
        path: `/v3/job/${jobId}`,
        field: `options.${field}`,
        reason,
      }),
    )

  const durations = {
    pollInterval: toMillis(options.pollInterval, 500),
    maxPollInterval: toMillis(options.maxPollInterval, 5000),
    maxWait: toMillis(options.maxWait, undefined),
    stallAfter: toMillis(options.stallAfter, undefined),
  }

  for (const [field, value] of Object.entries(durations)) {
    if (typeof value === "object") {
      return invalid(field, value.reason)
    }
  }

  const factor = options.pollFactor ?? 1.5

  if (typeof factor !== "number" || !Number.isFinite(factor) || factor < 1) {
    return invalid("pollFactor", "must be a finite number of at least 1")
  }

  const firstMs = durations.pollInterval as number

  return Effect.succeed({
    firstMs,
    factor,
    maxMs: Math.max(firstMs, durations.maxPollInterval as number),
    maxWaitMs: durations.maxWait as number | undefined,
    stallAfterMs: durations.stallAfter as number | undefined,
  })
}

const signature = (job: BackgroundJob): string =>
  [
    job.backgroundJobStatus,
    job.statusInfo?.progressPercentage,
    job.statusInfo?.stepInProgress,
  ].join("\u0000")

// The longest delay a timer holds (2^31 - 1 ms); a longer one would fire at once.
const MAX_TIMER_MS = 2_147_483_647

type Poll = Effect.Effect<BackgroundJob, WatchJobError, CodebeamerClient>

// One waiter's state. Written for many waiters at once: a sleeping waiter holds this object, its
// two bound steps and the clock's timer. A heap snapshot of 2,000 sleeping waiters showed that
// a closure per step (each with its own context) and `Effect.sleep` (which looks the clock up
// again) cost more than the state itself; fields and two closures made once cost far less.
// maxWait is a deadline checked at each wake-up that also bounds each poll and clamps each
// sleep, instead of racing the whole loop against a timer (two more fibers per waiter).
class Poller {
  // Times are kept relative to the start: small integers are stored in place, while a
  // timestamp in a field is a boxed number of its own.
  private readonly startedAt: number
  // The last snapshot, kept only for WaitTimeout to report.
  private last: BackgroundJob | undefined = undefined
  private polled = false
  private lastSignature = ""
  private lastChangeAt: number
  private delay: number
  private readonly get: Poll
  private readonly pollNow: Poll
  private readonly jobId: number
  private readonly plan: Cadence
  private readonly clock: Clock.Clock
  private readonly onSnapshot: (job: BackgroundJob, changed: boolean) => Effect.Effect<void>

  // No parameter properties: runtimes that strip types (Node, Deno) do not support them.
  constructor(
    jobId: number,
    plan: Cadence,
    clock: Clock.Clock,
    onSnapshot: (job: BackgroundJob, changed: boolean) => Effect.Effect<void>,
    request: RequestOptions | undefined,
  ) {
    const startedAt = clock.currentTimeMillisUnsafe()

    this.jobId = jobId
    this.plan = plan
    this.clock = clock
    this.onSnapshot = onSnapshot

    this.startedAt = startedAt
    this.lastChangeAt = 0
    this.delay = plan.firstMs
    this.get = getBackgroundJob(jobId, request)
    this.pollNow = Effect.flatMap(this.get, this.handle)
  }

  // Milliseconds since the wait started.
  private elapsed(): number {
    return this.clock.currentTimeMillisUnsafe() - this.startedAt
  }

  private timedOut() {
    const { jobId, plan, last } = this

    return Effect.fail(new WaitTimeout({ jobId, maxWaitMs: plan.maxWaitMs ?? 0, lastJob: last }))
  }

  // What follows a snapshot, decided at once.
  private next(job: BackgroundJob, now: number): Poll {
    if (isFinished(job)) {
      return Effect.succeed(job)
    }

    const { jobId, plan } = this
    const stalledFor = now - this.lastChangeAt

    if (plan.stallAfterMs !== undefined && stalledFor >= plan.stallAfterMs) {
      return Effect.fail(new JobStalled({ jobId, stallAfterMs: plan.stallAfterMs, lastJob: job }))
    }

    // Wake at the stall limit to confirm it with one more poll, not a full delay later, and at
    // the deadline to give up on time.
    const stallIn =
      plan.stallAfterMs === undefined ? Number.POSITIVE_INFINITY : plan.stallAfterMs - stalledFor
    const left = plan.maxWaitMs === undefined ? Number.POSITIVE_INFINITY : plan.maxWaitMs - now
    const sleep = Math.min(this.delay, stallIn, left)
    this.delay = Math.min(plan.maxMs, this.delay * plan.factor)

    return Effect.flatMap(this.sleep(sleep), this.pollAgain)
  }

  // On the runtime's own clock a sleep is a plain timer whose callback and cancellation are made
  // once per waiter; `Clock.sleep` makes three closures and two effects for every sleep, which a
  // sleeping waiter holds. Any other Clock (TestClock), and waits beyond what a timer can hold,
  // go through the clock.
  private sleep(ms: number): Effect.Effect<void> {
    if (this.clock !== defaultClock || ms <= 0 || ms > MAX_TIMER_MS) {
      return this.clock.sleep(Duration.millis(ms))
    }

    this.sleepMs = ms

    return this.timerSleep
  }

  private sleepMs = 0
  private timer: ReturnType<typeof setTimeout> | undefined = undefined
  private readonly cancelTimer = Effect.sync(() => clearTimeout(this.timer))
  private readonly timerSleep = Effect.callback<void>((resume) => {
    this.timer = setTimeout(resume, this.sleepMs, Effect.void)

    return this.cancelTimer
  })

  readonly handle = (job: BackgroundJob): Poll => {
    const now = this.elapsed()
    const current = signature(job)
    const changed = !this.polled || current !== this.lastSignature

    if (changed) {
      this.lastChangeAt = now
      this.lastSignature = current
    }

    this.polled = true
    this.last = this.plan.maxWaitMs === undefined ? undefined : job

    return Effect.andThen(this.onSnapshot(job, changed), this.next(job, now))
  }

  readonly pollAgain = (): Poll => {
    const maxWaitMs = this.plan.maxWaitMs

    if (maxWaitMs === undefined) {
      return this.pollNow
    }

    const left = maxWaitMs - this.elapsed()

    if (left <= 0) {
      return this.timedOut()
    }

    return Effect.flatMap(Effect.timeoutOption(this.get, left), (job) =>
      Option.isSome(job) ? this.handle(job.value) : this.timedOut(),
    )
  }
}

// Polls until the job is FINISHED; `onSnapshot` sees every snapshot and whether it changed.
const poll = (
  jobId: number,
  options: WaitOptions,
  onSnapshot: (job: BackgroundJob, changed: boolean) => Effect.Effect<void>,
): Poll =>
  Effect.flatMap(cadence(jobId, options), (plan) =>
    Effect.clockWith((clock) =>
      new Poller(jobId, plan, clock, onSnapshot, options.request).pollAgain(),
    ),
  )

const notify = (options: WaitOptions, job: BackgroundJob): void => {
  if (options.onProgress === undefined) {
    return
  }

  try {
    options.onProgress(job)
  } catch {
    // A failing progress callback must not end the wait it observes.
  }
}

/**
 * Waits until a job is FINISHED. Succeeds with the final job; fails with `JobFailed` (carrying the
 * failed steps and their messages) when a step failed, `WaitTimeout` after `maxWait`, or
 * `JobStalled` after `stallAfter` without change. Each poll is a `getBackgroundJob` with its
 * retries, through the client's throttle.
 *
 * @example
 * ```ts
 * import { waitForJob } from "@cbjobs/core"
 * import * as Effect from "effect/Effect"
 *
 * const finished = waitForJob(56, { maxWait: "10 minutes", onProgress: (job) => draw(job) })
 * const done = finished.pipe(Effect.catchTag("JobFailed", (e) => report(e.failedSteps)))
 * ```
 */
export const waitForJob = (
  jobId: number,
  options: WaitOptions = {},
): Effect.Effect<BackgroundJob, WaitForJobError, CodebeamerClient> =>
  Effect.flatMap(
    poll(jobId, options, (job, changed) =>
      changed ? Effect.sync(() => notify(options, job)) : Effect.void,
    ),
    (job) => {
      const outcome = jobOutcome(job)

      return outcome._tag === "Failed"
        ? Effect.fail(new JobFailed({ jobId, job, failedSteps: outcome.failedSteps }))
        : Effect.succeed(job)
    },
  )

/**
 * A stream of a job's snapshots: the first one, then each whose status, progress or step in
 * progress changed; it ends after the FINISHED snapshot, also for a failed job (see
 * `jobOutcome`). The feed for progress bars.
 *
 * @example
 * ```ts
 * import { jobProgress, watchJob } from "@cbjobs/core"
 * import * as Stream from "effect/Stream"
 *
 * const bar = watchJob(56).pipe(
 *   Stream.runForEach((job) => Effect.sync(() => draw(jobProgress(job)))),
 * )
 * ```
 */
export const watchJob = (
  jobId: number,
  options: Omit<WaitOptions, "onProgress"> = {},
): Stream.Stream<BackgroundJob, WatchJobError, CodebeamerClient> =>
  Stream.callback<BackgroundJob, WatchJobError, CodebeamerClient>((queue) =>
    Effect.flatMap(
      poll(jobId, options, (job, changed) =>
        changed ? Effect.asVoid(Queue.offer(queue, job)) : Effect.void,
      ),
      () => Queue.end(queue),
    ),
  )

/**
 * Starts a working-set update and waits for its job; fails as `updateWorkingSet` or
 * {@link waitForJob} would.
 *
 * @example
 * ```ts
 * import { updateWorkingSetAndWait } from "@cbjobs/core"
 *
 * const job = updateWorkingSetAndWait({ source: { id: 12 }, target: { id: 13 } }, {
 *   maxWait: "30 minutes",
 * })
 * ```
 */
export const updateWorkingSetAndWait = (
  request: WorkingSetUpdateRequest,
  options: WaitOptions = {},
): Effect.Effect<BackgroundJob, UpdateWorkingSetError | WaitForJobError, CodebeamerClient> =>
  Effect.flatMap(updateWorkingSet(request, options.request), (reference) =>
    waitForJob(reference.jobId, options),
  )
