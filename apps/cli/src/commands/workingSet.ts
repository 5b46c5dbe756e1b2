import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { root, switchFlag, textFlag, toGlobalOptions } from "../GlobalFlags.ts"
import { durationFlag } from "./job.ts"

const idFlag = (name: string, description: string) =>
  Flag.Int(name).pipe(Flag.withMetavar("ID"), Flag.withDescription(description), Flag.optional)

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
    from: textFlag(
      "from",
      "FILE",
      "Read the request from a JSON or YAML file (- for stdin); flags win",
    ),
    wait: switchFlag("wait", "Follow the job until it finishes, like job wait"),
    dryRun: switchFlag("dry-run", "Validate and print the request; send nothing"),
    maxWait: durationFlag("max-wait", "With --wait: give up waiting after this long (exit 8)"),
    stallAfter: durationFlag("stall-after", "With --wait: give up when the job shows no change"),
  },
  (input) =>
    Effect.gen(function* () {
      const options = toGlobalOptions(yield* root)
      // Loaded on demand, like every command's action (see commands/job.ts).
      const actions = yield* Effect.promise(() => import("../actions/workingSet.ts"))

      yield* actions.updateWorkingSetCommand(options, {
        source: Option.getOrUndefined(input.source),
        target: Option.getOrUndefined(input.target),
        trackers: input.trackers,
        projectBaseline: Option.getOrUndefined(input.projectBaseline),
        from: Option.getOrUndefined(input.from),
        wait: input.wait,
        dryRun: input.dryRun,
        maxWaitMs: Option.getOrUndefined(input.maxWait),
        stallAfterMs: Option.getOrUndefined(input.stallAfter),
      })
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
