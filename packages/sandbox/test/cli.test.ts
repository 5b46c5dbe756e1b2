import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parseSandboxArgs } from "../src/internal/args.ts"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli")

/** A running `tsx src/bin.ts <args>` in the package, as `pnpm sandbox` starts it. */
interface Command {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
}

const run = (args: ReadonlyArray<string>): Command => {
  const child = spawn(process.execPath, [tsxCli, "src/bin.ts", ...args], {
    cwd: packageDir,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let stdout = ""
  let stderr = ""

  child.stdout!.on("data", (chunk) => {
    stdout += String(chunk)
  })
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk)
  })

  return { child, stdout: () => stdout, stderr: () => stderr }
}

/** Waits until stdout holds a whole line; a command that never prints one fails the test. */
const firstLine = async (command: Command): Promise<string> => {
  for (let waited = 0; waited < 15_000; waited += 20) {
    const text = command.stdout()

    if (text.includes("\n")) return text.slice(0, text.indexOf("\n") + 1)

    await new Promise((resolve) => setTimeout(resolve, 20))
  }

  command.child.kill("SIGKILL")
  throw new Error(`no line on stdout; stderr: ${command.stderr()}`)
}

/** Sends `signal` and waits for the exit, killing the command if it does not stop in time. */
const stop = async (command: Command, signal: NodeJS.Signals): Promise<number | null> => {
  const exited = once(command.child, "exit")
  const deadline = setTimeout(() => command.child.kill("SIGKILL"), 10_000)

  command.child.kill(signal)

  const [code] = (await exited) as [number | null]

  clearTimeout(deadline)

  return code
}

describe("the command", () => {
  it("prints one JSON line with the URL and working credentials, stops on SIGTERM", async () => {
    const command = run(["--port", "0", "--json"])
    const line = await firstLine(command)
    const printed = JSON.parse(line) as Record<string, string>
    const basic = `Basic ${btoa(`${printed.username}:${printed.password}`)}`
    const byPassword = await fetch(`${printed.url}/v3/job/1`, {
      headers: { authorization: basic, accept: "application/json" },
    })
    const byKey = await fetch(`${printed.url}/v3/job/1`, {
      headers: { authorization: String(printed.apiKey), accept: "application/json" },
    })
    const byToken = await fetch(`${printed.url}/v3/job/1`, {
      headers: { authorization: `Bearer ${printed.token}`, accept: "application/json" },
    })
    const code = await stop(command, "SIGTERM")

    expect(command.stdout()).toBe(line)
    expect(command.stderr()).toBe("")
    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cb\/api$/)
    expect(printed.origin).toBe(printed.url!.replace("/cb/api", ""))
    expect([byPassword.status, byKey.status, byToken.status]).toEqual([404, 404, 404])
    expect(code).toBe(0)
    await expect(fetch(`${printed.url}/v3/job/1`)).rejects.toThrow()
  })

  it("prints a short human summary and stops on SIGINT", async () => {
    const command = run(["--port", "0", "--base-path", "/api", "--throttle", "off"])
    const text = await firstLine(command)
    const code = await stop(command, "SIGINT")

    expect(text).toMatch(/^Codebeamer sandbox listening on http:\/\/127\.0\.0\.1:\d+\/api\n/)
    expect(code).toBe(0)
  })

  it("exits with 2 and names the flag when one is wrong", async () => {
    const command = run(["--dates", "tomorrow"])
    const [code] = (await once(command.child, "exit")) as [number | null]

    expect(code).toBe(2)
    expect(command.stdout()).toBe("")
    expect(command.stderr()).toContain('--dates must be offset, local or mixed, got "tomorrow"')
  })
})

describe("reading the command line", () => {
  it("turns flags into sandbox options", () => {
    const command = parseSandboxArgs([
      "--port=8080",
      "--host",
      "0.0.0.0",
      "--base-path",
      "/api",
      "--job-duration",
      "250",
      "--throttle",
      "5/50",
      "--legacy-xml-429",
      "--retention",
      "1000",
      "--dates",
      "mixed",
      "--cors",
      "--json",
    ])

    expect(command).toEqual({
      options: {
        port: 8080,
        host: "0.0.0.0",
        basePath: "/api",
        jobDurationMs: 250,
        throttle: { perSecond: 5, perMinute: 50 },
        legacyXml429: true,
        retentionMs: 1000,
        dates: "mixed",
        cors: true,
      },
      json: true,
      verbose: false,
      help: false,
    })
  })

  it("turns throttling off", () => {
    expect(parseSandboxArgs(["--throttle", "off"]).options.throttle).toBe(false)
  })

  it.each([
    [["--port", "70000"], "--port"],
    [["--port", "-1"], "--port"],
    [["--job-duration", "1.5"], "--job-duration"],
    [["--throttle", "3"], "--throttle"],
    [["--throttle", "0/120"], "--throttle"],
    [["--bogus"], "bogus"],
  ])("refuses %j naming the flag", (argv, flag) => {
    expect(() => parseSandboxArgs(argv)).toThrow(flag)
  })
})
