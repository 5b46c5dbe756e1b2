import type { Style } from "./Style.ts"

/** The parts of a background job the human summary shows (`@cbjobs/core`'s `BackgroundJob`). */
export interface JobLike {
  readonly id?: number | undefined
  readonly backgroundJobStatus?: string | undefined
  readonly backgroundJobType?: string | undefined
  readonly createdAt?: Date | undefined
  readonly finishedAt?: Date | undefined
  readonly description?: string | undefined
  readonly statusInfo?:
    | {
        readonly progressPercentage?: number | undefined
        readonly stepInProgress?: string | undefined
      }
    | undefined
  readonly steps?:
    | ReadonlyArray<{
        readonly name?: string | undefined
        readonly status?: string | undefined
        readonly result?: string | undefined
        readonly resultMessage?: string | undefined
      }>
    | undefined
  readonly submittedBy?:
    | {
        readonly id?: number | undefined
        readonly name?: string | undefined
        readonly displayName?: unknown
      }
    | undefined
}

/** What the job came to: still running, finished cleanly, or finished with a failed step. */
export type Verdict = "running" | "succeeded" | "failed"

const formatDate = (date: Date | undefined): string | undefined =>
  date === undefined || Number.isNaN(date.getTime())
    ? undefined
    : date
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z")

const formatUser = (user: JobLike["submittedBy"]): string | undefined => {
  if (user === undefined) return undefined

  const name =
    typeof user.displayName === "string" && user.displayName.length > 0
      ? user.displayName
      : user.name

  if (name === undefined) return user.id === undefined ? undefined : `user ${user.id}`

  return user.id === undefined ? name : `${name} (${user.id})`
}

const stepMark = (
  step: NonNullable<JobLike["steps"]>[number],
  style: Style,
): { readonly mark: string; readonly label: string } => {
  if (step.result === "FAILED") return { mark: style.red("✗"), label: style.red("FAILED") }

  if (step.result === "SUCCESSFUL") {
    return { mark: style.green("✓"), label: style.green("SUCCESSFUL") }
  }

  if (step.status === "IN_PROGRESS") return { mark: style.cyan("›"), label: "IN_PROGRESS" }

  return { mark: style.dim("·"), label: step.status ?? step.result ?? "" }
}

/**
 * Renders the compact summary `cbjobs job get` prints: status, type, progress, step in progress,
 * dates, submitter, and each step with its result and message.
 *
 * @example
 * ```ts
 * renderJobSummary(job, { progress: 100, verdict: "succeeded" }, makeStyle(false))
 * // => "Job 57  WORKING_SET_UPDATE  FINISHED  succeeded\n  Progress      100%\n..."
 * ```
 */
export const renderJobSummary = (
  job: JobLike,
  derived: { readonly progress: number; readonly verdict: Verdict },
  style: Style,
): string => {
  const verdict =
    derived.verdict === "failed"
      ? style.red("failed")
      : derived.verdict === "succeeded"
        ? style.green("succeeded")
        : style.cyan("running")
  const header = [
    style.bold(`Job ${job.id ?? "?"}`),
    job.backgroundJobType ?? "UNKNOWN_TYPE",
    job.backgroundJobStatus ?? "UNKNOWN_STATUS",
    verdict,
  ].join("  ")

  const fields: Array<readonly [string, string | undefined]> = [
    ["Progress", `${Math.round(derived.progress)}%`],
    ["Step", job.statusInfo?.stepInProgress],
    ["Description", job.description],
    ["Created", formatDate(job.createdAt)],
    ["Finished", formatDate(job.finishedAt)],
    ["Submitted by", formatUser(job.submittedBy)],
  ]
  const lines = [header]

  for (const [label, value] of fields) {
    if (value !== undefined && value.length > 0) lines.push(`  ${label.padEnd(14)}${value}`)
  }

  const steps = job.steps ?? []

  if (steps.length > 0) {
    lines.push("  Steps")

    const width = Math.min(40, Math.max(...steps.map((step) => (step.name ?? "").length)))

    for (const step of steps) {
      const { mark, label } = stepMark(step, style)
      const message = step.resultMessage === undefined ? "" : `  ${step.resultMessage}`
      lines.push(`    ${mark} ${(step.name ?? "(unnamed step)").padEnd(width)}  ${label}${message}`)
    }
  }

  return lines.join("\n")
}
