import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as CliConfig from "effect/cli/CliConfig"
import * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { job } from "./commands/job.ts"
import { login } from "./commands/login.ts"
import { workingSet } from "./commands/workingSet.ts"
import { ExitCode } from "./ExitCode.ts"
import { Exit } from "./Failure.ts"
import { root } from "./GlobalFlags.ts"
import { colorsWanted } from "./Style.ts"
import { VERSION } from "./Version.ts"

/**
 * The whole command tree: `cbjobs job get|wait`, `cbjobs working-set update`, `cbjobs login`.
 *
 * @example
 * ```ts
 * Command.runWith(cli, { version: VERSION })(["job", "get", "56"])
 * ```
 */
export const cli = root.pipe(Command.withSubcommands([job, workingSet, login]))

// Parse errors go to stderr as one line each with a pointer to the help, instead of the help
// text on stdout: stdout belongs to results (and to --json documents).
const presenter: CliOutput.Presenter = {
  present: (event) => {
    if (event._tag === "Help" && event.reason === "Implicit") {
      // A group run without its command (`cbjobs job`): the help is the error message.
      return Effect.gen(function* () {
        const formatter = yield* CliOutput.Formatter

        yield* Console.error(formatter.formatHelpDoc(event.helpDoc))
      })
    }

    if (event._tag !== "InvalidInvocation") return CliOutput.defaultPresenter.present(event)

    const helpFor = event.commandPath.join(" ")

    return Effect.forEach(event.errors, (error) =>
      Console.error(`cbjobs: ${error.message}; see ${helpFor} --help`),
    ).pipe(Effect.asVoid)
  },
}

/**
 * The services the command tree runs with: our presenter, a formatter whose colors follow
 * `--no-color`/`NO_COLOR`, and the built-in global flags minus the interactive wizard and the
 * log level (the CLI does not log through Effect).
 *
 * @example
 * ```ts
 * runCli(args).pipe(Effect.provide(cliLayer(args)))
 * ```
 */
export const cliLayer = (args: ReadonlyArray<string>) =>
  Layer.mergeAll(
    CliOutput.layerPresenter(presenter),
    CliOutput.layer(
      CliOutput.defaultFormatter({
        colors: colorsWanted({
          flag: !args.includes("--no-color"),
          env: process.env,
          isTTY: process.stdout.isTTY === true,
        }),
      }),
    ),
    CliConfig.layer({
      builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions],
    }),
  )

/**
 * Runs the CLI on the arguments and returns the exit code: handler failures were already
 * reported (as {@link Exit}); parse errors exit 2; a defect is reported as a bug (70).
 * Interruption (Ctrl-C) is left to the runtime, which exits 130.
 *
 * @example
 * ```ts
 * const code = yield* runCli(process.argv.slice(2))
 * ```
 */
export const runCli = (args: ReadonlyArray<string>) =>
  Command.runWith(cli, { version: VERSION })(args).pipe(
    Effect.as<ExitCode>(ExitCode.Success),
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)

      const error = Cause.squash(cause)

      if (error instanceof Exit) return Effect.succeed(error.code)

      if (CliError.isCliError(error)) return Effect.succeed<ExitCode>(ExitCode.Usage)

      return Console.error(
        `cbjobs: internal error: ${error instanceof Error ? error.message : String(error)}; ` +
          "please report it with the output of --verbose",
      ).pipe(
        Effect.andThen(
          args.includes("--verbose") ? Console.error(Cause.pretty(cause)) : Effect.void,
        ),
        Effect.as<ExitCode>(ExitCode.Internal),
      )
    }),
  )
