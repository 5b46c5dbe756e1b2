import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type SandboxHandle, type SandboxOptions, startSandbox } from "@cbjobs/sandbox"

/** The bundled CLI the tests spawn, built by the global setup. */
export const CLI = fileURLToPath(new URL("../../dist/cbjobs.js", import.meta.url))

/** What a finished CLI process left behind. */
export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** How to spawn the CLI. */
export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Text for stdin; stdin is closed right away when absent. */
  readonly input?: string
  /** Kills the process after this long; default 15 s. */
  readonly timeoutMs?: number
  /** Called with the process right after it started, e.g. to send it a signal. */
  readonly onSpawn?: (child: ReturnType<typeof spawn>, output: { stderr: () => string }) => void
  /** The program to run the bundle with; default this Node. */
  readonly command?: ReadonlyArray<string>
}

/**
 * A clean environment: only PATH, and HOME and XDG_CONFIG_HOME in a directory of the test's
 * own, so nothing of the developer's set-up leaks in.
 */
export const makeHome = async () => {
  const home = await mkdtemp(join(tmpdir(), "cbjobs-cli-"))

  return {
    home,
    env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, "config") },
    remove: () => rm(home, { recursive: true, force: true }),
  }
}

/**
 * Spawns the built CLI and collects its output and exit code.
 *
 * @example
 * ```ts
 * const result = await runCli(["job", "get", "1"], { env })
 * ```
 */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const [program, ...prefix] = options.command ?? [process.execPath]
    const child = spawn(program ?? process.execPath, [...prefix, CLI, ...args], {
      env: { ...options.env } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000)

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })

    if (options.input === undefined) child.stdin.end()
    else child.stdin.end(options.input)

    options.onSpawn?.(child, { stderr: () => stderr })
  })

/** A canary secret: tests assert it never shows up in any output. */
export const CANARY_PASSWORD = "canary-pw-7f3a91e2"

/**
 * Starts a sandbox of the test's own (so faults of one test never hit another), with the admin's
 * password set to the canary and the throttle off unless asked for.
 *
 * @example
 * ```ts
 * const sandbox = await sandboxFor({ jobDurationMs: 500 })
 * ```
 */
export const sandboxFor = (options: SandboxOptions = {}): Promise<SandboxHandle> =>
  startSandbox({
    jobDurationMs: 800,
    throttle: false,
    users: { admin: { password: CANARY_PASSWORD } },
    ...options,
  })

/** The CODEBEAMER_* variables for a sandbox user. */
export const userEnv = (sandbox: SandboxHandle, user: "admin" | "viewer" | "other" = "admin") => ({
  CODEBEAMER_URL: sandbox.url,
  CODEBEAMER_USERNAME: sandbox.users[user].username,
  CODEBEAMER_PASSWORD: sandbox.users[user].password,
})
