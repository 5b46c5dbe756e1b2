import { spawn } from "node:child_process"
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { SandboxHandle } from "@cbjobs/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CANARY_PASSWORD, CLI, makeHome, runCli, sandboxFor, userEnv } from "./support/cli.ts"

let home: Awaited<ReturnType<typeof makeHome>>
let sandbox: SandboxHandle

beforeAll(async () => {
  home = await makeHome()
  // Long enough that a job is still running when a CLI started on a busy machine first polls it,
  // so the bar shows a step in progress.
  sandbox = await sandboxFor({ jobDurationMs: 4_000 })
})

afterAll(async () => {
  await sandbox?.close()
  await home?.remove()
})

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/**
 * Runs the CLI on a real pseudo-terminal through `script`, `columns` wide, writing `answer` once
 * the output shows `prompt`. Returns everything the terminal showed and the exit code.
 */
const runInTerminal = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  interaction?: { readonly prompt: string; readonly answer: string },
  columns = 100,
): Promise<{ readonly code: number | null; readonly screen: string }> =>
  new Promise((resolve, reject) => {
    const cli = [process.execPath, CLI, ...args].map(quote).join(" ")
    const command = `stty cols ${columns} rows 30; ${cli}`
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: { ...env, TERM: "xterm" } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    })
    let screen = ""
    let answered = false
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      screen += chunk

      if (interaction !== undefined && !answered && screen.includes(interaction.prompt)) {
        answered = true
        child.stdin.write(interaction.answer)
      }
    })
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, screen })
    })
  })

const startJob = async () => {
  const result = await runCli(["working-set", "update", "--source", "1002", "--quiet"], {
    env: { ...home.env, ...userEnv(sandbox) },
  })

  expect(result.code, result.stderr).toBe(0)

  return result.stdout.trim()
}

describe.concurrent("on a terminal", () => {
  it("shows a live progress bar with percentage, step and elapsed time", async () => {
    const jobId = await startJob()
    const { code, screen } = await runInTerminal(["job", "wait", jobId], {
      ...home.env,
      ...userEnv(sandbox),
    })

    expect(code, screen).toBe(0)
    expect(screen).toContain("\r\x1b[2K")
    expect(screen).toMatch(new RegExp(`job ${jobId} .*█.*\\d+%.*0:0\\d`))
    expect(screen).toContain("\x1b[36m")
    expect(screen).toMatch(/FINISHED {2}.*succeeded/)
  })

  it("shows the step in progress when the terminal reports 0 columns", async () => {
    const jobId = await startJob()
    const { code, screen } = await runInTerminal(
      ["job", "wait", jobId, "--no-color"],
      { ...home.env, ...userEnv(sandbox) },
      undefined,
      0,
    )
    const steps = [
      "Validate working sets",
      "Collect source items",
      "Replace target trackers",
      "Update references",
    ].join("|")

    expect(code, screen).toBe(0)
    expect(screen).toMatch(new RegExp(`job ${jobId} [█░]{24} +\\d+% {2}(${steps}) {2}0:0\\d`))
  })

  it("asks for the password without echoing it", async () => {
    const { code, screen } = await runInTerminal(
      ["login", "--url", sandbox.url, "--username", "admin", "--profile", "tty"],
      home.env,
      { prompt: "Password for admin: ", answer: `${CANARY_PASSWORD}\r` },
    )

    expect(code, screen).toBe(0)
    expect(screen).toContain("Password for admin: ")
    expect(screen).toContain('Profile "tty" written')
    expect(screen).not.toContain(CANARY_PASSWORD)
  })
})

describe.concurrent("interruption", () => {
  it("ends with 130 and saves nothing on Ctrl-C at the password prompt", async () => {
    const own = await makeHome()

    try {
      const { code, screen } = await runInTerminal(
        ["login", "--url", sandbox.url, "--username", "admin"],
        own.env,
        { prompt: "Password for admin: ", answer: "typed-so-far\u0003" },
      )

      expect(code, screen).toBe(130)
      expect(screen).not.toContain("typed-so-far")
      await expect(stat(join(own.env.XDG_CONFIG_HOME, "cbjobs"))).rejects.toThrow()
    } finally {
      await own.remove()
    }
  })

  it("stops waiting on Ctrl-C, says the job goes on and exits 130", async () => {
    const slow = await sandboxFor({ jobDurationMs: 30_000 })

    try {
      const env = { ...home.env, ...userEnv(slow) }
      const started = await runCli(["working-set", "update", "--source", "1002", "--quiet"], {
        env,
      })
      const jobId = started.stdout.trim()
      const result = await runCli(["job", "wait", jobId], {
        env,
        onSpawn: (child, output) => {
          const poll = setInterval(() => {
            if (output.stderr().includes(`job ${jobId}:`)) {
              clearInterval(poll)
              child.kill("SIGINT")
            }
          }, 50)
          child.on("close", () => clearInterval(poll))
        },
      })

      expect(result.code).toBe(130)
      expect(result.stderr).toContain(`Stopped waiting for job ${jobId}; it goes on on the server`)
      expect(result.stderr).toContain(`cbjobs job wait ${jobId}`)
    } finally {
      await slow.close()
    }
  })
})

describe.concurrent("login and profiles", () => {
  it("saves a profile readable by its owner only and uses it", async () => {
    const own = await makeHome()

    try {
      const login = await runCli(
        ["login", "--url", sandbox.url, "--username", "admin", "--password-stdin", "--json"],
        { env: own.env, input: `${CANARY_PASSWORD}\n` },
      )

      expect(login.code, login.stderr).toBe(0)
      expect(JSON.parse(login.stdout)).toMatchObject({
        profile: "default",
        url: sandbox.url,
        verified: true,
      })
      expect(login.stdout + login.stderr).not.toContain(CANARY_PASSWORD)

      const file = join(own.env.XDG_CONFIG_HOME, "cbjobs", "config.json")
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect((await stat(join(own.env.XDG_CONFIG_HOME, "cbjobs"))).mode & 0o777).toBe(0o700)
      expect(JSON.parse(await readFile(file, "utf8")).profiles.default.url).toBe(sandbox.url)

      const get = await runCli(["job", "get", "424242"], { env: own.env })
      expect(get.code).toBe(4)
      expect(get.stderr).toContain("job 424242 not found")
    } finally {
      await own.remove()
    }
  })

  it("refuses wrong credentials and writes nothing", async () => {
    const own = await makeHome()

    try {
      const login = await runCli(
        ["login", "--url", sandbox.url, "--username", "admin", "--password-stdin"],
        { env: own.env, input: "wrong-password\n" },
      )

      expect(login.code).toBe(3)
      await expect(stat(join(own.env.XDG_CONFIG_HOME, "cbjobs", "config.json"))).rejects.toThrow()
    } finally {
      await own.remove()
    }
  })

  it("saves an API key under a named profile and selects it with --profile", async () => {
    const own = await makeHome()

    try {
      const login = await runCli(
        ["login", "--profile", "ci", "--url", sandbox.url, "--api-key-stdin", "--quiet"],
        { env: own.env, input: sandbox.credentials.apiKey },
      )

      expect(login.code, login.stderr).toBe(0)
      expect(login.stdout).toBe("")

      const [named, unknown] = await Promise.all([
        runCli(["job", "get", "424242", "--profile", "ci"], { env: own.env }),
        runCli(["job", "get", "424242", "--profile", "prod"], { env: own.env }),
      ])

      expect(named.code).toBe(4)
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('no profile "prod"')
      expect(unknown.stderr).toContain("known profiles: ci")
    } finally {
      await own.remove()
    }
  })

  it("needs a terminal or a --*-stdin flag for the secret", async () => {
    const result = await runCli(["login", "--url", sandbox.url, "--username", "admin"], {
      env: home.env,
    })

    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--password-stdin")
  })
})

describe.concurrent("the embedded sandbox", () => {
  it("runs a whole update with --sandbox and nothing else set up", async () => {
    const result = await runCli(
      ["--sandbox", "working-set", "update", "--source", "1002", "--tracker", "3101", "--wait"],
      { env: home.env, timeoutMs: 20_000 },
    )

    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("Embedded sandbox at http://127.0.0.1:")
    expect(result.stdout).toMatch(/FINISHED {2}succeeded/)
  })

  const runtimes = fileURLToPath(
    new URL("../../../tests/runtimes/node_modules/.bin/", import.meta.url),
  )

  for (const [name, command] of [
    ["bun", [join(runtimes, "bun")]],
    ["deno", [join(runtimes, "deno"), "run", "-A"]],
  ] as const) {
    it(`runs the bundle under ${name}`, async () => {
      const result = await runCli(
        ["--sandbox", "working-set", "update", "--from", "-", "--wait", "--json"],
        {
          env: { ...home.env, DENO_NO_UPDATE_CHECK: "1" },
          command,
          input: "source: 1002\ntrackers:\n  - tracker: 3101\n",
          timeoutMs: 30_000,
        },
      )

      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({
        backgroundJobStatus: "FINISHED",
        description: expect.stringContaining("(1002)"),
      })
    })
  }
})
