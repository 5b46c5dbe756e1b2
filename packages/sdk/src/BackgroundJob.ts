/**
 * A known job status, or any status a newer Codebeamer sends. `FINISHED` does not mean success:
 * a job has failed when it is `FINISHED` and one of its steps has the result `FAILED`.
 */
export type BackgroundJobStatus = "DRAFT" | "NEW" | "IN_PROGRESS" | "FINISHED" | (string & {})

/** A known job type, or any type a newer Codebeamer sends (the list grows between versions). */
export type BackgroundJobType =
  | "RUN_IN_EXCEL"
  | "MASS_TEST_SET_RUN_CREATION"
  | "DEPENDENCY_FINDER"
  | "ITEM_EXCEL_IMPORT"
  | "DEPLOYMENT_EXPORT"
  | "WORKING_SET_UPDATE"
  | "WORKING_SET_CONFIG_UPDATE"
  | "ITEM_MOVE"
  | "DEPLOYMENT_IMPORT"
  | "PDF_MERGE"
  | "EXPORT_TO_WORD"
  | "DOCUMENT_MERGE"
  | (string & {})

/** One step of a job; `result` is set once the step has finished. */
export interface BackgroundJobStep {
  readonly id?: number
  readonly name?: string
  readonly status?: "NEW" | "IN_PROGRESS" | "FINISHED" | (string & {})
  readonly result?: "SUCCESSFUL" | "FAILED" | (string & {})
  readonly resultMessage?: string
  readonly [field: string]: unknown
}

/**
 * How far a job has come. `progressPercentage` runs from 0 to 100 by pre-set step weights;
 * `type` names the variant (`DefaultBackgroundJobStatusInfo`, `DependencyFinderJobStatusInfo`
 * with its extra counters, or one this version does not know).
 */
export interface BackgroundJobStatusInfo {
  readonly type?: string
  readonly progressPercentage?: number
  readonly stepInProgress?: string
  readonly [field: string]: unknown
}

/** The user who submitted a job. */
export interface UserReference {
  readonly id?: number
  readonly name?: string
  readonly type?: string
  readonly email?: string
  readonly displayName?: string
  readonly [field: string]: unknown
}

/**
 * A background job as `GET /v3/job/{jobId}` returns it. Date-times become `Date` (a date-time
 * without a zone offset is read as UTC); fields this version does not know are kept.
 */
export interface BackgroundJob {
  readonly id?: number
  readonly backgroundJobStatus?: BackgroundJobStatus
  readonly backgroundJobType?: BackgroundJobType
  readonly createdAt?: Date
  readonly finishedAt?: Date
  readonly description?: string
  readonly statusInfo?: BackgroundJobStatusInfo
  readonly steps?: ReadonlyArray<BackgroundJobStep>
  readonly submittedBy?: UserReference
  readonly [field: string]: unknown
}

/** What `POST /v3/jobs/working-set-update` answers: the id and type of the job it started. */
export interface JobReference {
  readonly jobId: number
  readonly jobType: BackgroundJobType
}
