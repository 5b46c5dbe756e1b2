import * as Data from "effect/Data"

/**
 * Invalid usage or input found by the CLI itself: a bad flag value, an unreadable `--from`
 * file, missing credentials. Exits with code 2.
 *
 * @example
 * ```ts
 * new UsageError({ message: "--tracker 'x' is not a tracker id", hint: "use --tracker 12" })
 * ```
 */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
  readonly hint?: string
}> {}

/**
 * A job the CLI showed or followed finished with at least one FAILED step. Exits with code 1.
 *
 * @example
 * ```ts
 * new JobFinishedWithFailure({ jobId: 57, failedSteps: [{ name: "Merge", resultMessage: "…" }] })
 * ```
 */
export class JobFinishedWithFailure extends Data.TaggedError("JobFinishedWithFailure")<{
  readonly jobId: number
  readonly failedSteps: ReadonlyArray<{ readonly name?: string; readonly resultMessage?: string }>
}> {
  override get message(): string {
    const steps = this.failedSteps
      .map((step) =>
        step.resultMessage === undefined
          ? (step.name ?? "a step")
          : `${step.name ?? "a step"} (${step.resultMessage})`,
      )
      .join("; ")

    return `Job ${this.jobId} finished with a failed step: ${steps || "no step named"}`
  }
}

/**
 * The embedded sandbox (`--sandbox`) could not start, for example because no port was free.
 *
 * @example
 * ```ts
 * new SandboxFailed({ message: "Could not start the sandbox: listen EADDRINUSE" })
 * ```
 */
export class SandboxFailed extends Data.TaggedError("SandboxFailed")<{
  readonly message: string
}> {}

/** The failures the CLI raises itself, besides those of `@cbjobs/core`. */
export type CliFailure = UsageError | JobFinishedWithFailure | SandboxFailed
