// Starts a working-set update and waits for its job: the example that runs unchanged under
// Node 20, Node 24, Deno and Bun (plain JavaScript, no build step of its own). Only the package's
// public API is used.
//
// Environment: CODEBEAMER_URL and one of CODEBEAMER_USERNAME + CODEBEAMER_PASSWORD,
// CODEBEAMER_API_KEY (+ CODEBEAMER_API_KEY_PREFIX) or CODEBEAMER_TOKEN; CBJOBS_SOURCE_ID and
// CBJOBS_TARGET_ID name the working sets (default 1002 into 1001, the sandbox's "Release 1.0"
// into its Default Working-Set).
//
// Prints progress to stderr and one JSON line to stdout; exits 1 with the error's message.
import {
  CodebeamerClient,
  isCodebeamerError,
  jobOutcome,
  jobProgress,
  updateWorkingSet,
  waitForJob,
} from "@cbjobs/core"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"

const workingSetIds = Config.all({
  source: Config.Int("CBJOBS_SOURCE_ID").pipe(Config.withDefault(1002)),
  target: Config.Int("CBJOBS_TARGET_ID").pipe(Config.withDefault(1001)),
})

const program = Effect.gen(function* () {
  const ids = yield* workingSetIds
  const started = yield* updateWorkingSet({
    source: { id: ids.source },
    target: { id: ids.target },
  })

  console.error(`started job ${started.jobId} (${started.jobType})`)

  const job = yield* waitForJob(started.jobId, {
    pollInterval: 250,
    maxWait: "5 minutes",
    onProgress: (snapshot) =>
      console.error(
        `job ${started.jobId}: ${snapshot.backgroundJobStatus} ${jobProgress(snapshot)}%`,
      ),
  })

  return {
    jobId: started.jobId,
    status: job.backgroundJobStatus,
    outcome: jobOutcome(job)._tag,
    finishedAt: job.finishedAt?.toISOString(),
  }
})

const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(CodebeamerClient.layerConfig)))

if (exit._tag === "Success") {
  console.log(JSON.stringify(exit.value))
} else {
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  const error = failure?._tag === "Fail" ? failure.error : undefined

  console.error(isCodebeamerError(error) || error instanceof Error ? error.message : "failed")
  globalThis.process.exitCode = 1
}
