import { type SandboxHandle, type SandboxOptions, startSandbox } from "@cbjobs/sandbox"
import { afterAll, beforeAll, beforeEach } from "vitest"
import {
  type ClientOptions,
  CodebeamerJobs,
  type WorkingSetUpdateRequest,
} from "../../src/index.ts"

/** Jobs short enough to wait for in a test, long enough to show progress. */
export const shortJobMs = 600

/**
 * Starts one sandbox for the test file (stopped after it, reset before each test) and returns a
 * getter, since the handle exists only once `beforeAll` has run.
 */
export const useSandbox = (options: SandboxOptions = {}): (() => SandboxHandle) => {
  let sandbox: SandboxHandle | undefined

  beforeAll(async () => {
    sandbox = await startSandbox({ jobDurationMs: shortJobMs, throttle: false, ...options })
  })

  beforeEach(() => sandbox?.reset())

  afterAll(async () => {
    await sandbox?.close()
  })

  return () => {
    if (sandbox === undefined) throw new Error("the sandbox has not started")

    return sandbox
  }
}

const clients: Array<CodebeamerJobs> = []

/** A client for the sandbox's admin, closed after the test file. */
export const clientFor = (sandbox: SandboxHandle, options: ClientOptions = {}): CodebeamerJobs => {
  const { username, password } = sandbox.credentials
  const client = new CodebeamerJobs({
    baseUrl: sandbox.url,
    auth: { username, password },
    throttle: false,
    ...options,
  })

  clients.push(client)

  return client
}

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

/** Merges the "Release 1.0" working set into "Autopilot Feature" (project Flight Control). */
export const mergeRequest = (sandbox: SandboxHandle): WorkingSetUpdateRequest => {
  const [, release, feature] = sandbox.seed.projects[0]!.workingSets

  return { source: { id: release!.id }, target: { id: feature!.id } }
}

/** A merge that ends FINISHED with a FAILED step, by the seed's failing tracker. */
export const failingRequest = (sandbox: SandboxHandle): WorkingSetUpdateRequest => ({
  ...mergeRequest(sandbox),
  trackers: [{ tracker: { id: sandbox.seed.failing.trackerId } }],
})

/** Rejection of `promise`, or a failure of the test when it resolves. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }

  throw new Error("expected the call to fail, it succeeded")
}

/** Lines written to a logger, by level. */
export const recordingLogger = () => {
  const lines: Array<{ readonly level: string; readonly line: string }> = []
  const write = (level: string) => (line: string) => {
    lines.push({ level, line })
  }

  return {
    lines,
    logger: {
      error: write("error"),
      warn: write("warn"),
      info: write("info"),
      debug: write("debug"),
    },
  }
}
