import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { parseDuration } from "../Duration.ts"
import { root, toGlobalOptions } from "../GlobalFlags.ts"

const jobIdArgument = Argument.Int("jobId").pipe(
  Argument.withDescription("The id of the background job"),
)

/**
 * A duration flag (`--max-wait 10m`); bad text is a usage error naming the flag.
 *
 * @example
 * ```ts
 * durationFlag("max-wait", "Give up after this long")
 * ```
 */
export const durationFlag = (name: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withMetavar("DURATION"),
    Flag.withDescription(`${description}; e.g. 90s, 10m, 1h30m`),
    Flag.mapTryCatch(
      (text) => {
        const ms = parseDuration(text)

        if (ms === undefined) throw new Error(text)

        return ms
      },
      () => "a duration such as 30s, 10m or 1h30m",
    ),
    Flag.optional,
  )

// The actions load on demand, so `--help`, `--version` and usage errors never evaluate the
// client, its HTTP stack or the sandbox.
const actions = () => Effect.promise(() => import("../actions/job.ts"))

/** `cbjobs job get <jobId>`: one look at a job. */
export const jobGet = Command.make("get", { jobId: jobIdArgument }, (input) =>
  Effect.gen(function* () {
    const options = toGlobalOptions(yield* root)

    yield* (yield* actions()).getJob(options, input)
  }),
).pipe(
  Command.withDescription(
    "Show a job: status, type, progress, step in progress, dates, submitter and each step",
  ),
  Command.withExamples([
    { command: "cbjobs job get 56", description: "the summary" },
    { command: "cbjobs job get 56 --json | jq .backgroundJobStatus", description: "as JSON" },
  ]),
)

/** `cbjobs job wait <jobId>`: follow a job until it finishes. */
export const jobWait = Command.make(
  "wait",
  {
    jobId: jobIdArgument,
    maxWait: durationFlag("max-wait", "Give up waiting after this long (exit 8)"),
    stallAfter: durationFlag("stall-after", "Give up when the job shows no change this long"),
  },
  (input) =>
    Effect.gen(function* () {
      const options = toGlobalOptions(yield* root)

      yield* (yield* actions()).waitJob(options, {
        jobId: input.jobId,
        maxWaitMs: Option.getOrUndefined(input.maxWait),
        stallAfterMs: Option.getOrUndefined(input.stallAfter),
      })
    }),
).pipe(
  Command.withDescription("Follow a job until it finishes; exit 1 if a step failed"),
  Command.withExamples([
    { command: "cbjobs job wait 56 --max-wait 30m", description: "give up after 30 minutes" },
    {
      command: "cbjobs job wait 56 --json --progress=ndjson 2>events.ndjson",
      description: "final job on stdout, progress events on stderr",
    },
  ]),
)

/** `cbjobs job`: the job commands. */
export const job = Command.make("job").pipe(
  Command.withDescription("Inspect and follow background jobs"),
  Command.withSubcommands([jobGet, jobWait]),
)
