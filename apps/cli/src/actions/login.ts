import { type Auth, getBackgroundJob } from "@cbjobs/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type Connection, readSecret } from "../Connection.ts"
import { exitCodeFor } from "../ErrorReport.ts"
import { ExitCode } from "../ExitCode.ts"
import { CheckFailed, type Exit, UsageError } from "../Failure.ts"
import type { GlobalOptions } from "../GlobalFlags.ts"
import {
  configPath,
  DEFAULT_PROFILE,
  readConfig,
  type StoredAuth,
  saveProfile,
} from "../Profiles.ts"
import { promptLine } from "../Secrets.ts"
import { makeSession, reported, type Session } from "../Session.ts"

// No job has this id (the largest int32), so the GET proves the credentials without reading
// anything: 404 (or 403) means the server accepted them, 401 means it did not.
const PROBE_JOB_ID = 2_147_483_647

type AuthKind = "basic" | "api-key" | "token"

const present = (value: string | undefined): value is string =>
  value !== undefined && value.length > 0

const ask = (question: string, missing: UsageError): Effect.Effect<string, UsageError> =>
  process.stdin.isTTY
    ? Effect.promise(() => promptLine(question)).pipe(
        Effect.flatMap((answer) =>
          answer.length > 0 ? Effect.succeed(answer) : Effect.fail(missing),
        ),
      )
    : Effect.fail(missing)

const authKindOf = (options: GlobalOptions, flag: AuthKind): AuthKind => {
  if (options.tokenStdin) return "token"

  if (options.apiKeyStdin) return "api-key"

  return options.passwordStdin ? "basic" : flag
}

const secretFlagOf = (kind: AuthKind) =>
  kind === "token" ? "--token-stdin" : kind === "api-key" ? "--api-key-stdin" : "--password-stdin"

const readLoginSecret = (
  options: GlobalOptions,
  kind: AuthKind,
  question: string,
): Effect.Effect<string, UsageError> => {
  const flag = secretFlagOf(kind)
  const given = options.passwordStdin || options.tokenStdin || options.apiKeyStdin

  if (!given && !process.stdin.isTTY) {
    return Effect.fail(
      new UsageError({
        message: "no terminal to ask for the secret on",
        hint: `pipe it in with ${flag}`,
      }),
    )
  }

  return readSecret(flag, question)
}

const checkUrl = (text: string): Effect.Effect<string, UsageError> => {
  const url = URL.canParse(text) ? new URL(text) : undefined

  return url !== undefined && (url.protocol === "https:" || url.protocol === "http:")
    ? Effect.succeed(text.replace(/\/+$/, ""))
    : Effect.fail(
        new UsageError({
          message: `--url "${text}" is not an http(s) URL`,
          hint: "give the REST API base, e.g. https://host/cb/api",
        }),
      )
}

const verify = (session: Session, connection: Connection) =>
  getBackgroundJob(PROBE_JOB_ID).pipe(
    Effect.provide(session.client(connection)),
    Effect.asVoid,
    Effect.catchTags({ NotFound: () => Effect.void, Forbidden: () => Effect.void }),
    Effect.catch((error) => {
      const exitCode = exitCodeFor(error)
      const rejected = exitCode === ExitCode.Auth

      return Effect.fail(
        new CheckFailed({
          exitCode,
          message: rejected
            ? `${connection.baseUrl} did not accept the credentials (401); nothing was saved`
            : `could not check the credentials against ${connection.baseUrl}: ` +
              `${error.message}; nothing was saved`,
          hint: rejected
            ? "check the user name and the secret"
            : "check --url, or save without checking with --no-verify",
        }),
      )
    }),
  )

/** The parsed flags of `cbjobs login`. */
export interface LoginInput {
  readonly auth: AuthKind
  readonly apiKeyPrefix: string | undefined
  readonly setDefault: boolean
  readonly verify: boolean
}

/**
 * What `cbjobs login` does: ask for (or read) the secret, check it against the server, and save
 * the profile with owner-only permissions.
 *
 * @example
 * ```ts
 * const input = { auth: "basic", apiKeyPrefix: undefined, setDefault: false, verify: true }
 * yield* login(globals, input)
 * ```
 */
export const login = (options: GlobalOptions, input: LoginInput): Effect.Effect<void, Exit> => {
  const session = makeSession(options)

  return reported(
    session,
    Effect.gen(function* () {
      if (options.sandbox) {
        return yield* new UsageError({
          message: "login does not work with --sandbox",
          hint: "the sandbox brings its own user; just run commands with --sandbox",
        })
      }

      const env = process.env
      const profileName = options.profile ?? DEFAULT_PROFILE
      const file = configPath(env)
      const url = yield* checkUrl(
        options.url ??
          (present(env.CODEBEAMER_URL)
            ? env.CODEBEAMER_URL
            : yield* ask(
                "Codebeamer REST API URL (e.g. https://host/cb/api): ",
                new UsageError({ message: "login needs --url", hint: "give --url <base URL>" }),
              )),
      )
      const kind = authKindOf(options, input.auth)
      const prefix = input.apiKeyPrefix

      let stored: StoredAuth
      let auth: Auth
      let user: string | undefined

      if (kind === "basic") {
        const username =
          options.username ??
          (present(env.CODEBEAMER_USERNAME)
            ? env.CODEBEAMER_USERNAME
            : yield* ask(
                "Username: ",
                new UsageError({
                  message: "login needs a user name",
                  hint: "give --username <name>",
                }),
              ))
        const password = yield* readLoginSecret(options, kind, `Password for ${username}: `)

        stored = { type: "basic", username, password }
        auth = { type: "basic", username, password: Redacted.make(password) }
        user = username
      } else if (kind === "api-key") {
        const apiKey = yield* readLoginSecret(options, kind, "API key: ")

        stored =
          prefix === undefined ? { type: "apiKey", apiKey } : { type: "apiKey", apiKey, prefix }
        auth =
          prefix === undefined
            ? { type: "apiKey", apiKey: Redacted.make(apiKey) }
            : { type: "apiKey", apiKey: Redacted.make(apiKey), prefix }
      } else {
        const token = yield* readLoginSecret(options, kind, "Token: ")

        stored = { type: "bearer", token }
        auth = { type: "bearer", token: Redacted.make(token) }
      }

      if (input.verify) {
        yield* verify(session, { baseUrl: url, auth, credentialSource: "the login" })
      }

      const current = yield* readConfig(file, () => {})
      const makeDefault =
        input.setDefault ||
        (current.defaultProfile === undefined && Object.keys(current.profiles).length === 0)

      yield* saveProfile(file, profileName, { url, auth: stored }, { makeDefault })

      if (options.json) {
        session.output.stdout(
          JSON.stringify(
            {
              profile: profileName,
              url,
              auth: stored.type,
              ...(user === undefined ? {} : { username: user }),
              verified: input.verify,
              default: makeDefault || current.defaultProfile === profileName,
              configPath: file,
            },
            null,
            2,
          ),
        )
      } else if (!options.quiet) {
        session.output.stdout(
          `${input.verify ? "Credentials accepted by" : "Saved without checking"} ${url}` +
            `${user === undefined ? "" : ` (user ${user})`}. ` +
            `Profile "${profileName}" written to ${file} (readable by you only).`,
        )
      }
    }),
  )
}
