import { parseArgs } from "node:util"
import type { SandboxOptions } from "../Sandbox.ts"

/** What the command line asked for. */
export interface SandboxCommand {
  readonly options: SandboxOptions
  readonly json: boolean
  readonly verbose: boolean
  readonly help: boolean
}

/** The command's usage text. */
export const usage = `Usage: cbjobs-sandbox [options]

Starts a local Codebeamer serving the background-job API, until SIGINT or SIGTERM.

Options:
  --port <n>            port to listen on; 0 (default) picks a free one
  --host <address>      interface to bind (default 127.0.0.1)
  --base-path <path>    where the API lives (default /cb/api; hosted tenants use /api)
  --job-duration <ms>   how long a job takes from NEW to FINISHED (default 3000)
  --throttle <s/m>      requests per user a second and a minute, e.g. 3/120 (default), or off
  --legacy-xml-429      always answer 429 with the legacy text/xml body
  --retention <ms>      finished jobs answer 404 this long after finishing (default 3600000)
  --dates <style>       date-times: offset (default), local (no offset) or mixed
  --cors                answer CORS preflights, for browser clients
  --json                print one JSON line with the URL and credentials once listening
  --verbose             print each request (method, path, status, time, user) to stderr
  -h, --help            print this text
`

const whole = (flag: string, text: string, min: number, max: number): number => {
  const value = Number(text)

  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`)
  }

  return value
}

const throttleOf = (text: string): SandboxOptions["throttle"] => {
  if (text === "off") return false

  const match = /^(\d+)\/(\d+)$/.exec(text)

  if (match === null) throw new Error(`--throttle must look like 3/120 or be off, got "${text}"`)

  return {
    perSecond: whole("throttle", match[1]!, 1, 1_000_000),
    perMinute: whole("throttle", match[2]!, 1, 1_000_000),
  }
}

const datesOf = (text: string): NonNullable<SandboxOptions["dates"]> => {
  if (text === "offset" || text === "local" || text === "mixed") return text

  throw new Error(`--dates must be offset, local or mixed, got "${text}"`)
}

/**
 * Reads the command line; throws an `Error` whose message names the bad flag.
 *
 * @example
 * ```ts
 * parseSandboxArgs(["--port", "8080", "--json"]).options.port // 8080
 * ```
 */
export const parseSandboxArgs = (argv: ReadonlyArray<string>): SandboxCommand => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "base-path": { type: "string" },
      "job-duration": { type: "string" },
      throttle: { type: "string" },
      "legacy-xml-429": { type: "boolean" },
      retention: { type: "string" },
      dates: { type: "string" },
      cors: { type: "boolean" },
      json: { type: "boolean" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  })
  const maxMs = 365 * 24 * 3_600_000
  const options: SandboxOptions = {
    ...(values.port === undefined ? {} : { port: whole("port", values.port, 0, 65_535) }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values["base-path"] === undefined ? {} : { basePath: values["base-path"] }),
    ...(values["job-duration"] === undefined
      ? {}
      : { jobDurationMs: whole("job-duration", values["job-duration"], 0, maxMs) }),
    ...(values.throttle === undefined ? {} : { throttle: throttleOf(values.throttle) }),
    ...(values["legacy-xml-429"] === true ? { legacyXml429: true } : {}),
    ...(values.retention === undefined
      ? {}
      : { retentionMs: whole("retention", values.retention, 0, maxMs) }),
    ...(values.dates === undefined ? {} : { dates: datesOf(values.dates) }),
    ...(values.cors === true ? { cors: true } : {}),
  }

  return {
    options,
    json: values.json === true,
    verbose: values.verbose === true,
    help: values.help === true,
  }
}
