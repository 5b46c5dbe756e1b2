import {
  BackgroundJob,
  type CodebeamerClient,
  type GetBackgroundJobError,
  JobFailed,
  type JobStalled,
  jobOutcome,
  jobProgress,
  type WaitTimeout,
  watchJob,
} from "@cbjobs/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { renderJobSummary, type Verdict } from "./JobView.ts"
import { makeReporter, type ProgressState } from "./Progress.ts"
import type { Session } from "./Session.ts"

const encodeJob = Schema.encodeSync(BackgroundJob)

/**
 * The job as `--json` prints it: the wire format, date-times in ISO 8601 UTC, unknown fields
 * kept.
 *
 * @example
 * ```ts
 * JSON.stringify(jobDocument(job))
 * ```
 */
export const jobDocument = (job: BackgroundJob): unknown => encodeJob(job)

/**
 * Where a job stands, in the summary's words.
 *
 * @example
 * ```ts
 * verdictOf({ backgroundJobStatus: "IN_PROGRESS" }) // => "running"
 * ```
 */
export const verdictOf = (job: BackgroundJob): Verdict => {
  const outcome = jobOutcome(job)

  return outcome._tag === "Failed"
    ? "failed"
    : outcome._tag === "Succeeded"
      ? "succeeded"
      : "running"
}

/**
 * Prints a job on stdout (summary, JSON or, with `--quiet`, its status) and fails with the
 * core's `JobFailed` when it finished with a failed step, so the process exits with 1.
 *
 * @example
 * ```ts
 * yield* showJob(session, yield* getBackgroundJob(56))
 * ```
 */
export const showJob = (session: Session, job: BackgroundJob): Effect.Effect<void, JobFailed> =>
  Effect.gen(function* () {
    const { output, options } = session

    if (options.json) {
      output.stdout(JSON.stringify(jobDocument(job), null, 2))
    } else if (options.quiet) {
      output.stdout(job.backgroundJobStatus ?? "UNKNOWN")
    } else {
      output.stdout(
        renderJobSummary(
          job,
          { progress: jobProgress(job), verdict: verdictOf(job) },
          output.stdoutStyle,
        ),
      )
    }

    const outcome = jobOutcome(job)

    if (outcome._tag === "Failed") {
      return yield* new JobFailed({ jobId: job.id ?? 0, job, failedSteps: outcome.failedSteps })
    }
  })

/** Limits of a wait, from `--max-wait` and `--stall-after`. */
export interface FollowLimits {
  readonly maxWaitMs?: number | undefined
  readonly stallAfterMs?: number | undefined
}

/**
 * Follows a job until it finishes, showing progress the session's way (bar, lines, NDJSON),
 * and returns the final snapshot. Ctrl-C stops the polling only: the job goes on on the server,
 * and the message says how to follow it again.
 *
 * @example
 * ```ts
 * const job = yield* followJob(session, 57, { maxWaitMs: 600_000 })
 * ```
 */
export const followJob = (
  session: Session,
  jobId: number,
  limits: FollowLimits,
): Effect.Effect<
  BackgroundJob,
  GetBackgroundJobError | WaitTimeout | JobStalled,
  CodebeamerClient
> => {
  const { output } = session
  const startedAt = Date.now()
  let last: BackgroundJob | undefined

  const toState = (job: BackgroundJob | undefined): ProgressState => ({
    jobId,
    status: job?.backgroundJobStatus ?? "UNKNOWN",
    percent: job === undefined ? 0 : jobProgress(job),
    step: job?.statusInfo?.stepInProgress,
    elapsedMs: Date.now() - startedAt,
  })

  const watch = Effect.acquireUseRelease(
    Effect.sync(() =>
      makeReporter(session.progressMode, {
        line: output.stderr,
        live: output.live,
        columns: output.columns,
        style: output.stderrStyle,
      }),
    ),
    (reporter) =>
      watchJob(jobId, {
        ...(limits.maxWaitMs === undefined ? {} : { maxWait: limits.maxWaitMs }),
        ...(limits.stallAfterMs === undefined ? {} : { stallAfter: limits.stallAfterMs }),
      }).pipe(
        Stream.runForEach((job) =>
          Effect.sync(() => {
            last = job
            reporter.update(toState(job))
          }),
        ),
      ),
    (reporter, exit) =>
      Effect.sync(() => {
        if (Exit.isSuccess(exit)) reporter.close({ event: "finished", state: toState(last) })
        else if (Exit.hasInterrupts(exit)) {
          reporter.close({ event: "interrupted", state: toState(last) })
        } else reporter.close()
      }),
  )

  return watch.pipe(
    Effect.onInterrupt(() =>
      Effect.sync(() =>
        output.stderr(
          `Stopped waiting for job ${jobId}; it goes on on the server. ` +
            `Follow it again with: cbjobs job wait ${jobId}`,
        ),
      ),
    ),
    Effect.flatMap(() =>
      last === undefined
        ? Effect.die(new Error(`the wait for job ${jobId} ended without a snapshot`))
        : Effect.succeed(last),
    ),
  )
}
