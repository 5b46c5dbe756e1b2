import { type BackgroundJob, type CodebeamerClient, getBackgroundJob } from "@cbjobs/core"
import * as Effect from "effect/Effect"
import type { Exit } from "../Failure.ts"
import type { GlobalOptions } from "../GlobalFlags.ts"
import { followJob, showJob } from "../JobOutput.ts"
import { inSession, type Session } from "../Session.ts"

const fetchAndShow = <E>(
  options: GlobalOptions,
  fetch: (session: Session) => Effect.Effect<BackgroundJob, E, CodebeamerClient>,
): Effect.Effect<void, Exit> =>
  inSession(options, (session) =>
    Effect.gen(function* () {
      const connection = yield* session.connect
      const job = yield* fetch(session).pipe(Effect.provide(session.client(connection)))

      yield* showJob(session, job)
    }),
  )

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
): Effect.Effect<void, Exit> => fetchAndShow(options, () => getBackgroundJob(input.jobId))

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
): Effect.Effect<void, Exit> =>
  fetchAndShow(options, (session) => followJob(session, input.jobId, input))
