import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { useSandbox } from "./support/sandbox.ts"

const example = fileURLToPath(new URL("../examples/start-and-wait.mjs", import.meta.url))
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url))

const sandbox = useSandbox()

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

// Runs the example as a user would, with plain Node on the built package.
const runExample = (environment: Record<string, string>, args: Array<string> = []): Promise<Run> =>
  new Promise((resolve) => {
    if (!existsSync(built)) throw new Error(`${built} is missing: run the build first`)

    const child = execFile(
      process.execPath,
      [example, ...args],
      { env: { PATH: process.env.PATH ?? "", ...environment }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(child.exitCode ?? 1) : 0, stdout, stderr })
      },
    )
  })

describe("examples/start-and-wait.mjs", () => {
  it("starts an update, prints rising progress and the outcome", async () => {
    const { username, password } = sandbox().credentials
    const run = await runExample({
      CODEBEAMER_URL: sandbox().url,
      CODEBEAMER_USERNAME: username,
      CODEBEAMER_PASSWORD: password,
    })
    const progress = [...run.stdout.matchAll(/: \w+ (\d+)%/g)].map((match) => Number(match[1]))

    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^outcome: succeeded, job \d+ finished at \d{4}-/m)
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(run.stdout).not.toContain(password)
  })

  it("prints a typed error and exits with 1 when the credentials are wrong", async () => {
    const run = await runExample({
      CODEBEAMER_URL: sandbox().url,
      CODEBEAMER_API_KEY: "not-the-key",
    })

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^outcome: error, UnauthorizedError: /m)
  })

  it("prints the failed step when the job fails", async () => {
    const { token } = sandbox().credentials
    const failing = sandbox().seed.failing
    const run = await runExample({ CODEBEAMER_URL: sandbox().url, CODEBEAMER_TOKEN: token }, [
      "1002",
      "1003",
      String(failing.trackerId),
    ])

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^outcome: failed, job \d+: .+: .+/m)
  })
})
