import { type SandboxHandle, type SandboxOptions, startSandbox } from "@cbjobs/sandbox"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { afterAll, beforeAll, beforeEach } from "vitest"
import {
  type ClientConfig,
  CodebeamerClient,
  type CodebeamerError,
  type ConfigError,
  isRetryableGetError,
  isRetryablePostError,
  maxRetries,
  type RetrySchedule,
  retryWhile,
} from "../src/index.ts"

/** Starts one sandbox for the file, resets it before each test, closes it after the file. */
export const useSandbox = (options: SandboxOptions = {}): (() => SandboxHandle) => {
  let sandbox: SandboxHandle | undefined

  beforeAll(async () => {
    sandbox = await startSandbox(options)
  })

  beforeEach(() => {
    sandbox?.reset()
  })

  afterAll(async () => {
    await sandbox?.close()
  })

  return () => {
    if (sandbox === undefined) throw new Error("the sandbox has not started")
    return sandbox
  }
}

/** Retries like the defaults, without the waits, so tests stay fast. */
export const quickRetry = (predicate: (error: CodebeamerError) => boolean): RetrySchedule =>
  Schedule.spaced("5 millis").pipe(
    Schedule.setInputType<CodebeamerError>(),
    retryWhile(predicate),
    maxRetries(4),
  )

export const quickRetries = {
  get: quickRetry(isRetryableGetError),
  post: quickRetry(isRetryablePostError),
}

/** A client of the sandbox as its admin, with throttle off and quick retries unless overridden. */
export const adminLayer = (
  sandbox: SandboxHandle,
  overrides: Partial<ClientConfig> = {},
): Layer.Layer<CodebeamerClient, ConfigError> =>
  CodebeamerClient.layer({
    baseUrl: sandbox.url,
    auth: {
      type: "basic",
      username: sandbox.credentials.username,
      password: Redacted.make(sandbox.credentials.password),
    },
    throttle: false,
    retry: quickRetries,
    ...overrides,
  })

/** Runs an effect with a client layer. */
export const run = <A, E>(
  effect: Effect.Effect<A, E, CodebeamerClient>,
  layer: Layer.Layer<CodebeamerClient, ConfigError>,
): Promise<A> => Effect.runPromise(Effect.provide(effect, layer))

/** Runs an effect that must fail, and returns its error. */
export const runError = <A, E>(
  effect: Effect.Effect<A, E, CodebeamerClient>,
  layer: Layer.Layer<CodebeamerClient, ConfigError>,
): Promise<E | ConfigError> => Effect.runPromise(Effect.flip(Effect.provide(effect, layer)))

/** A request that starts a working-set update in the sandbox's first project. */
export const releaseIntoDefault = { source: { id: 1002 }, target: { id: 1001 } } as const
