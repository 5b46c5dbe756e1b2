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
    const unknownFlag = event.errors.find(
      (error): error is CliError.UnrecognizedOption => error._tag === "UnrecognizedOption",
    )

    if (unknownFlag !== undefined) {
      return Console.error(`cbjobs: ${unknownFlagMessage(unknownFlag)}; see ${helpFor} --help`)
    }

    return Effect.forEach(event.errors, (error) =>
      Console.error(`cbjobs: ${error.message}; see ${helpFor} --help`),
    ).pipe(Effect.asVoid)
  },
}

// Where each kind of secret goes instead of a flag, by what the unknown flag's name looks like.
const SECRET_SOURCES: ReadonlyArray<readonly [RegExp, string]> = [
  [/token|jwt|bearer/i, "--token-stdin or CODEBEAMER_TOKEN"],
  [/key/i, "--api-key-stdin or CODEBEAMER_API_KEY"],
  [/pass|pwd|pw$|secret|cred|auth/i, "--password-stdin or CODEBEAMER_PASSWORD"],
]

/**
 * The one line for an unknown flag. It names only the flag: the parser takes the word after an
 * unknown flag for a stray argument or subcommand, and that word may be a secret
 * (`--password hunter2`), so the errors about it are never shown.
 *
 * @example
 * ```ts
 * unknownFlagMessage(new CliError.UnrecognizedOption({ option: "--password", suggestions: [] }))
 * // => "unknown flag --password; secrets are read from stdin or the environment, not …"
 * ```
 */
export const unknownFlagMessage = (error: CliError.UnrecognizedOption): string => {
  // `--password=hunter2` carries the secret in the flag itself.
  const flag = error.option.split("=")[0] ?? error.option
  const source = SECRET_SOURCES.find(([pattern]) => pattern.test(flag))?.[1]

  if (source !== undefined) {
    return (
      `unknown flag ${flag}; secrets are read from stdin or the environment, ` +
      `not from flags (use ${source})`
    )
  }

  const suggestions = error.suggestions.map((suggestion) => suggestion.split("=")[0])

  return suggestions.length > 0
    ? `unknown flag ${flag} (did you mean ${suggestions.join(" or ")}?)`
    : `unknown flag ${flag}`
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
