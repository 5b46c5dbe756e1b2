// The page script of the browser test: the flow of examples/start-and-wait.mjs, on the browser
// bundle, plus a typed error. The test calls `window.runFlow` and checks what it returns.
import { CodebeamerError, CodebeamerJobs, NotFoundError } from "/cbjobs-sdk.js"

window.runFlow = async (flow) => {
  const client = new CodebeamerJobs({
    baseUrl: flow.baseUrl,
    auth: { username: flow.username, password: flow.password },
  })
  const progress = []

  try {
    const job = await client.updateWorkingSetAndWait(flow.request, {
      pollInterval: 50,
      onProgress: (snapshot) => progress.push(snapshot.statusInfo?.progressPercentage ?? 0),
    })
    const failure = await client.getBackgroundJob(404404).catch((error) => error)

    return {
      status: job.backgroundJobStatus,
      finishedAtIsDate: job.finishedAt instanceof Date,
      progress,
      errorName: failure.name,
      errorStatus: failure.status,
      isNotFound: failure instanceof NotFoundError,
      isCodebeamerError: failure instanceof CodebeamerError,
      userAgent: navigator.userAgent,
    }
  } finally {
    await client.close()
  }
}
