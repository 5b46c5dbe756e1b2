// Starts a working-set update, waits for its job with a progress line per change, and prints the
// outcome. Runs unchanged on Node 20+, Deno 2 and Bun 1:
//
//   CODEBEAMER_URL=http://127.0.0.1:8080/cb/api CODEBEAMER_USERNAME=admin \
//   CODEBEAMER_PASSWORD=... node examples/start-and-wait.mjs [sourceId] [targetId] [trackerId]
//
// Deno needs `--allow-env --allow-net`. The default working sets are the sandbox's "Release 1.0"
// (1002) and "Autopilot Feature" (1003); a tracker id limits the update to that tracker. Exit
// code: 0 succeeded, 1 failed or could not run.
import { CodebeamerError, CodebeamerJobs, JobFailedError } from "@cbjobs/sdk"

const argv = globalThis.Deno?.args ?? globalThis.process?.argv.slice(2) ?? []
const [sourceId = "1002", targetId = "1003", trackerId] = argv
const request = {
  source: { id: Number(sourceId) },
  target: { id: Number(targetId) },
  ...(trackerId === undefined ? {} : { trackers: [{ tracker: { id: Number(trackerId) } }] }),
}

const setExitCode = (code) => {
  if (globalThis.process !== undefined) globalThis.process.exitCode = code
  else globalThis.Deno?.exit(code)
}

let client

try {
  // Options left out come from CODEBEAMER_URL and the credential variables.
  client = new CodebeamerJobs()

  const job = await client.updateWorkingSetAndWait(request, {
    pollInterval: 200,
    maxWait: 5 * 60_000,
    onProgress: (snapshot) => {
      const info = snapshot.statusInfo ?? {}
      const step = info.stepInProgress ? ` (${info.stepInProgress})` : ""
      const percent = info.progressPercentage ?? 0

      console.log(`job ${snapshot.id}: ${snapshot.backgroundJobStatus} ${percent}%${step}`)
    },
  })

  console.log(`outcome: succeeded, job ${job.id} finished at ${job.finishedAt?.toISOString()}`)
  setExitCode(0)
} catch (error) {
  if (error instanceof JobFailedError) {
    const steps = error.failedSteps.map((step) => `${step.name}: ${step.resultMessage}`)

    console.log(`outcome: failed, job ${error.jobId}: ${steps.join("; ")}`)
  } else if (error instanceof CodebeamerError) {
    console.log(`outcome: error, ${error.name}: ${error.message}`)
  } else {
    throw error
  }

  setExitCode(1)
} finally {
  await client?.close()
}
