/**
 * @cbjobs/sdk: the promise client for Codebeamer's background-job REST API. Read a job, start a
 * working-set update, wait for or watch a job; typed errors, safe retries and a client-side
 * throttle come from `@cbjobs/core`, without Effect in sight.
 *
 * @example
 * ```ts
 * import { CodebeamerJobs, JobFailedError } from "@cbjobs/sdk"
 *
 * const client = new CodebeamerJobs() // CODEBEAMER_URL and credentials from the environment
 * try {
 *   const request = { source: { id: 1002 }, target: { id: 1003 } }
 *   const job = await client.updateWorkingSetAndWait(request)
 *   console.log("finished at", job.finishedAt)
 * } catch (error) {
 *   if (error instanceof JobFailedError) console.error(error.failedSteps)
 *   else throw error
 * } finally {
 *   await client.close()
 * }
 * ```
 *
 * @module
 */
export type {
  BackgroundJob,
  BackgroundJobStatus,
  BackgroundJobStatusInfo,
  BackgroundJobStep,
  BackgroundJobType,
  JobReference,
  UserReference,
} from "./BackgroundJob.ts"
export {
  type ApiResponse,
  CodebeamerJobs,
  type WatchOptions,
  type WithResponse,
  type WithResponseCalls,
} from "./CodebeamerJobs.ts"
export * from "./Errors.ts"
export type { Logger, LogLevel } from "./Logger.ts"
export type {
  ApiKeyAuth,
  Auth,
  BasicAuth,
  BearerAuth,
  ClientOptions,
  RequestOptions,
  ThrottlePolicy,
  ThrottleWindow,
  WaitOptions,
} from "./Options.ts"
export type {
  TrackerReference,
  WorkingSetReference,
  WorkingSetTrackerUpdateRequest,
  WorkingSetUpdateRequest,
} from "./WorkingSet.ts"
