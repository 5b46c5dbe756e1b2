import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Option from "effect/Option"
import { PROGRESS_CHOICES } from "./Progress.ts"

/**
 * An on/off flag, off unless given.
 *
 * @example
 * ```ts
 * switchFlag("wait", "Follow the job until it finishes")
 * ```
 */
export const switchFlag = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDefault(false), Flag.withDescription(description))

/**
 * An optional flag that takes a text value, shown in help as `--name METAVAR`.
 *
 * @example
 * ```ts
 * textFlag("from", "FILE", "Read the request from a file")
 * ```
 */
export const textFlag = (name: string, metavar: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withMetavar(metavar),
    Flag.withDescription(description),
    Flag.optional,
  )

/**
 * The flags every command accepts, before or after its name. None of them takes a secret:
 * secrets come from the environment, a profile, or stdin (`--password-stdin`...).
 */
export const globalFlags = {
  url: textFlag("url", "URL", "Codebeamer REST API base URL, e.g. https://host/cb/api"),
  profile: textFlag("profile", "NAME", "Use the named profile from the config file"),
  sandbox: switchFlag("sandbox", "Start the embedded sandbox server and use it (a demo)"),
  username: textFlag("username", "NAME", "User name for --password-stdin (and login)"),
  passwordStdin: switchFlag("password-stdin", "Read the password from stdin"),
  tokenStdin: switchFlag("token-stdin", "Read a bearer token (JWT) from stdin"),
  apiKeyStdin: switchFlag("api-key-stdin", "Read an API key from stdin"),
  json: switchFlag("json", "Print exactly one JSON document on stdout, nothing else"),
  quiet: switchFlag("quiet", "Print only the essential result, no progress").pipe(
    Flag.withAlias("q"),
  ),
  verbose: switchFlag("verbose", "Log each HTTP attempt on stderr; stack traces on errors"),
  color: Flag.Boolean("color").pipe(
    Flag.withDefault(true),
    Flag.withNegation("no-color"),
    Flag.withDescription("Use colors on terminals (--no-color turns them off; so does NO_COLOR)"),
  ),
  progress: Flag.Literals("progress", PROGRESS_CHOICES).pipe(
    Flag.withDefault("auto"),
    Flag.withDescription("How waiting is shown: bar, plain lines, ndjson events on stderr, none"),
  ),
} as const

/** The parsed global flags, as a command handler reads them. */
export interface GlobalOptions {
  readonly url: string | undefined
  readonly profile: string | undefined
  readonly sandbox: boolean
  readonly username: string | undefined
  readonly passwordStdin: boolean
  readonly tokenStdin: boolean
  readonly apiKeyStdin: boolean
  readonly json: boolean
  readonly quiet: boolean
  readonly verbose: boolean
  readonly color: boolean
  readonly progress: (typeof PROGRESS_CHOICES)[number]
}

/**
 * The root command `cbjobs`; subcommands read the global flags by yielding it.
 *
 * @example
 * ```ts
 * const globals = toGlobalOptions(yield* root)
 * ```
 */
export const root = Command.make("cbjobs").pipe(
  Command.withSharedFlags(globalFlags),
  Command.withDescription(
    "Start, inspect and follow Codebeamer background jobs from a terminal or a CI pipeline.",
  ),
)

/**
 * Flattens the parsed flags of {@link root} into {@link GlobalOptions}.
 *
 * @example
 * ```ts
 * const globals = toGlobalOptions(yield* root)
 * ```
 */
export const toGlobalOptions = (
  parsed: Omit<GlobalOptions, "url" | "profile" | "username"> & {
    readonly url: Option.Option<string>
    readonly profile: Option.Option<string>
    readonly username: Option.Option<string>
  },
): GlobalOptions => ({
  ...parsed,
  url: Option.getOrUndefined(parsed.url),
  profile: Option.getOrUndefined(parsed.profile),
  username: Option.getOrUndefined(parsed.username),
})
