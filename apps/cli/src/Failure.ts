import * as Data from "effect/Data"
import type { ExitCode } from "./ExitCode.ts"

/**
 * Invalid usage or input found by the CLI itself: a bad flag value, an unreadable `--from`
 * file, missing credentials. Exits with code 2.
 *
 * @example
 * ```ts
 * new UsageError({ message: "--tracker 'x' is not a tracker id", hint: "use --tracker 12" })
 * ```
 */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
  readonly hint?: string
}> {}

/**
 * A check the CLI made on the user's behalf failed, e.g. `login` verifying credentials. Keeps
 * the exit code of the underlying failure and says what was (not) done.
 *
 * @example
 * ```ts
 * new CheckFailed({ exitCode: 3, message: "credentials not accepted", hint: "nothing was saved" })
 * ```
 */
export class CheckFailed extends Data.TaggedError("CheckFailed")<{
  readonly exitCode: ExitCode
  readonly message: string
  readonly hint: string
}> {}

/**
 * The embedded sandbox (`--sandbox`) could not start, for example because no port was free.
 *
 * @example
 * ```ts
 * new SandboxFailed({ message: "Could not start the sandbox: listen EADDRINUSE" })
 * ```
 */
export class SandboxFailed extends Data.TaggedError("SandboxFailed")<{
  readonly message: string
}> {}

/** The failures the CLI raises itself, besides those of `@cbjobs/core`. */
export type CliFailure = UsageError | CheckFailed | SandboxFailed

/**
 * A failure that was already reported on stderr; the process exits with its code. Command
 * actions end with it so that the runner prints nothing more.
 *
 * @example
 * ```ts
 * Effect.fail(new Exit({ code: ExitCode.NotFound }))
 * ```
 */
export class Exit extends Data.TaggedError("Exit")<{ readonly code: ExitCode }> {}
