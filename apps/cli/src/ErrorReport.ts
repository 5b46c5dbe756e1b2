import { ExitCode } from "./ExitCode.ts"

/** What the CLI prints for a failure, and how it exits. */
export interface Report {
  readonly exitCode: ExitCode
  /** One line: what failed, where, and what to try. */
  readonly line: string
}

/** Where the failure happened, to make hints concrete. */
export interface ReportContext {
  readonly baseUrl?: string | undefined
  readonly credentialSource?: string | undefined
}

interface TaggedFailure {
  readonly _tag: string
  readonly message?: unknown
  readonly method?: unknown
  readonly path?: unknown
  readonly jobId?: unknown
  readonly retryAfterMs?: unknown
  readonly field?: unknown
  readonly hint?: unknown
  readonly exitCode?: unknown
}

const isTagged = (error: unknown): error is TaggedFailure =>
  typeof error === "object" &&
  error !== null &&
  typeof (error as { _tag?: unknown })._tag === "string"

const EXIT_CODES: Readonly<Record<string, ExitCode>> = {
  UsageError: ExitCode.Usage,
  InvalidRequest: ExitCode.Usage,
  BadRequest: ExitCode.Usage,
  ConfigError: ExitCode.Usage,
  JobFailed: ExitCode.JobFailed,
  Unauthorized: ExitCode.Auth,
  Forbidden: ExitCode.Auth,
  NotFound: ExitCode.NotFound,
  RateLimited: ExitCode.RateLimited,
  ServerError: ExitCode.ServerError,
  Transport: ExitCode.Network,
  Timeout: ExitCode.Network,
  SandboxFailed: ExitCode.Network,
  WaitTimeout: ExitCode.WaitTimeout,
  JobStalled: ExitCode.WaitTimeout,
  DecodeError: ExitCode.UnexpectedResponse,
  UnexpectedStatus: ExitCode.UnexpectedResponse,
  UnknownOutcome: ExitCode.UnknownOutcome,
}

/**
 * The exit code for a failure, by its `_tag`; anything unknown is a bug in cbjobs (70).
 *
 * @example
 * ```ts
 * exitCodeFor({ _tag: "NotFound" }) // => 4
 * ```
 */
export const exitCodeFor = (error: unknown): ExitCode => {
  if (!isTagged(error)) return ExitCode.Internal

  if (error._tag === "CheckFailed" && typeof error.exitCode === "number") {
    return error.exitCode as ExitCode
  }

  return EXIT_CODES[error._tag] ?? ExitCode.Internal
}

const followHint = (jobId: unknown) =>
  typeof jobId === "number"
    ? `the job goes on on the server; follow it with: cbjobs job wait ${jobId}`
    : "the job goes on on the server"

const hintFor = (error: TaggedFailure, context: ReportContext): string | undefined => {
  const server = context.baseUrl ?? "the server"
  const isPost = error.method === "POST"

  switch (error._tag) {
    case "UsageError":
      return typeof error.hint === "string" ? error.hint : "see cbjobs --help"
    case "CheckFailed":
      return typeof error.hint === "string" ? error.hint : undefined
    case "InvalidRequest":
    case "BadRequest":
      return "check the ids and the request; try --dry-run to see what would be sent"
    case "ConfigError":
      return "check --url and the CODEBEAMER_* variables, or run cbjobs login"
    case "Unauthorized":
      return context.credentialSource === undefined
        ? "check the credentials, or run cbjobs login"
        : `check the credentials (${context.credentialSource}), or run cbjobs login`
    case "Forbidden":
      return isPost
        ? "the user needs the Working-Set Admin permission on the target working set"
        : "the user lacks the permission, or the job was started by another user"
    case "NotFound":
      return isPost
        ? "check the working-set, tracker and baseline ids"
        : "check the job id; finished jobs are removed after a while"
    case "RateLimited":
      return "the server throttles requests (3/s, 120/min by default); wait a minute and try again"
    case "ServerError":
      return isPost
        ? "the server failed; check the working set's jobs before trying again"
        : "the server failed; try again later"
    case "Transport":
    case "Timeout":
      return `check that ${server} is reachable (--url, network, proxy)`
    case "DecodeError":
    case "UnexpectedStatus":
      return `check that the URL is the REST API base (e.g. https://host/cb/api): ${server}`
    case "UnknownOutcome":
      return "the server may have started a job; check the target working set before trying again"
    case "WaitTimeout":
    case "JobStalled":
      return followHint(error.jobId)
    case "JobFailed":
      return typeof error.jobId === "number" ? `see cbjobs job get ${error.jobId}` : undefined
    default:
      return undefined
  }
}

const sentence = (text: string): string => text.trim().replace(/[.:;,\s]+$/, "")

/**
 * Turns a failure into its exit code and the one line printed on stderr.
 *
 * @example
 * ```ts
 * reportFailure({ _tag: "NotFound", message: "Job 56 not found (GET /v3/job/56, 404)" }, {})
 * // => { exitCode: 4, line: "cbjobs: job 56 not found (GET /v3/job/56, 404); check the job..." }
 * ```
 */
export const reportFailure = (error: unknown, context: ReportContext): Report => {
  if (!isTagged(error)) {
    const message = error instanceof Error ? error.message : String(error)

    return {
      exitCode: ExitCode.Internal,
      line:
        `cbjobs: internal error: ${sentence(message)}; ` +
        "please report it (run with --verbose for details)",
    }
  }

  const message =
    typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag
  const hint = hintFor(error, context)

  return {
    exitCode: exitCodeFor(error),
    line: `cbjobs: ${sentence(message)}${hint === undefined ? "" : `; ${hint}`}`,
  }
}
