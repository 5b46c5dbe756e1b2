import { readFile } from "node:fs/promises"
import { extname } from "node:path"
import { updateWorkingSet } from "@cbjobs/core"
import * as Effect from "effect/Effect"
import { type Exit, UsageError } from "../Failure.ts"
import type { GlobalOptions } from "../GlobalFlags.ts"
import { followJob, showJob } from "../JobOutput.ts"
import { renderEvent } from "../Progress.ts"
import { inSession, type Session } from "../Session.ts"
import {
  checkRequest,
  mergeRequest,
  normalizeRequestDocument,
  type UpdateFlags,
} from "../WorkingSetRequest.ts"

const UPDATE_PATH = "/v3/jobs/working-set-update"

const readStdinText = async (): Promise<string> => {
  const chunks: Array<Buffer> = []

  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
  }

  return Buffer.concat(chunks).toString("utf8")
}

const firstLine = (cause: unknown): string =>
  (cause instanceof Error ? cause.message : String(cause)).split("\n")[0] ?? ""

const parseDocument = async (text: string, file: string): Promise<unknown> => {
  if (extname(file).toLowerCase() === ".json") return JSON.parse(text)

  // YAML is a superset of JSON, so one parser reads both; loaded only when a file needs it.
  const { parse } = await import("yaml")

  return parse(text)
}

/**
 * Reads the request of `--from <file>` (JSON or YAML; `-` is stdin).
 *
 * @example
 * ```ts
 * const fromFile = yield* readRequestFile("update.yaml", globals)
 * ```
 */
export const readRequestFile = (
  file: string,
  options: GlobalOptions,
): Effect.Effect<Record<string, unknown>, UsageError> => {
  if (file === "-" && (options.passwordStdin || options.tokenStdin || options.apiKeyStdin)) {
    return Effect.fail(
      new UsageError({
        message: "--from - and a --*-stdin flag both want stdin",
        hint: "put the request in a file, or the credentials in CODEBEAMER_* variables",
      }),
    )
  }

  const name = file === "-" ? "stdin" : file

  return Effect.tryPromise({
    try: async () => {
      const text = file === "-" ? await readStdinText() : await readFile(file, "utf8")

      return normalizeRequestDocument(await parseDocument(text, file))
    },
    catch: (cause) =>
      cause instanceof UsageError
        ? new UsageError({ message: `--from ${name}: ${cause.message}`, hint: cause.hint ?? "" })
        : new UsageError({
            message: `--from ${name}: ${firstLine(cause)}`,
            hint: "give a JSON or YAML file with source, target, projectBaselineId, trackers",
          }),
  })
}

const printDryRun = (session: Session, request: unknown) => {
  const { output, options } = session
  const document = JSON.stringify(request, null, 2)

  if (options.json || options.quiet) return output.stdout(document)

  const baseUrl = options.sandbox
    ? "<embedded sandbox>"
    : (options.url ?? process.env.CODEBEAMER_URL ?? "<base URL>")

  output.stdout(
    `${output.stdoutStyle.bold("Dry run: nothing was sent.")} The request would be:\n` +
      `POST ${baseUrl.replace(/\/+$/, "")}${UPDATE_PATH}\n${document}`,
  )
}

/** The parsed flags of `cbjobs working-set update`. */
export interface UpdateInput {
  readonly source: number | undefined
  readonly target: number | undefined
  readonly trackers: ReadonlyArray<string>
  readonly projectBaseline: number | undefined
  readonly from: string | undefined
  readonly wait: boolean
  readonly dryRun: boolean
  readonly maxWaitMs: number | undefined
  readonly stallAfterMs: number | undefined
}

/**
 * What `cbjobs working-set update` does: build and check the request, print it for `--dry-run`,
 * or send it and report the job, following it with `--wait`.
 *
 * @example
 * ```ts
 * yield* updateWorkingSetCommand(globals, { source: 1002, trackers: ["3101"], wait: true, ... })
 * ```
 */
export const updateWorkingSetCommand = (
  options: GlobalOptions,
  input: UpdateInput,
): Effect.Effect<void, Exit> =>
  inSession(options, (session) =>
    Effect.gen(function* () {
      if (!input.wait && (input.maxWaitMs !== undefined || input.stallAfterMs !== undefined)) {
        return yield* new UsageError({
          message: "--max-wait and --stall-after limit the waiting of --wait",
          hint: "add --wait, or follow the job later with cbjobs job wait <id>",
        })
      }

      const from = input.from
      const fromFile = from === undefined ? {} : yield* readRequestFile(from, options)
      const flags: UpdateFlags = {
        source: input.source,
        target: input.target,
        projectBaseline: input.projectBaseline,
        trackers: input.trackers,
      }
      const request = yield* Effect.try({
        try: () =>
          checkRequest(
            mergeRequest(fromFile, flags),
            from === undefined ? "from the flags" : "from --from and the flags",
          ),
        catch: (cause) => cause as UsageError,
      })

      if (input.dryRun) return printDryRun(session, request)

      const connection = yield* session.connect
      const client = session.client(connection)
      const reference = yield* updateWorkingSet(request).pipe(
        Effect.provide(client),
        Effect.onInterrupt(() =>
          Effect.sync(() =>
            session.output.stderr(
              "Interrupted while starting the job: the server may have started it anyway; " +
                "check the target working set before trying again.",
            ),
          ),
        ),
      )
      const { jobId } = reference

      if (!input.wait) {
        if (options.json) session.output.stdout(JSON.stringify(reference, null, 2))
        else if (options.quiet) session.output.stdout(String(jobId))
        else {
          session.output.stdout(
            `Started job ${jobId} (${reference.jobType}). ` +
              (options.sandbox
                ? "The sandbox stops with this process; use --wait to follow the job."
                : `Follow it with: cbjobs job wait ${jobId}`),
          )
        }

        return
      }

      session.note(
        `Started job ${jobId} (${reference.jobType}); waiting for it. ` +
          "Ctrl-C stops the waiting, not the job.",
      )

      if (session.progressMode === "ndjson") {
        session.output.stderr(
          renderEvent("submitted", {
            jobId,
            status: "NEW",
            percent: 0,
            elapsedMs: 0,
          }),
        )
      }

      const job = yield* followJob(session, jobId, {
        maxWaitMs: input.maxWaitMs,
        stallAfterMs: input.stallAfterMs,
      }).pipe(Effect.provide(client))

      yield* showJob(session, job)
    }),
  )
