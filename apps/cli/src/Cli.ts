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

    return Effect.forEach(reportedErrors(event.errors), (error) =>
      Console.error(`cbjobs: ${usageMessage(error)}; see ${helpFor} --help`),
    ).pipe(Effect.asVoid)
  },
}

/**
 * The parse errors worth a line each. The parser goes on after an unknown flag or command and
 * also reports the words after it, which only follow from that first mistake (and after a flag
 * may be a secret: `--password hunter2` makes `hunter2` an unknown command), so the first such
 * mistake, in the order of the arguments, is reported alone.
 */
const reportedErrors = (
  errors: ReadonlyArray<CliError.CliError>,
): ReadonlyArray<CliError.CliError> => {
  const mistake = errors.find(
    (error) => error._tag === "UnrecognizedOption" || error._tag === "UnknownSubcommand",
  )

  return mistake === undefined ? errors : [mistake]
}

/**
 * The one-line message for a parse error, without the `cbjobs:` prefix or the help pointer.
 * effect's own messages for unknown flags and commands add a multi-line "Did you mean this?"
 * block, so those two are worded here.
 *
 * @example
 * ```ts
 * const typo = { subcommand: "gt", parent: ["cbjobs", "job"], suggestions: ["get"] }
 * usageMessage(new CliError.UnknownSubcommand(typo))
 * // => 'unknown command "gt" for "cbjobs job" (did you mean "get"?)'
 * ```
 */
const usageMessage = (error: CliError.CliError): string => {
  switch (error._tag) {
    case "UnrecognizedOption":
      return unknownFlagMessage(error)
    case "UnknownSubcommand":
      return unknownCommandMessage(error)
    default:
      return error.message
  }
}

const didYouMean = (message: string, suggestions: ReadonlyArray<string>): string =>
  suggestions.length > 0 ? `${message} (did you mean ${suggestions.join(" or ")}?)` : message

const unknownCommandMessage = (error: CliError.UnknownSubcommand): string => {
  const where = error.parent === undefined ? "" : ` for ${JSON.stringify(error.parent.join(" "))}`

  return didYouMean(
    `unknown command ${JSON.stringify(error.subcommand)}${where}`,
    error.suggestions.map((suggestion) => JSON.stringify(suggestion)),
  )
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

  return didYouMean(
    `unknown flag ${flag}`,
    error.suggestions.map((suggestion) => suggestion.split("=")[0] ?? suggestion),
  )
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
