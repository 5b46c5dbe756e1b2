import type * as Core from "@cbjobs/core"
import {
  BadRequestError,
  type CodebeamerError,
  ConnectionError,
  ForbiddenError,
  InvalidOptionsError,
  JobFailedError,
  JobStalledError,
  NotFoundError,
  RateLimitError,
  RequestValidationError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  UnexpectedStatusError,
  UnknownOutcomeError,
  WaitTimeoutError,
} from "../Errors.ts"

/** Every tagged error the core can fail with, its configuration error included. */
export type CoreError = Core.CodebeamerError | Core.ConfigError

type Mask = (text: string) => string

const maskOptional = (mask: Mask, text: string | undefined): string | undefined =>
  text === undefined ? undefined : mask(text)

const location = (error: { readonly method: string; readonly path: string }, cause: unknown) => ({
  method: error.method,
  path: error.path,
  cause,
})

const statusDetails = (error: Core.StatusErrorFields, mask: Mask) => ({
  ...location(error, error),
  status: error.status,
  serverMessage: maskOptional(mask, error.serverMessage),
  resourceUri: error.resourceUri,
})

/**
 * Turns a core error into the SDK's class for it. Messages pass through `mask`, which blanks the
 * client's secrets, in case a server ever echoes one back.
 */
export const fromCoreError = (error: CoreError, mask: Mask): CodebeamerError => {
  const message = mask(error.message)

  switch (error._tag) {
    case "BadRequest":
      return new BadRequestError(message, statusDetails(error, mask))
    case "Unauthorized":
      return new UnauthorizedError(message, statusDetails(error, mask))
    case "Forbidden":
      return new ForbiddenError(message, statusDetails(error, mask))
    case "NotFound":
      return new NotFoundError(message, statusDetails(error, mask))
    case "ServerError":
      return new ServerError(message, statusDetails(error, mask))
    case "UnexpectedStatus":
      return new UnexpectedStatusError(message, statusDetails(error, mask))
    case "RateLimited":
      return new RateLimitError(message, {
        ...statusDetails(error, mask),
        retryAfterMs: error.retryAfterMs,
        retryAfterSource: error.retryAfterSource,
      })
    case "Transport":
      return new ConnectionError(message, { ...location(error, error), code: error.code })
    case "Timeout":
      return new TimeoutError(message, { ...location(error, error), timeoutMs: error.timeoutMs })
    case "DecodeError":
      return new ResponseValidationError(message, {
        ...location(error, error),
        status: error.status,
        field: error.field,
      })
    case "InvalidRequest":
      return new RequestValidationError(message, {
        ...location(error, error),
        field: error.field,
        reason: error.reason,
      })
    case "UnknownOutcome":
      return new UnknownOutcomeError(message, {
        ...location(error, error),
        status: error.status,
        serverMessage: maskOptional(mask, error.serverMessage),
        request: error.request,
        reason: error.reason,
      })
    case "JobFailed":
      return new JobFailedError(message, {
        cause: error,
        jobId: error.jobId,
        job: error.job,
        failedSteps: error.failedSteps,
      })
    case "WaitTimeout":
      return new WaitTimeoutError(message, {
        cause: error,
        jobId: error.jobId,
        lastJob: error.lastJob,
      })
    case "JobStalled":
      return new JobStalledError(message, {
        cause: error,
        jobId: error.jobId,
        lastJob: error.lastJob,
      })
    case "ConfigError":
      return new InvalidOptionsError(message, { option: error.field, cause: error })
  }
}
