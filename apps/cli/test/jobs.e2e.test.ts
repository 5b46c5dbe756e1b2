import type { SandboxHandle } from "@cbjobs/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CANARY_PASSWORD, makeHome, runCli, sandboxFor, userEnv } from "./support/cli.ts"

let home: Awaited<ReturnType<typeof makeHome>>
const sandboxes: Array<SandboxHandle> = []

const sandbox = async (options: Parameters<typeof sandboxFor>[0] = {}) => {
  const handle = await sandboxFor(options)
  sandboxes.push(handle)
  return handle
}

const envFor = (handle: SandboxHandle, user: "admin" | "viewer" | "other" = "admin") => ({
  ...home.env,
  ...userEnv(handle, user),
})

const startJob = async (handle: SandboxHandle, trackers: ReadonlyArray<string> = ["3101"]) => {
  const result = await runCli(
    [
      "working-set",
      "update",
      "--source",
      "1002",
      "--target",
      "1001",
      ...trackers.flatMap((tracker) => ["--tracker", tracker]),
      "--json",
    ],
    { env: envFor(handle) },
  )

  expect(result.code, result.stderr).toBe(0)

  return JSON.parse(result.stdout) as { jobId: number; jobType: string }
}

beforeAll(async () => {
  home = await makeHome()
})

afterAll(async () => {
  await Promise.all(sandboxes.map((handle) => handle.close()))
  await home?.remove()
})

describe.concurrent("working-set update and job get", () => {
  it("starts a job and prints its reference as JSON", async () => {
    const handle = await sandbox()
    const reference = await startJob(handle)

    expect(reference).toMatchObject({ jobType: "WORKING_SET_UPDATE" })
    expect(handle.counters().jobsCreated).toBe(1)
    expect(handle.counters().requests["working-set-update"]).toBe(1)
  })

  it("prints the started job for people and just its id with --quiet", async () => {
    const handle = await sandbox()
    const args = ["working-set", "update", "--source", "1002"]
    const human = await runCli(args, { env: envFor(handle) })
    const quiet = await runCli([...args, "--quiet"], { env: envFor(handle) })

    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/Started job (\d+) \(WORKING_SET_UPDATE\)/)
    expect(human.stdout).toContain("cbjobs job wait")
    expect(quiet.code).toBe(0)
    expect(quiet.stdout.trim()).toMatch(/^\d+$/)
    expect(quiet.stderr).toBe("")
  })

  it("shows a job as a summary and as JSON", async () => {
    const handle = await sandbox()
    const { jobId } = await startJob(handle)
    const [human, json] = await Promise.all([
      runCli(["job", "get", String(jobId), "--no-color"], { env: envFor(handle) }),
      runCli(["job", "get", String(jobId), "--json"], { env: envFor(handle) }),
    ])

    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`Job ${jobId}  WORKING_SET_UPDATE`)
    expect(human.stdout).toMatch(/Progress\s+\d+%/)
    expect(human.stdout).toMatch(/Submitted by\s+Ada Admin \(1\)/)
    expect(json.code).toBe(0)

    const job = JSON.parse(json.stdout)
    expect(job).toMatchObject({ id: jobId, backgroundJobType: "WORKING_SET_UPDATE" })
    expect(typeof job.createdAt).toBe("string")
    expect(json.stderr).toBe("")
  })

  it("shows job types, step states and fields this version does not know", async () => {
    const handle = await sandbox()
    const { jobId } = await startJob(handle)
    handle.faults.body("unknown-enums", { route: "job" })
    const human = await runCli(["job", "get", String(jobId), "--no-color"], { env: envFor(handle) })
    handle.faults.body("extra-fields", { route: "job" })
    const json = await runCli(["job", "get", String(jobId), "--json"], { env: envFor(handle) })

    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^Job \d+ {2}[A-Z_]+ {2}[A-Z_]+/)
    expect(json.code, json.stderr).toBe(0)

    const job = JSON.parse(json.stdout)
    const known = ["id", "backgroundJobStatus", "backgroundJobType", "createdAt", "description"]
    const extra = Object.keys(job).filter(
      (key) =>
        !known.includes(key) && !["finishedAt", "statusInfo", "steps", "submittedBy"].includes(key),
    )
    const extraInParts = [job.statusInfo, ...(job.steps ?? [])].flatMap((part) =>
      Object.keys(part ?? {}).filter(
        (key) =>
          ![
            "type",
            "progressPercentage",
            "stepInProgress",
            "id",
            "name",
            "status",
            "result",
            "resultMessage",
          ].includes(key),
      ),
    )

    expect(extra.length + extraInParts.length).toBeGreaterThan(0)
  })

  it("exits 4 for an unknown job", async () => {
    const handle = await sandbox()
    const result = await runCli(["job", "get", "999999"], { env: envFor(handle) })

    expect(result.code).toBe(4)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^cbjobs: job 999999 not found \(GET \/v3\/job\/999999, 404\)/)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
  })

  it("exits 3 for a wrong password and for a user without permission", async () => {
    const handle = await sandbox()
    const { jobId } = await startJob(handle)
    const [wrong, viewer, other] = await Promise.all([
      runCli(["job", "get", "1"], {
        env: { ...envFor(handle), CODEBEAMER_PASSWORD: "not-the-password" },
      }),
      runCli(["working-set", "update", "--source", "1002"], { env: envFor(handle, "viewer") }),
      runCli(["job", "get", String(jobId)], { env: envFor(handle, "other") }),
    ])

    expect(wrong.code).toBe(3)
    expect(wrong.stderr).toContain("401")
    expect(wrong.stderr).toContain("CODEBEAMER_* variables")
    expect(viewer.code).toBe(3)
    expect(viewer.stderr).toContain("403")
    expect(viewer.stderr).toContain("Working-Set Admin")
    expect(other.code).toBe(3)
    expect(other.stderr).toContain("started by another user")
    expect(handle.counters().jobsCreated).toBe(1)
  })

  it("exits 4 for an unknown working set", async () => {
    const handle = await sandbox()
    const result = await runCli(["working-set", "update", "--source", "424242"], {
      env: envFor(handle),
    })

    expect(result.code).toBe(4)
    expect(result.stderr).toContain("working-set")
  })

  it("exits 5 when the server keeps answering 429", async () => {
    const handle = await sandbox()
    handle.faults.status(429, { count: 50, route: "job", retryAfterSecond: 0 })

    const result = await runCli(["job", "get", "1"], { env: envFor(handle), timeoutMs: 30_000 })

    expect(result.code).toBe(5)
    expect(result.stderr).toContain("429")
  })

  it("exits 6 when the server fails on a GET", async () => {
    const handle = await sandbox()
    handle.faults.status(503, { count: 50, route: "job" })

    const result = await runCli(["job", "get", "1"], { env: envFor(handle), timeoutMs: 30_000 })

    expect(result.code).toBe(6)
    expect(result.stderr).toContain("503")
  })

  it("exits 7 when the server cannot be reached", async () => {
    const handle = await sandbox()
    const url = handle.url
    await handle.close()

    const result = await runCli(["job", "get", "1"], {
      env: { ...home.env, ...userEnv(handle), CODEBEAMER_URL: url },
      timeoutMs: 30_000,
    })

    expect(result.code).toBe(7)
    expect(result.stderr).toContain(url)
  })

  it("exits 9 when the server answers a login page", async () => {
    const handle = await sandbox()
    handle.faults.body("html-login", { count: 50, route: "job" })

    const result = await runCli(["job", "get", "1"], { env: envFor(handle) })

    expect(result.code).toBe(9)
    expect(result.stderr).toContain("HTML login page")
  })

  it("exits 10 when the connection drops after the server started the job", async () => {
    const handle = await sandbox()
    handle.faults.destroy("after", { route: "working-set-update" })

    const result = await runCli(["working-set", "update", "--source", "1002"], {
      env: envFor(handle),
    })

    expect(result.code).toBe(10)
    expect(result.stderr).toContain("may have started a job")
    expect(handle.counters().jobsCreated).toBe(1)
    expect(handle.counters().requests["working-set-update"]).toBe(1)
  })
})

describe.concurrent("waiting", () => {
  it("waits for a job with one plain line per change and prints the final job", async () => {
    const handle = await sandbox()
    const result = await runCli(
      ["working-set", "update", "--source", "1002", "--tracker", "3101", "--wait", "--no-color"],
      { env: envFor(handle) },
    )

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/Started job \d+ \(WORKING_SET_UPDATE\); waiting/)
    expect(result.stderr).toMatch(/job \d+: (NEW|IN_PROGRESS) \d+%/)
    expect(result.stderr).toMatch(/job \d+: FINISHED 100%/)
    expect(result.stdout).toMatch(/FINISHED {2}succeeded/)
  })

  it("prints only the final job with --json and NDJSON progress on stderr", async () => {
    const handle = await sandbox()
    const { jobId } = await startJob(handle)
    const result = await runCli(["job", "wait", String(jobId), "--json", "--progress=ndjson"], {
      env: envFor(handle),
    })

    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ id: jobId, backgroundJobStatus: "FINISHED" })

    const events = result.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(events.at(-1)).toMatchObject({ event: "finished", jobId, progress: 100 })
    expect(events.filter((event) => event.event === "progress").length).toBeGreaterThan(0)
  })

  it("exits 1 and names the failed step when the job fails", async () => {
    const handle = await sandbox()
    const failing = String(handle.seed.failing.trackerId)
    const result = await runCli(
      ["working-set", "update", "--source", "1002", "--tracker", failing, "--wait", "--json"],
      { env: envFor(handle) },
    )

    expect(result.code).toBe(1)

    const job = JSON.parse(result.stdout)
    expect(job.steps.some((step: { result?: string }) => step.result === "FAILED")).toBe(true)
    expect(result.stderr).toContain("failed")
    expect(result.stderr).toContain("merge conflicts")

    const get = await runCli(["job", "get", String(job.id), "--no-color"], { env: envFor(handle) })
    expect(get.code).toBe(1)
    expect(get.stdout).toMatch(/✗ .* FAILED/)
  })

  it("exits 8 when the job does not finish within --max-wait or stalls", async () => {
    const handle = await sandbox({ jobDurationMs: 60_000 })
    const { jobId } = await startJob(handle)
    const [timedOut, stalled] = await Promise.all([
      runCli(["job", "wait", String(jobId), "--max-wait", "1s"], { env: envFor(handle) }),
      runCli(["job", "wait", String(jobId), "--stall-after", "1500ms", "--quiet"], {
        env: envFor(handle),
      }),
    ])

    expect(timedOut.code).toBe(8)
    expect(timedOut.stdout).toBe("")
    expect(timedOut.stderr).toContain(`not finished after`)
    expect(timedOut.stderr).toContain(`cbjobs job wait ${jobId}`)
    expect(stalled.code).toBe(8)
    expect(stalled.stderr).toContain(`job ${jobId} stalled`)
  })

  it("logs one redacted line per HTTP attempt with --verbose", async () => {
    const handle = await sandbox()
    handle.faults.status(503, { count: 1, route: "job" })
    const { jobId } = await startJob(handle)
    const result = await runCli(["job", "get", String(jobId), "--verbose"], { env: envFor(handle) })

    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(new RegExp(`GET /v3/job/${jobId} attempt 1: 503`))
    expect(result.stderr).toMatch(new RegExp(`GET /v3/job/${jobId} attempt 2: 200`))
  })
})

describe.concurrent("secrets", () => {
  it("never prints a password from the environment, even with --verbose and errors", async () => {
    const handle = await sandbox()
    handle.faults.status(500, { count: 1, route: "job" })
    const runs = await Promise.all([
      runCli(["job", "get", "1", "--verbose"], { env: envFor(handle) }),
      runCli(["job", "get", "abc", "--verbose"], { env: envFor(handle) }),
      runCli(["working-set", "update", "--source", "1002", "--wait", "--verbose", "--json"], {
        env: envFor(handle),
      }),
      runCli(["working-set", "update", "--source", "1002", "--dry-run", "--verbose"], {
        env: envFor(handle),
      }),
    ])

    expect(envFor(handle).CODEBEAMER_PASSWORD).toBe(CANARY_PASSWORD)
    for (const result of runs) {
      expect(result.stdout + result.stderr).not.toContain(CANARY_PASSWORD)
    }
    expect(runs[2]?.code).toBe(0)
  })

  it("reads a password from stdin and never prints it", async () => {
    const handle = await sandbox()
    const env = { ...home.env, CODEBEAMER_URL: handle.url }
    const [ok, wrong] = await Promise.all([
      runCli(["job", "get", "1", "--password-stdin", "--username", "admin", "--verbose"], {
        env,
        input: `${CANARY_PASSWORD}\n`,
      }),
      runCli(["job", "get", "1", "--password-stdin", "--username", "admin", "--verbose"], {
        env,
        input: `${CANARY_PASSWORD}-wrong\n`,
      }),
    ])

    expect(ok.code).toBe(4)
    expect(wrong.code).toBe(3)
    for (const result of [ok, wrong]) {
      expect(result.stdout + result.stderr).not.toContain(CANARY_PASSWORD)
    }
  })

  it("reads a token from stdin", async () => {
    const handle = await sandbox()
    const token = handle.credentials.token
    const result = await runCli(["job", "get", "1", "--token-stdin"], {
      env: { ...home.env, CODEBEAMER_URL: handle.url },
      input: token,
    })

    expect(result.code).toBe(4)
    expect(result.stdout + result.stderr).not.toContain(token)
  })
})
