import { fileURLToPath } from "node:url"
import { type SandboxHandle, startSandbox } from "@cbjobs/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runOn, runtimes, versions } from "../src/runtimes.mjs"

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
const workspace = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url))

/** Example scripts that must run unchanged everywhere, each from its own package's folder. */
const examples = [
  {
    name: "the core example",
    dir: "packages/core",
    file: "examples/start-and-wait.mjs",
    prints: /"outcome":"Succeeded"/,
  },
  {
    name: "the sdk example",
    dir: "packages/sdk",
    file: "examples/start-and-wait.mjs",
    prints: /FINISHED/,
  },
]

const matrix = examples.flatMap((example) =>
  runtimes.map((runtime) => [example.name, runtime.name, example, runtime] as const),
)

describe("the runtime matrix", () => {
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ jobDurationMs: 200, throttle: false })
  })

  afterAll(async () => {
    await sandbox.close()
  })

  it("finds node 20, node 24, deno 2 and bun 1", async () => {
    const found = await versions()

    expect(found.node20).toMatch(/^node 20\./)
    expect(found.node24).toMatch(/^node 24\./)
    expect(found.deno).toMatch(/^deno 2\./)
    expect(found.bun).toMatch(/^bun 1\./)
  })

  it.each(runtimes.map((runtime) => [runtime.name, runtime] as const))(
    "reaches the sandbox over loopback from %s",
    async (_name, runtime) => {
      const jobId = await startJob(sandbox)

      const result = await runOn(runtime, fixture("fetch-job.mjs"), {
        env: {
          CODEBEAMER_URL: sandbox.url,
          CODEBEAMER_USERNAME: sandbox.credentials.username,
          CODEBEAMER_PASSWORD: sandbox.credentials.password,
          CBJOBS_JOB_ID: String(jobId),
        },
      })

      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ id: jobId })
    },
  )

  it.each(matrix)(
    "runs %s on %s against the sandbox",
    async (_example, _runtime, example, runtime) => {
      const before = sandbox.counters().jobsCreated

      const result = await runOn(runtime, workspace(`${example.dir}/${example.file}`), {
        cwd: workspace(example.dir),
        env: {
          CODEBEAMER_URL: sandbox.url,
          CODEBEAMER_USERNAME: sandbox.credentials.username,
          CODEBEAMER_PASSWORD: sandbox.credentials.password,
        },
      })

      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toMatch(example.prints)
      expect(sandbox.counters().jobsCreated).toBe(before + 1)
    },
  )
})

/** Starts a working-set update through the sandbox's own HTTP API and returns its job id. */
const startJob = async (sandbox: SandboxHandle): Promise<number> => {
  const { username, password } = sandbox.credentials
  const project = sandbox.seed.projects[0]!

  const response = await fetch(`${sandbox.url}/v3/jobs/working-set-update`, {
    method: "POST",
    headers: {
      accept: "application/json",
      authorization: `Basic ${btoa(`${username}:${password}`)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ source: { id: project.workingSets[1]!.id } }),
  })

  expect(response.status).toBe(200)

  const reference = (await response.json()) as { jobId: number }

  return reference.jobId
}
