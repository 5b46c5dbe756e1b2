/**
 * Models of Codebeamer background jobs: schemas for every response schema of the contract, and
 * facts derived from a job (finished, progress, outcome).
 *
 * Every schema is forward compatible: enum values and fields this version does not know decode
 * and are kept. Wrong types fail with an issue that names the path.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  DateTimeFromString,
  Id,
  Int32,
  openEnum,
  optionalField,
  responseObject,
} from "./internal/schema.ts"

export { DateTimeFromString } from "./internal/schema.ts"

/** The job types Codebeamer 3.0 documents; the list grows between versions. */
export const knownBackgroundJobTypes = [
  "RUN_IN_EXCEL",
  "MASS_TEST_SET_RUN_CREATION",
  "DEPENDENCY_FINDER",
  "ITEM_EXCEL_IMPORT",
  "DEPLOYMENT_EXPORT",
  "WORKING_SET_UPDATE",
  "WORKING_SET_CONFIG_UPDATE",
  "ITEM_MOVE",
  "DEPLOYMENT_IMPORT",
  "PDF_MERGE",
  "EXPORT_TO_WORD",
  "DOCUMENT_MERGE",
] as const

/** The type of a background job; an open enum, unknown values are kept. */
export const BackgroundJobType = openEnum(knownBackgroundJobTypes).annotate({
  identifier: "BackgroundJobType",
})

/** The type of a background job; an open enum, unknown values are kept. */
export type BackgroundJobType = typeof BackgroundJobType.Type

/** The status of a job. There is no failed status: see {@link jobOutcome}. */
export const BackgroundJobStatus = openEnum(["DRAFT", "NEW", "IN_PROGRESS", "FINISHED"]).annotate({
  identifier: "BackgroundJobStatus",
})

/** The status of a job. There is no failed status: see {@link jobOutcome}. */
export type BackgroundJobStatus = typeof BackgroundJobStatus.Type

/** The status of a step of a job. */
export const BackgroundJobStepStatus = openEnum(["NEW", "IN_PROGRESS", "FINISHED"]).annotate({
  identifier: "BackgroundJobStepStatus",
})

/** The status of a step of a job. */
export type BackgroundJobStepStatus = typeof BackgroundJobStepStatus.Type

/** The result of a finished step: a failed job has a step whose result is FAILED. */
export const BackgroundJobStepResult = openEnum(["SUCCESSFUL", "FAILED"]).annotate({
  identifier: "BackgroundJobStepResult",
})

/** The result of a finished step: a failed job has a step whose result is FAILED. */
export type BackgroundJobStepResult = typeof BackgroundJobStepResult.Type

/** A step of a job, with its result and message once finished. */
export const BackgroundJobStep = responseObject("BackgroundJobStep", {
  id: optionalField(Id),
  name: optionalField(Schema.String),
  status: optionalField(BackgroundJobStepStatus),
  result: optionalField(BackgroundJobStepResult),
  resultMessage: optionalField(Schema.String),
})

/** A step of a job, with its result and message once finished. */
export type BackgroundJobStep = typeof BackgroundJobStep.Type

/** The status-info subtypes this version knows, by their `type` discriminator. */
export const knownStatusInfoTypes = [
  "DefaultBackgroundJobStatusInfo",
  "DependencyFinderJobStatusInfo",
] as const

const statusInfoFields = {
  progressPercentage: optionalField(Int32),
  stepInProgress: optionalField(Schema.String),
}

/** The status info of most jobs: progress from pre-set step weights and the current step. */
export const DefaultBackgroundJobStatusInfo = responseObject("DefaultBackgroundJobStatusInfo", {
  type: Schema.Literal("DefaultBackgroundJobStatusInfo"),
  ...statusInfoFields,
})

/** The status info of most jobs: progress from pre-set step weights and the current step. */
export type DefaultBackgroundJobStatusInfo = typeof DefaultBackgroundJobStatusInfo.Type

/** The status info of a dependency-finder job, with its extra counters. */
export const DependencyFinderJobStatusInfo = responseObject("DependencyFinderJobStatusInfo", {
  type: Schema.Literal("DependencyFinderJobStatusInfo"),
  ...statusInfoFields,
  closedProjectWarnings: optionalField(Schema.Array(Schema.String)),
  missingPermissionWarnings: optionalField(Schema.Array(Schema.String)),
  projectsChecked: optionalField(Int32),
  projectsScheduled: optionalField(Int32),
  dependencies: optionalField(Schema.Array(Schema.Record(Schema.String, Schema.Unknown))),
})

/** The status info of a dependency-finder job, with its extra counters. */
export type DependencyFinderJobStatusInfo = typeof DependencyFinderJobStatusInfo.Type

const isUnknownStatusInfoType = (type: string): boolean =>
  type !== "DefaultBackgroundJobStatusInfo" && type !== "DependencyFinderJobStatusInfo"

/**
 * Status info whose `type` this version does not know (or that has none); its fields are kept.
 * A known `type` never falls through to this case, so a malformed known subtype fails to decode.
 */
export const OtherBackgroundJobStatusInfo = responseObject("OtherBackgroundJobStatusInfo", {
  type: optionalField(
    Schema.String.check(
      Schema.makeFilter(isUnknownStatusInfoType, { expected: "an unknown status-info type" }),
    ),
  ),
  ...statusInfoFields,
})

/** Status info whose `type` this version does not know; its fields are kept. */
export type OtherBackgroundJobStatusInfo = typeof OtherBackgroundJobStatusInfo.Type

/** The status info of a job, discriminated by `type`. */
export const BackgroundJobStatusInfo = Schema.Union([
  DefaultBackgroundJobStatusInfo,
  DependencyFinderJobStatusInfo,
  OtherBackgroundJobStatusInfo,
]).annotate({ identifier: "BackgroundJobStatusInfo" })

/** The status info of a job, discriminated by `type`. */
export type BackgroundJobStatusInfo = typeof BackgroundJobStatusInfo.Type

/** A reference to a user, such as the one who submitted a job. */
export const UserReference = responseObject("UserReference", {
  id: optionalField(Id),
  name: optionalField(Schema.String),
  type: optionalField(Schema.String),
  email: optionalField(Schema.String),
  displayName: optionalField(Schema.String),
})

/** A reference to a user, such as the one who submitted a job. */
export type UserReference = typeof UserReference.Type

/**
 * A background job as `GET /v3/job/{jobId}` returns it. Date-times decode to `Date`; unknown
 * fields are kept.
 */
export const BackgroundJob = responseObject("BackgroundJob", {
  id: optionalField(Id),
  backgroundJobStatus: optionalField(BackgroundJobStatus),
  backgroundJobType: optionalField(BackgroundJobType),
  createdAt: optionalField(DateTimeFromString),
  finishedAt: optionalField(DateTimeFromString),
  description: optionalField(Schema.String),
  statusInfo: optionalField(BackgroundJobStatusInfo),
  steps: optionalField(Schema.Array(BackgroundJobStep)),
  submittedBy: optionalField(UserReference),
})

/**
 * A background job as `GET /v3/job/{jobId}` returns it. Date-times decode to `Date`; unknown
 * fields are kept.
 */
export type BackgroundJob = typeof BackgroundJob.Type

/** The answer to a working-set update: the id and type of the job it started. */
export const JobReference = responseObject("JobReference", {
  jobId: Id,
  jobType: BackgroundJobType,
})

/** The answer to a working-set update: the id and type of the job it started. */
export type JobReference = typeof JobReference.Type

const errorBodyFields = {
  message: optionalField(Schema.String),
  resourceUri: optionalField(Schema.String),
}

/** The body of Codebeamer's error responses (400, 401, 403, 404, 500). */
export const RestException = responseObject("RestException", errorBodyFields)

/** The body of Codebeamer's error responses (400, 401, 403, 404, 500). */
export type RestException = typeof RestException.Type

/** The JSON body of a 429: the error body plus the wait the server asks for, in seconds. */
export const TooManyRequestsException = responseObject("TooManyRequestsException", {
  ...errorBodyFields,
  retryAfterSecond: optionalField(Schema.Int),
})

/** The JSON body of a 429: the error body plus the wait the server asks for, in seconds. */
export type TooManyRequestsException = typeof TooManyRequestsException.Type

/** Where a job stands: still running, finished well, or finished with failed steps. */
export type JobOutcome =
  | { readonly _tag: "Running" }
  | { readonly _tag: "Succeeded" }
  | { readonly _tag: "Failed"; readonly failedSteps: ReadonlyArray<BackgroundJobStep> }

/**
 * Whether a job has finished, successfully or not.
 *
 * @example
 * ```ts
 * import { isFinished } from "@cbjobs/core"
 *
 * isFinished({ backgroundJobStatus: "FINISHED" }) // true
 * ```
 */
export const isFinished = (job: BackgroundJob): boolean => job.backgroundJobStatus === "FINISHED"

/**
 * The progress of a job from 0 to 100: 100 once finished, otherwise the server's percentage
 * clamped to 0..100 (0 when absent).
 */
export const jobProgress = (job: BackgroundJob): number => {
  if (isFinished(job)) {
    return 100
  }

  const percentage = job.statusInfo?.progressPercentage

  return percentage === undefined ? 0 : Math.min(100, Math.max(0, percentage))
}

const RUNNING: JobOutcome = { _tag: "Running" }
const SUCCEEDED: JobOutcome = { _tag: "Succeeded" }

/**
 * The outcome of a job. A job has no failed status of its own: it has failed when it is FINISHED
 * and any step's result is FAILED.
 *
 * Gotchas: a step result this version does not know is not counted as a failure.
 *
 * @example
 * ```ts
 * import { jobOutcome } from "@cbjobs/core"
 *
 * const outcome = jobOutcome({
 *   backgroundJobStatus: "FINISHED",
 *   steps: [{ name: "Merge", result: "FAILED", resultMessage: "tracker 12 is locked" }],
 * })
 * if (outcome._tag === "Failed") console.error(outcome.failedSteps[0]?.resultMessage)
 * ```
 */
export const jobOutcome = (job: BackgroundJob): JobOutcome => {
  if (!isFinished(job)) {
    return RUNNING
  }

  const failedSteps = (job.steps ?? []).filter((step) => step.result === "FAILED")

  return failedSteps.length === 0 ? SUCCEEDED : { _tag: "Failed", failedSteps }
}
