// Finds the four runtimes cbjobs supports and runs one ESM file under each of them.
//
// Node 24, Deno and Bun come from this package's devDependencies. Node 20 is the host's own
// `node`: this package's node_modules/.bin holds Node 24 and comes first on PATH inside pnpm
// scripts, so the host Node is looked up on PATH with every node_modules folder left out.
import { spawn } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"

const binDir = fileURLToPath(new URL("../node_modules/.bin/", import.meta.url))

const hostNode = () => {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir.length > 0)

  for (const dir of dirs) {
    if (dir.split(/[\\/]/).includes("node_modules")) continue

    const candidate = join(dir, "node")

    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }

  return process.execPath
}

/** The runtimes every cbjobs package must run on, in the order the matrix reports them. */
export const runtimes = [
  { name: "node20", command: hostNode(), args: (file) => [file] },
  { name: "node24", command: join(binDir, "node"), args: (file) => [file] },
  {
    name: "deno",
    command: join(binDir, "deno"),
    args: (file) => ["run", "--allow-all", "--no-lock", "--quiet", file],
  },
  { name: "bun", command: join(binDir, "bun"), args: (file) => ["run", file] },
]

/**
 * Runs `file` under one runtime and resolves with its exit code and output; it never rejects for
 * a non-zero exit, so a caller can report every runtime before judging.
 */
export const runOn = (runtime, file, options = {}) =>
  new Promise((resolve, reject) => {
    const started = performance.now()

    const child = spawn(runtime.command, runtime.args(file), {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    })

    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })

    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)

    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({
        runtime: runtime.name,
        code,
        signal,
        stdout,
        stderr,
        ms: Math.round(performance.now() - started),
      })
    })
  })

/** Runs `file` under every runtime, one after another (the machine has two cores). */
export const runEverywhere = async (file, options = {}) => {
  const results = []

  for (const runtime of runtimes) {
    results.push(await runOn(runtime, file, options))
  }

  return results
}

/** The version each runtime reports, for the matrix's header. */
export const versions = async () => {
  const probe = fileURLToPath(new URL("../fixtures/version.mjs", import.meta.url))
  const results = await runEverywhere(probe)

  return Object.fromEntries(results.map((result) => [result.runtime, result.stdout.trim()]))
}
