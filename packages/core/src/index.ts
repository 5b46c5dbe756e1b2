/**
 * @cbjobs/core: an Effect client for Codebeamer's background-job REST API, with typed errors,
 * retry schedules, a shared throttle and a job waiter.
 *
 * @since 0.1.0
 */
export * from "./BackgroundJob.ts"
export * from "./CodebeamerClient.ts"
export * from "./Errors.ts"
export * from "./Retry.ts"
export * from "./Throttle.ts"
export * from "./Waiter.ts"
export * from "./WorkingSet.ts"
