// Everything that speaks to @cbjobs/core: the client configuration built from the SDK's options,
// the retry schedules for `maxRetries`, and the core's options for one call.
import * as Core from "@cbjobs/core"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import { InvalidOptionsError } from "../Errors.ts"
import type { ResolvedCallOptions, ResolvedOptions } from "./options.ts"

const retrySchedule = (
  retryable: (error: Core.CodebeamerError) => boolean,
  times: number,
): Core.RetrySchedule =>
  Core.fullJitterBackoff().pipe(
    Schedule.setInputType<Core.CodebeamerError>(),
    Core.retryWhile(retryable),
    Core.maxRetries(times),
    Core.atLeastServerWait,
  )

const retryPolicy = (maxRetries: number | undefined): Core.ClientConfig["retry"] => {
  if (maxRetries === undefined) return undefined

  if (maxRetries === 0) return false

  return {
    get: retrySchedule(Core.isRetryableGetError, maxRetries),
    post: retrySchedule(Core.isRetryablePostError, maxRetries),
  }
}

const coreAuth = (options: ResolvedOptions): Core.AuthInput => {
  const { auth } = options

  switch (auth.type) {
    case "basic":
      return { type: "basic", username: auth.username, password: auth.password }
    case "apiKey":
      return { type: "apiKey", apiKey: auth.apiKey, prefix: auth.prefix }
    case "bearer":
      return { type: "bearer", token: auth.token }
  }
}

/** The core configuration for a client, validated by the core itself. */
export const makeCoreConfig = (
  options: ResolvedOptions,
  onAttempt: (event: Core.AttemptEvent) => void,
): Core.ClientConfig => {
  const input: Core.ClientConfigInput = {
    baseUrl: options.baseUrl,
    auth: coreAuth(options),
    timeout: options.timeoutMs,
    retry: retryPolicy(options.maxRetries),
    throttle:
      options.throttle === undefined || options.throttle === false
        ? options.throttle
        : {
            windows: options.throttle.windows.map((window) => ({
              limit: window.limit,
              window: window.windowMs,
            })),
          },
    fetch: options.fetch,
    userAgent: options.userAgent,
    headers: options.headers,
    hooks: { onAttempt },
  }
  const parsed = Core.parseClientConfig(input)

  if (Result.isFailure(parsed)) {
    const { field, reason } = parsed.failure

    throw new InvalidOptionsError(`Invalid option ${field}: ${reason}`, { option: field })
  }

  return parsed.success
}

/**
 * A call's `timeout` and `headers` as the core's per-call options; none when the call has
 * neither, so the core runs it exactly like the client's own calls.
 */
export const requestOptions = (call: ResolvedCallOptions): Core.RequestOptions | undefined =>
  call.timeoutMs === undefined && Object.keys(call.headers).length === 0
    ? undefined
    : { timeout: call.timeoutMs, headers: call.headers }
