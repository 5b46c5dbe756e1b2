import type { Auth } from "@cbjobs/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { UsageError } from "./Failure.ts"
import {
  type ConfigFile,
  configPath,
  DEFAULT_PROFILE,
  type Profile,
  readConfig,
} from "./Profiles.ts"
import { PromptAborted, promptSecret, readSecretFromStdin } from "./Secrets.ts"

/** The server to talk to and how to authenticate, with where each came from. */
export interface Connection {
  readonly baseUrl: string
  readonly auth: Auth
  /** For error hints, e.g. "profile ci" or "CODEBEAMER_* variables"; never a secret. */
  readonly credentialSource: string
}

/** The connection flags of the command line (none of them carries a secret). */
export interface ConnectionFlags {
  readonly url: string | undefined
  readonly profile: string | undefined
  readonly username: string | undefined
  readonly passwordStdin: boolean
  readonly tokenStdin: boolean
  readonly apiKeyStdin: boolean
}

type Env = Readonly<Record<string, string | undefined>>

const present = (value: string | undefined): value is string =>
  value !== undefined && value.length > 0

/**
 * Reads credentials from the core's variables: `CODEBEAMER_USERNAME` + `CODEBEAMER_PASSWORD`,
 * `CODEBEAMER_API_KEY` (+ `CODEBEAMER_API_KEY_PREFIX`) or `CODEBEAMER_TOKEN`; exactly one kind.
 *
 * @example
 * ```ts
 * authFromEnv({ CODEBEAMER_TOKEN: "eyJ…" }) // => { type: "bearer", token: <redacted> }
 * ```
 */
export const authFromEnv = (env: Env): Auth | undefined => {
  const kinds = [
    present(env.CODEBEAMER_USERNAME) || present(env.CODEBEAMER_PASSWORD) ? "basic" : undefined,
    present(env.CODEBEAMER_API_KEY) ? "apiKey" : undefined,
    present(env.CODEBEAMER_TOKEN) ? "bearer" : undefined,
  ].filter((kind) => kind !== undefined)

  if (kinds.length > 1) {
    throw new UsageError({
      message:
        `CODEBEAMER_* variables set credentials of ${kinds.length} kinds ` +
        `(${kinds.join(", ")})`,
      hint: "set exactly one of USERNAME+PASSWORD, API_KEY or TOKEN",
    })
  }

  if (present(env.CODEBEAMER_TOKEN)) {
    return { type: "bearer", token: Redacted.make(env.CODEBEAMER_TOKEN) }
  }

  if (present(env.CODEBEAMER_API_KEY)) {
    const apiKey = Redacted.make(env.CODEBEAMER_API_KEY)

    return present(env.CODEBEAMER_API_KEY_PREFIX)
      ? { type: "apiKey", apiKey, prefix: env.CODEBEAMER_API_KEY_PREFIX }
      : { type: "apiKey", apiKey }
  }

  if (kinds.length === 0) return undefined

  if (!present(env.CODEBEAMER_USERNAME) || !present(env.CODEBEAMER_PASSWORD)) {
    throw new UsageError({
      message: present(env.CODEBEAMER_USERNAME)
        ? "CODEBEAMER_USERNAME is set but CODEBEAMER_PASSWORD is not"
        : "CODEBEAMER_PASSWORD is set but CODEBEAMER_USERNAME is not",
      hint: "set both, or use --password-stdin with --username",
    })
  }

  return {
    type: "basic",
    username: env.CODEBEAMER_USERNAME,
    password: Redacted.make(env.CODEBEAMER_PASSWORD),
  }
}

/**
 * Turns a stored profile's credentials into the client's, wrapping the secret.
 *
 * @example
 * ```ts
 * authFromProfile({ url, auth: { type: "bearer", token: "eyJ…" } })
 * ```
 */
export const authFromProfile = (profile: Profile): Auth => {
  const { auth } = profile

  switch (auth.type) {
    case "basic":
      return { type: "basic", username: auth.username, password: Redacted.make(auth.password) }
    case "apiKey":
      return auth.prefix === undefined
        ? { type: "apiKey", apiKey: Redacted.make(auth.apiKey) }
        : { type: "apiKey", apiKey: Redacted.make(auth.apiKey), prefix: auth.prefix }
    case "bearer":
      return { type: "bearer", token: Redacted.make(auth.token) }
  }
}

const stdinFlag = (flags: ConnectionFlags): string | undefined => {
  const given = [
    flags.passwordStdin ? "--password-stdin" : undefined,
    flags.tokenStdin ? "--token-stdin" : undefined,
    flags.apiKeyStdin ? "--api-key-stdin" : undefined,
  ].filter((flag) => flag !== undefined)

  if (given.length > 1) {
    throw new UsageError({
      message: `${given.join(" and ")} both read stdin`,
      hint: "give only one of them",
    })
  }

  return given[0]
}

/**
 * Reads the secret a `--*-stdin` flag asks for: from the pipe, or with a hidden prompt when
 * stdin is a terminal.
 *
 * @example
 * ```ts
 * const secret = yield* readSecret("--token-stdin", "Token: ")
 * ```
 */
export const readSecret = (flag: string, question: string): Effect.Effect<string, UsageError> =>
  Effect.tryPromise({
    try: () => (process.stdin.isTTY ? promptSecret(question) : readSecretFromStdin(flag)),
    catch: (cause) =>
      cause instanceof UsageError || cause instanceof PromptAborted
        ? cause
        : new UsageError({ message: `${flag}: could not read the secret (${String(cause)})` }),
  }).pipe(
    // Ctrl-C at the prompt arrives as a key press (raw mode), not as SIGINT: end the same way.
    Effect.catchIf(
      (error): error is PromptAborted => error instanceof PromptAborted,
      () => Effect.interrupt,
    ),
  )

const selectProfile = (
  config: ConfigFile,
  flags: ConnectionFlags,
  env: Env,
  file: string,
): { readonly name: string; readonly profile: Profile; readonly explicit: boolean } | undefined => {
  const explicit = flags.profile ?? (present(env.CBJOBS_PROFILE) ? env.CBJOBS_PROFILE : undefined)

  if (explicit !== undefined) {
    const profile = config.profiles[explicit]

    if (profile === undefined) {
      const known = Object.keys(config.profiles)

      throw new UsageError({
        message: `no profile "${explicit}" in ${file}`,
        hint:
          known.length === 0
            ? `create it with: cbjobs login --profile ${explicit} --url <url>`
            : `known profiles: ${known.join(", ")}`,
      })
    }

    return { name: explicit, profile, explicit: true }
  }

  const name = config.defaultProfile ?? DEFAULT_PROFILE
  const profile = config.profiles[name]

  return profile === undefined ? undefined : { name, profile, explicit: false }
}

/**
 * Decides which server and credentials a command uses. Credentials: a `--*-stdin` flag, else a
 * profile named by `--profile`/`CBJOBS_PROFILE`, else the `CODEBEAMER_*` variables, else the
 * default profile. The URL: `--url`, else the named profile's, else `CODEBEAMER_URL`, else the
 * default profile's.
 *
 * @example
 * ```ts
 * const connection = yield* resolveConnection(flags, process.env, (line) => console.error(line))
 * ```
 */
export const resolveConnection = (
  flags: ConnectionFlags,
  env: Env,
  warn: (line: string) => void,
): Effect.Effect<Connection, UsageError> =>
  Effect.gen(function* () {
    const file = configPath(env)
    const config = yield* readConfig(file, warn)
    const selected = yield* Effect.try({
      try: () => selectProfile(config, flags, env, file),
      catch: (cause) => cause as UsageError,
    })

    const named = selected?.explicit === true ? selected : undefined
    const fallback = selected?.explicit === false ? selected : undefined
    const baseUrl =
      flags.url ??
      named?.profile.url ??
      (present(env.CODEBEAMER_URL) ? env.CODEBEAMER_URL : undefined) ??
      fallback?.profile.url

    if (baseUrl === undefined) {
      return yield* new UsageError({
        message: "no server: give --url, set CODEBEAMER_URL, or create a profile",
        hint: "run: cbjobs login --url https://host/cb/api (or try --sandbox)",
      })
    }

    const flag = yield* Effect.try({
      try: () => stdinFlag(flags),
      catch: (cause) => cause as UsageError,
    })

    if (flag !== undefined) {
      const auth = yield* authFromStdin(flag, flags, env, named?.profile ?? fallback?.profile)

      return { baseUrl, auth, credentialSource: flag }
    }

    if (named !== undefined) {
      return {
        baseUrl,
        auth: authFromProfile(named.profile),
        credentialSource: `profile ${named.name}`,
      }
    }

    // Read only now: a --*-stdin flag or a named profile wins, so a half-set or mixed
    // environment must not stop them.
    const fromEnv = yield* Effect.try({
      try: () => authFromEnv(env),
      catch: (cause) => cause as UsageError,
    })

    if (fromEnv !== undefined) {
      return { baseUrl, auth: fromEnv, credentialSource: "CODEBEAMER_* variables" }
    }

    if (fallback !== undefined) {
      return {
        baseUrl,
        auth: authFromProfile(fallback.profile),
        credentialSource: `profile ${fallback.name}`,
      }
    }

    return yield* new UsageError({
      message:
        "no credentials: set CODEBEAMER_USERNAME and CODEBEAMER_PASSWORD (or _API_KEY, _TOKEN)",
      hint: "or run cbjobs login, or pipe a secret with --password-stdin / --token-stdin",
    })
  })

const authFromStdin = (
  flag: string,
  flags: ConnectionFlags,
  env: Env,
  profile: Profile | undefined,
): Effect.Effect<Auth, UsageError> =>
  Effect.gen(function* () {
    if (flag === "--token-stdin") {
      return { type: "bearer", token: Redacted.make(yield* readSecret(flag, "Token: ")) } as const
    }

    if (flag === "--api-key-stdin") {
      const apiKey = Redacted.make(yield* readSecret(flag, "API key: "))
      const prefix = present(env.CODEBEAMER_API_KEY_PREFIX)
        ? env.CODEBEAMER_API_KEY_PREFIX
        : undefined

      return prefix === undefined
        ? ({ type: "apiKey", apiKey } as const)
        : ({ type: "apiKey", apiKey, prefix } as const)
    }

    const username =
      flags.username ??
      (present(env.CODEBEAMER_USERNAME) ? env.CODEBEAMER_USERNAME : undefined) ??
      (profile?.auth.type === "basic" ? profile.auth.username : undefined)

    if (username === undefined) {
      return yield* new UsageError({
        message: "--password-stdin needs a user name",
        hint: "give --username <name> or set CODEBEAMER_USERNAME",
      })
    }

    const password = Redacted.make(yield* readSecret(flag, `Password for ${username}: `))

    return { type: "basic", username, password } as const
  })
