#!/usr/bin/env node
// Usage: run-everywhere <file.mjs> [--sandbox]
//
// Runs one ESM file under Node 20, Node 24, Deno and Bun and prints a line per runtime. With
// --sandbox it first starts the embedded Codebeamer sandbox and hands the file its address and
// credentials through the CODEBEAMER_* variables.
import { resolve } from "node:path"
import { runEverywhere } from "../src/runtimes.mjs"

const args = process.argv.slice(2)
const file = args.find((arg) => !arg.startsWith("--"))

if (file === undefined) {
  console.error("usage: run-everywhere <file.mjs> [--sandbox]")
  process.exit(2)
}

const env = {}
let sandbox

if (args.includes("--sandbox")) {
  const { startSandbox } = await import("@cbjobs/sandbox")
  // Four runtimes one after another from one user would trip the sandbox's 3-a-second throttle
  // with plain-fetch scripts that do not throttle themselves.
  sandbox = await startSandbox({ jobDurationMs: 1_000, throttle: false })
  env.CODEBEAMER_URL = sandbox.url
  env.CODEBEAMER_USERNAME = sandbox.credentials.username
  env.CODEBEAMER_PASSWORD = sandbox.credentials.password
}

try {
  // pnpm runs this script in its package folder; a relative path means the caller's folder.
  const results = await runEverywhere(resolve(process.env.INIT_CWD ?? ".", file), { env })

  for (const result of results) {
    const verdict = result.code === 0 ? "ok  " : "FAIL"
    const lastLine = result.stdout.trim().split("\n").at(-1) ?? ""
    console.log(
      `${verdict} ${result.runtime.padEnd(7)} ${String(result.ms).padStart(6)} ms  ${lastLine}`,
    )

    if (result.code !== 0) {
      console.log(result.stderr.trim() || result.stdout.trim())
    }
  }

  process.exitCode = results.every((result) => result.code === 0) ? 0 : 1
} finally {
  await sandbox?.close()
}
