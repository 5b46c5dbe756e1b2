import type { SandboxHandle } from "@cbjobs/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CANARY_PASSWORD, makeHome, runCli, sandboxFor } from "./support/cli.ts"

let home: Awaited<ReturnType<typeof makeHome>>
let sandbox: SandboxHandle

beforeAll(async () => {
  home = await makeHome()
  sandbox = await sandboxFor()
})

afterAll(async () => {
  await sandbox?.close()
  await home?.remove()
})

// Job 1 does not exist: exit 4 (not found) proves the request got past authentication, 3 that
// the server refused the credentials.
const getJob = (flags: ReadonlyArray<string>, env: Record<string, string>, input: string) =>
  runCli(["--url", sandbox.url, ...flags, "job", "get", "1"], {
    env: { ...home.env, ...env },
    input,
  })

describe.concurrent("a --*-stdin flag wins over the CODEBEAMER_* variables", () => {
  it("takes the user name for --password-stdin from CODEBEAMER_USERNAME alone", async () => {
    const result = await getJob(
      ["--password-stdin"],
      { CODEBEAMER_USERNAME: "admin" },
      `${CANARY_PASSWORD}\n`,
    )

    expect(result.code, result.stderr).toBe(4)
    expect(result.stderr).not.toContain("CODEBEAMER_PASSWORD is not")
    expect(result.stdout + result.stderr).not.toContain(CANARY_PASSWORD)
  })

  it("reads a token or an API key from stdin with only CODEBEAMER_USERNAME set", async () => {
    const env = { CODEBEAMER_USERNAME: "admin" }
    const [token, apiKey] = await Promise.all([
      getJob(["--token-stdin"], env, sandbox.users.admin.token),
      getJob(["--api-key-stdin"], env, sandbox.users.admin.apiKey),
    ])

    expect(token.code, token.stderr).toBe(4)
    expect(apiKey.code, apiKey.stderr).toBe(4)
  })

  it("reads stdin credentials with only CODEBEAMER_PASSWORD or several kinds set", async () => {
    const [passwordOnly, mixed] = await Promise.all([
      getJob(
        ["--password-stdin", "--username", "admin"],
        { CODEBEAMER_PASSWORD: "not-the-password" },
        `${CANARY_PASSWORD}\n`,
      ),
      getJob(
        ["--token-stdin"],
        { CODEBEAMER_USERNAME: "admin", CODEBEAMER_API_KEY: "not-the-key" },
        sandbox.users.admin.token,
      ),
    ])

    expect(passwordOnly.code, passwordOnly.stderr).toBe(4)
    expect(mixed.code, mixed.stderr).toBe(4)
  })

  it("sends the password from stdin, never CODEBEAMER_PASSWORD", async () => {
    const env = { CODEBEAMER_USERNAME: "admin", CODEBEAMER_PASSWORD: CANARY_PASSWORD }
    const [wrongOnStdin, rightOnStdin] = await Promise.all([
      getJob(["--password-stdin"], env, "not-the-password\n"),
      getJob(
        ["--password-stdin"],
        { ...env, CODEBEAMER_PASSWORD: "not-the-password" },
        `${CANARY_PASSWORD}\n`,
      ),
    ])

    expect(wrongOnStdin.code, wrongOnStdin.stderr).toBe(3)
    expect(rightOnStdin.code, rightOnStdin.stderr).toBe(4)
  })

  it("prefers --username over CODEBEAMER_USERNAME for --password-stdin", async () => {
    const result = await getJob(
      ["--password-stdin", "--username", "admin"],
      { CODEBEAMER_USERNAME: "viewer" },
      `${CANARY_PASSWORD}\n`,
    )

    expect(result.code, result.stderr).toBe(4)
  })

  it("still refuses a half-set environment without a --*-stdin flag", async () => {
    const result = await getJob([], { CODEBEAMER_USERNAME: "admin" }, "")

    expect(result.code).toBe(2)
    expect(result.stderr).toContain("CODEBEAMER_USERNAME is set but CODEBEAMER_PASSWORD is not")
  })
})
