import type * as Core from "@cbjobs/core"
import { describe, expectTypeOf, it } from "vitest"
import type * as ErrorsEntry from "../src/Errors.ts"
import {
  type AbortError,
  type ApiResponse,
  type BackgroundJob,
  type ClientOptions,
  type CodebeamerError,
  type CodebeamerErrorName,
  type CodebeamerJobs,
  type JobFailedError,
  type JobReference,
  type NotFoundError,
  RateLimitError,
  type RequestOptions,
  type WaitOptions,
  type WatchOptions,
  type WithResponse,
  type WorkingSetUpdateRequest,
} from "../src/index.ts"

// Type-level checks: `pnpm typecheck` fails when a public signature drifts; the `it` blocks make
// vitest list them.

describe("public types", () => {
  it("types the promise methods without Effect", () => {
    expectTypeOf<CodebeamerJobs["getBackgroundJob"]>().toEqualTypeOf<
      (jobId: number, options?: RequestOptions) => Promise<BackgroundJob>
    >()
    expectTypeOf<CodebeamerJobs["updateWorkingSet"]>().toEqualTypeOf<
      (request: WorkingSetUpdateRequest, options?: RequestOptions) => Promise<JobReference>
    >()
    expectTypeOf<CodebeamerJobs["waitForJob"]>().toEqualTypeOf<
      (jobId: number, options?: WaitOptions) => Promise<BackgroundJob>
    >()
    expectTypeOf<CodebeamerJobs["updateWorkingSetAndWait"]>().toEqualTypeOf<
      (request: WorkingSetUpdateRequest, options?: WaitOptions) => Promise<BackgroundJob>
    >()
    expectTypeOf<CodebeamerJobs["watchJob"]>().toEqualTypeOf<
      (jobId: number, options?: WatchOptions) => AsyncIterable<BackgroundJob>
    >()
    expectTypeOf<CodebeamerJobs["close"]>().toEqualTypeOf<() => Promise<void>>()
    expectTypeOf<CodebeamerJobs[typeof Symbol.asyncDispose]>().toEqualTypeOf<() => Promise<void>>()
  })

  it("types the withResponse calls with data and response", () => {
    expectTypeOf<
      CodebeamerJobs["withResponse"]["getBackgroundJob"]
    >().returns.resolves.toEqualTypeOf<WithResponse<BackgroundJob>>()
    expectTypeOf<
      CodebeamerJobs["withResponse"]["updateWorkingSet"]
    >().returns.resolves.toEqualTypeOf<WithResponse<JobReference>>()
    expectTypeOf<ApiResponse>().toEqualTypeOf<{
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly attempts: number
      readonly durationMs: number
    }>()
  })

  it("takes exactly one auth scheme and plain numbers for durations", () => {
    expectTypeOf<{ auth: { username: string; password: string } }>().toExtend<ClientOptions>()
    expectTypeOf<{ auth: { apiKey: string; prefix: string } }>().toExtend<ClientOptions>()
    expectTypeOf<{ auth: { token: string } }>().toExtend<ClientOptions>()
    expectTypeOf<{ auth: { username: string } }>().not.toExtend<ClientOptions>()
    expectTypeOf<{ timeout: "30 seconds" }>().not.toExtend<ClientOptions>()
    expectTypeOf<{ retry: true }>().not.toExtend<ClientOptions>()
    expectTypeOf<WaitOptions["onProgress"]>().toEqualTypeOf<
      ((job: BackgroundJob) => void) | undefined
    >()
    expectTypeOf<WatchOptions>().not.toHaveProperty("onProgress")
  })

  it("gives every error class a literal name and its own fields", () => {
    expectTypeOf<NotFoundError["name"]>().toEqualTypeOf<"NotFoundError">()
    expectTypeOf<NotFoundError["status"]>().toEqualTypeOf<404>()
    expectTypeOf<AbortError["status"]>().toEqualTypeOf<undefined>()
    expectTypeOf<RateLimitError["retryAfterMs"]>().toEqualTypeOf<number>()
    expectTypeOf<JobFailedError["failedSteps"][number]["resultMessage"]>().toEqualTypeOf<
      string | undefined
    >()
    expectTypeOf<CodebeamerError["name"]>().toEqualTypeOf<CodebeamerErrorName>()
    expectTypeOf<NotFoundError>().toExtend<CodebeamerError>()
    expectTypeOf<CodebeamerError>().toExtend<Error>()
    expectTypeOf<typeof ErrorsEntry.NotFoundError>().toEqualTypeOf<typeof NotFoundError>()
  })

  it("narrows an error by its name", () => {
    const describe = (error: CodebeamerError): string => {
      if (error instanceof RateLimitError) return `wait ${error.retryAfterMs}`

      return error.name
    }

    expectTypeOf(describe).parameter(0).toEqualTypeOf<CodebeamerError>()
  })

  it("matches the core's models both ways", () => {
    expectTypeOf<Core.BackgroundJob>().toExtend<BackgroundJob>()
    expectTypeOf<Core.JobReference>().toExtend<JobReference>()
    expectTypeOf<WorkingSetUpdateRequest>().toExtend<Core.WorkingSetUpdateRequest>()
    expectTypeOf<Core.WorkingSetUpdateRequest>().toExtend<WorkingSetUpdateRequest>()
  })
})
