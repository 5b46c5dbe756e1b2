import { getBackgroundJob } from "@cbjobs/core"
import * as Effect from "effect/Effect"
import type { Exit } from "../Failure.ts"
import type { GlobalOptions } from "../GlobalFlags.ts"
import { followJob, showJob } from "../JobOutput.ts"
import { makeSession, reported } from "../Session.ts"

/**
 * What `cbjobs job get` does: read the job once and show it.
 *
 * @example
 * ```ts
 * yield* getJob(globals, { jobId: 56 })
 * ```
 */
export const getJob = (
  options: GlobalOptions,
  input: { readonly jobId: number },
): Effect.Effect<void, Exit> => {
  const session = makeSession(options)

  return reported(
    session,
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* session.connect
        const job = yield* getBackgroundJob(input.jobId).pipe(
          Effect.provide(session.client(connection)),
        )

        yield* showJob(session, job)
      }),
    ),
  )
}

/**
 * What `cbjobs job wait` does: follow the job until it finishes, then show it.
 *
 * @example
 * ```ts
 * yield* waitJob(globals, { jobId: 56, maxWaitMs: 600_000, stallAfterMs: undefined })
 * ```
 */
export const waitJob = (
  options: GlobalOptions,
  input: {
    readonly jobId: number
    readonly maxWaitMs: number | undefined
    readonly stallAfterMs: number | undefined
  },
): Effect.Effect<void, Exit> => {
  const session = makeSession(options)

  return reported(
    session,
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* session.connect
        const job = yield* followJob(session, input.jobId, input).pipe(
          Effect.provide(session.client(connection)),
        )

        yield* showJob(session, job)
      }),
    ),
  )
}
