import type * as Core from "@cbjobs/core"
import * as Errors from "../Errors.ts"

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
export const fromCoreError = (error: CoreError, mask: Mask): Errors.CodebeamerError => {
  const message = mask(error.message)

  switch (error._tag) {
    case "BadRequest":
      return new Errors.BadRequestError(message, statusDetails(error, mask))
    case "Unauthorized":
      return new Errors.UnauthorizedError(message, statusDetails(error, mask))
    case "Forbidden":
      return new Errors.ForbiddenError(message, statusDetails(error, mask))
    case "NotFound":
      return new Errors.NotFoundError(message, statusDetails(error, mask))
    case "ServerError":
      return new Errors.ServerError(message, statusDetails(error, mask))
    case "UnexpectedStatus":
      return new Errors.UnexpectedStatusError(message, statusDetails(error, mask))
    case "RateLimited":
      return new Errors.RateLimitError(message, {
        ...statusDetails(error, mask),
        retryAfterMs: error.retryAfterMs,
        retryAfterSource: error.retryAfterSource,
      })
    case "Transport":
      return new Errors.ConnectionError(message, { ...location(error, error), code: error.code })
    case "Timeout":
      return new Errors.TimeoutError(message, {
        ...location(error, error),
        timeoutMs: error.timeoutMs,
      })
    case "DecodeError":
      return new Errors.ResponseValidationError(message, {
        ...location(error, error),
        status: error.status,
        field: error.field,
      })
    case "InvalidRequest":
      // The call's own timeout and headers are options, like the client's, not the request.
      if (/^options\.(?:timeout|headers)/.test(error.field)) {
        const option = error.field.slice("options.".length)

        return new Errors.InvalidOptionsError(`Invalid option ${option}: ${error.reason}`, {
          option,
          cause: error,
        })
      }

      return new Errors.RequestValidationError(message, {
        ...location(error, error),
        field: error.field,
        reason: error.reason,
      })
    case "UnknownOutcome":
      return new Errors.UnknownOutcomeError(message, {
        ...location(error, error),
        status: error.status,
        serverMessage: maskOptional(mask, error.serverMessage),
        request: error.request,
        reason: error.reason,
      })
    case "JobFailed":
      return new Errors.JobFailedError(message, {
        cause: error,
        jobId: error.jobId,
        job: error.job,
        failedSteps: error.failedSteps,
      })
    case "WaitTimeout":
      return new Errors.WaitTimeoutError(message, {
        cause: error,
        jobId: error.jobId,
        lastJob: error.lastJob,
      })
    case "JobStalled":
      return new Errors.JobStalledError(message, {
        cause: error,
        jobId: error.jobId,
        lastJob: error.lastJob,
      })
    case "ConfigError":
      return new Errors.InvalidOptionsError(message, { option: error.field, cause: error })
  }
}
