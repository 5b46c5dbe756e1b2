import { readFile } from "node:fs/promises"
import { extname } from "node:path"
import { updateWorkingSet } from "@cbjobs/core"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "../Failure.ts"
import { type GlobalOptions, root, toGlobalOptions } from "../GlobalFlags.ts"
import { followJob, showJob } from "../JobOutput.ts"
import { renderEvent } from "../Progress.ts"
import { makeSession, reported, type Session } from "../Session.ts"
import {
  checkRequest,
  mergeRequest,
  normalizeRequestDocument,
  type UpdateFlags,
} from "../WorkingSetRequest.ts"
import { durationFlag } from "./job.ts"

const UPDATE_PATH = "/v3/jobs/working-set-update"

const idFlag = (name: string, description: string) =>
  Flag.Int(name).pipe(Flag.withMetavar("ID"), Flag.withDescription(description), Flag.optional)

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

/** `cbjobs working-set update`: start a working-set update job, optionally wait for it. */
export const workingSetUpdate = Command.make(
  "update",
  {
    source: idFlag("source", "Source working set id (left out: the Default Working-Set)"),
    target: idFlag("target", "Target working set id (left out: the Default Working-Set)"),
    trackers: Flag.String("tracker").pipe(
      Flag.withMetavar("ID[:CBQL]"),
      Flag.withDescription(
        "A target tracker to replace, narrowed by cbql; repeat for more (none: all trackers)",
      ),
      Flag.atLeast(0),
    ),
    projectBaseline: idFlag("project-baseline", "Project baseline id (left out: HEAD)"),
    from: Flag.String("from").pipe(
      Flag.withMetavar("FILE"),
      Flag.withDescription("Read the request from a JSON or YAML file (- for stdin); flags win"),
      Flag.optional,
    ),
    wait: Flag.Boolean("wait").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Follow the job until it finishes, like job wait"),
    ),
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDefault(false),
      Flag.withDescription("Validate and print the request; send nothing"),
    ),
    maxWait: durationFlag("max-wait", "With --wait: give up waiting after this long (exit 8)"),
    stallAfter: durationFlag("stall-after", "With --wait: give up when the job shows no change"),
  },
  (input) =>
    Effect.gen(function* () {
      const options = toGlobalOptions(yield* root)
      const session = makeSession(options)

      yield* reported(
        session,
        Effect.scoped(
          Effect.gen(function* () {
            if (!input.wait && (Option.isSome(input.maxWait) || Option.isSome(input.stallAfter))) {
              return yield* new UsageError({
                message: "--max-wait and --stall-after limit the waiting of --wait",
                hint: "add --wait, or follow the job later with cbjobs job wait <id>",
              })
            }

            const from = Option.getOrUndefined(input.from)
            const fromFile = from === undefined ? {} : yield* readRequestFile(from, options)
            const flags: UpdateFlags = {
              source: Option.getOrUndefined(input.source),
              target: Option.getOrUndefined(input.target),
              projectBaseline: Option.getOrUndefined(input.projectBaseline),
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
              maxWaitMs: Option.getOrUndefined(input.maxWait),
              stallAfterMs: Option.getOrUndefined(input.stallAfter),
            }).pipe(Effect.provide(client))

            yield* showJob(session, job)
          }),
        ),
      )
    }),
).pipe(
  Command.withDescription(
    "Start a job that merges a source working set into a target, replacing the listed " +
      "target trackers completely",
  ),
  Command.withExamples([
    {
      command: "cbjobs working-set update --source 1002 --target 1001 --tracker 3101 --wait",
      description: "merge one tracker and wait for the job",
    },
    {
      command: "cbjobs working-set update --from update.yaml --tracker \"3102:status = 'Open'\"",
      description: "a request from a file, one tracker narrowed by cbql",
    },
    {
      command: "cbjobs working-set update --source 1002 --dry-run --json > request.json",
      description: "check a request without sending it",
    },
  ]),
)

/** `cbjobs working-set`: the working-set commands. */
export const workingSet = Command.make("working-set").pipe(
  Command.withDescription("Update working sets (streams) from other working sets"),
  Command.withSubcommands([workingSetUpdate]),
)
