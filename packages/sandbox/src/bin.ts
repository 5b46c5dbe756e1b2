/**
 * The `cbjobs-sandbox` command (`pnpm sandbox`): starts a sandbox and keeps it running until
 * SIGINT or SIGTERM. With `--json` it prints exactly one JSON line once listening.
 *
 * @example
 * ```sh
 * pnpm sandbox --port 0 --json
 * ```
 *
 * @module
 */
import { parseSandboxArgs, type SandboxCommand, usage } from "./internal/args.ts"
import { type SandboxHandle, startSandbox } from "./Sandbox.ts"

const parse = (): SandboxCommand | undefined => {
  try {
    return parseSandboxArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`cbjobs-sandbox: ${(error as Error).message}\n\n${usage}`)
    process.exitCode = 2

    return undefined
  }
}

const summary = (sandbox: SandboxHandle): string => {
  const rows = Object.values(sandbox.users).map(
    (user) => `  ${user.username.padEnd(7)} password ${user.password}  api key ${user.apiKey}`,
  )
  const projects = sandbox.seed.projects.map((project) => `${project.id} ${project.name}`)

  return [
    `Codebeamer sandbox listening on ${sandbox.url}`,
    ...rows,
    `  token for ${sandbox.credentials.username} (valid 1 h): ${sandbox.credentials.token}`,
    `Projects: ${projects.join(", ")} (seed table in packages/sandbox/README.md)`,
    "Stop with Ctrl+C.",
    "",
  ].join("\n")
}

const run = async (command: SandboxCommand): Promise<void> => {
  const sandbox = await startSandbox({
    ...command.options,
    onRequest: command.verbose
      ? (entry) => {
          const who = entry.user ?? "-"
          const line = `${entry.method} ${entry.path} ${entry.status} ${entry.durationMs}ms ${who}`

          process.stderr.write(`${line}\n`)
        }
      : undefined,
  })

  const { url, origin, users } = sandbox
  const { username, password, apiKey, token } = sandbox.credentials

  process.stdout.write(
    command.json
      ? `${JSON.stringify({ url, origin, username, password, apiKey, token, users })}\n`
      : summary(sandbox),
  )

  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }

  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

const command = parse()

if (command?.help === true) {
  process.stdout.write(usage)
} else if (command !== undefined) {
  await run(command).catch((error: unknown) => {
    process.stderr.write(`cbjobs-sandbox: ${(error as Error).message}\n`)
    process.exitCode = 1
  })
}
