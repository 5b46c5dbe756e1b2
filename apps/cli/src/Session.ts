import {
  type AttemptEvent,
  type ClientConfig,
  CodebeamerClient,
  type ConfigError,
} from "@cbjobs/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { type Connection, resolveConnection } from "./Connection.ts"
import { reportFailure } from "./ErrorReport.ts"
import { Exit, SandboxFailed, UsageError } from "./Failure.ts"
import type { GlobalOptions } from "./GlobalFlags.ts"
import { makeOutput, type Output } from "./Output.ts"
import { type ProgressMode, resolveProgressMode } from "./Progress.ts"
import { VERSION } from "./Version.ts"

/** How long a job takes in the embedded sandbox: long enough to watch, short enough to wait. */
export const SANDBOX_JOB_DURATION_MS = 3_000

/** Everything a command needs from the global flags: output, progress mode, the server. */
export interface Session {
  readonly options: GlobalOptions
  readonly output: Output
  readonly progressMode: ProgressMode
  /** Notes for people (stderr); silent with `--quiet` and `--json`. */
  readonly note: (text: string) => void
  /** Resolves the server and credentials, starting the sandbox for `--sandbox`. */
  readonly connect: Effect.Effect<Connection, UsageError | SandboxFailed, Scope.Scope>
  /** The client for a connection, with `--verbose` logging each attempt. */
  readonly client: (connection: Connection) => Layer.Layer<CodebeamerClient, ConfigError>
  /** The connection in use, once known: error hints name its server. */
  readonly connection: () => Connection | undefined
}

const describeAttempt = (event: AttemptEvent): string => {
  const outcome =
    event.status !== undefined
      ? `${event.status}${event.error === undefined ? "" : ` ${event.error}`}`
      : (event.error ?? "no response")
  const retry = event.retryInMs === undefined ? "" : `, retry in ${event.retryInMs} ms`
  const took = `${Math.round(event.durationMs)} ms${retry}`

  return `cbjobs: ${event.method} ${event.path} attempt ${event.attempt}: ${outcome} (${took})`
}

const describeCause = (cause: unknown): string =>
  cause instanceof Error ? cause.message : String(cause)

const startEmbeddedSandbox = (
  options: GlobalOptions,
  note: (text: string) => void,
): Effect.Effect<Connection, UsageError | SandboxFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const conflicting = [
      options.url === undefined ? undefined : "--url",
      options.profile === undefined ? undefined : "--profile",
      options.passwordStdin ? "--password-stdin" : undefined,
      options.tokenStdin ? "--token-stdin" : undefined,
      options.apiKeyStdin ? "--api-key-stdin" : undefined,
    ].filter((flag) => flag !== undefined)

    if (conflicting.length > 0) {
      return yield* new UsageError({
        message: `--sandbox cannot be combined with ${conflicting.join(", ")}`,
        hint: "the sandbox brings its own server and admin user",
      })
    }

    // Evaluated on demand: only this flag needs the sandbox, so no other command pays its start.
    const sandbox = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const { startSandbox } = await import("@cbjobs/sandbox")

          return startSandbox({ jobDurationMs: SANDBOX_JOB_DURATION_MS })
        },
        catch: (cause) =>
          new SandboxFailed({
            message: `could not start the embedded sandbox: ${describeCause(cause)}`,
          }),
      }),
      (handle) => Effect.promise(() => handle.close()),
    )

    note(
      `Embedded sandbox at ${sandbox.url} (user ${sandbox.credentials.username}); ` +
        "it stops when cbjobs exits.",
    )

    return {
      baseUrl: sandbox.url,
      auth: {
        type: "basic",
        username: sandbox.credentials.username,
        password: Redacted.make(sandbox.credentials.password),
      },
      credentialSource: "the sandbox's admin user",
    } satisfies Connection
  })

/**
 * Builds the session for one run from the parsed global flags.
 *
 * @example
 * ```ts
 * const session = makeSession(toGlobalOptions(yield* root))
 * ```
 */
export const makeSession = (options: GlobalOptions): Session => {
  const output = makeOutput({ color: options.color, env: process.env })
  const progressMode = resolveProgressMode({
    flag: options.progress,
    json: options.json,
    quiet: options.quiet,
    stderrIsTTY: output.stderrIsTTY,
  })
  let current: Connection | undefined

  const note = (text: string) => {
    if (!options.quiet && !options.json) output.stderr(text)
  }

  const connect = (
    options.sandbox
      ? startEmbeddedSandbox(options, note)
      : resolveConnection(options, process.env, (line) => output.stderr(line))
  ).pipe(Effect.tap((resolved) => Effect.sync(() => (current = resolved))))

  const client = (connection: Connection) => {
    current = connection

    const config: ClientConfig = {
      baseUrl: connection.baseUrl,
      auth: connection.auth,
      userAgent: `cbjobs/${VERSION}`,
      ...(options.verbose
        ? { hooks: { onAttempt: (event: AttemptEvent) => output.stderr(describeAttempt(event)) } }
        : {}),
    }

    return CodebeamerClient.layer(config)
  }

  return { options, output, progressMode, note, connect, client, connection: () => current }
}

/**
 * Runs a command's body, reporting any failure as one line on stderr (with the cause under
 * `--verbose`) and turning it into an `Exit` with the failure's exit code.
 *
 * @example
 * ```ts
 * yield* reported(session, Effect.gen(function* () { ... }))
 * ```
 */
export const reported = <A, E, R>(
  session: Session,
  body: Effect.Effect<A, E, R>,
): Effect.Effect<A, Exit, R> =>
  body.pipe(
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)

      const error = Cause.squash(cause)
      const report = reportFailure(error, {
        baseUrl: session.connection()?.baseUrl,
        credentialSource: session.connection()?.credentialSource,
      })

      return Effect.sync(() => {
        session.output.stderr(report.line)

        if (session.options.verbose) session.output.stderr(Cause.pretty(cause))
      }).pipe(Effect.andThen(Effect.fail(new Exit({ code: report.exitCode }))))
    }),
  )

/**
 * Runs a command in a fresh session: the body gets the session, what it opens (the sandbox)
 * closes when it ends, and a failure is reported as `reported` does.
 *
 * @example
 * ```ts
 * yield* inSession(globals, (session) => Effect.gen(function* () { ... }))
 * ```
 */
export const inSession = <A, E>(
  options: GlobalOptions,
  body: (session: Session) => Effect.Effect<A, E, Scope.Scope>,
): Effect.Effect<A, Exit> => {
  const session = makeSession(options)

  return reported(session, Effect.scoped(body(session)))
}
