// Everything that speaks to @cbjobs/core: the client configuration built from the SDK's options,
// the retry schedules for `maxRetries`, and the clients made for calls with their own timeout or
// headers.
import * as Core from "@cbjobs/core"
import * as Effect from "effect/Effect"
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

// Codebeamer's 429 asks for at least a second; the core reads the exact wait for its own calls.
const rateLimitPauseMs = 1_000

/**
 * A fetch that takes a slot of `throttle` for every request, so the clients made for single
 * calls count against the same limit as the client they come from.
 */
const throttledFetch = (throttle: Core.Throttle, base: typeof fetch | undefined): typeof fetch => {
  const send = base ?? ((input, init) => globalThis.fetch(input, init))

  return async (input, init) => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
    const slot = Effect.uninterruptibleMask((restore) => throttle.acquire(restore, undefined))

    await Effect.runPromise(slot, signal ? { signal } : undefined)

    try {
      const response = await send(input, init)

      if (response.status === 429) throttle.pauseUntil(Date.now() + rateLimitPauseMs)

      return response
    } finally {
      throttle.release(Date.now())
    }
  }
}

/**
 * The client for one call with its own `timeout` or `headers`: the client's configuration with
 * those changed, sharing the client's throttle. Without either, the client itself.
 */
export const serviceForCall = (
  config: Core.ClientConfig,
  call: ResolvedCallOptions,
): Effect.Effect<Core.CodebeamerClientService, Core.ConfigError, Core.CodebeamerClient> =>
  Effect.flatMap(Core.CodebeamerClient, (client) => {
    if (call.timeoutMs === undefined && Object.keys(call.headers).length === 0) {
      return Effect.succeed(client)
    }

    return Core.makeClient({
      ...config,
      timeout: call.timeoutMs ?? config.timeout,
      headers: { ...config.headers, ...call.headers },
      throttle: false,
      fetch: throttledFetch(client.throttle, config.fetch),
    })
  })
