import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import * as Effect from "effect/Effect"
import { UsageError } from "./Failure.ts"

/** Credentials as stored in a profile; the secret is kept in a file only its owner can read. */
export type StoredAuth =
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | { readonly type: "apiKey"; readonly apiKey: string; readonly prefix?: string }
  | { readonly type: "bearer"; readonly token: string }

/** A named server and the credentials to use on it. */
export interface Profile {
  readonly url: string
  readonly auth: StoredAuth
}

/** The whole config file: named profiles and the one used when none is named. */
export interface ConfigFile {
  readonly defaultProfile?: string
  readonly profiles: Readonly<Record<string, Profile>>
}

/** The name of the profile used when neither `--profile` nor `CBJOBS_PROFILE` names one. */
export const DEFAULT_PROFILE = "default"

/**
 * The directory holding `config.json`: `$XDG_CONFIG_HOME/cbjobs`, else `~/.config/cbjobs`
 * (`%APPDATA%\cbjobs` on Windows).
 *
 * @example
 * ```ts
 * configDirectory({ XDG_CONFIG_HOME: "/tmp/cfg" }) // => "/tmp/cfg/cbjobs"
 * ```
 */
export const configDirectory = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): string => {
  const xdg = env.XDG_CONFIG_HOME

  if (xdg !== undefined && xdg.length > 0) return join(xdg, "cbjobs")

  if (process.platform === "win32" && env.APPDATA !== undefined) return join(env.APPDATA, "cbjobs")

  return join(homedir(), ".config", "cbjobs")
}

/**
 * The path of the config file.
 *
 * @example
 * ```ts
 * configPath({ XDG_CONFIG_HOME: "/tmp/cfg" }) // => "/tmp/cfg/cbjobs/config.json"
 * ```
 */
export const configPath = (env: Readonly<Record<string, string | undefined>> = process.env) =>
  join(configDirectory(env), "config.json")

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0

const readAuth = (value: unknown, field: string, file: string): StoredAuth => {
  const bad = (what: string) =>
    new UsageError({
      message: `${file}: ${field}${what}`,
      hint: "run cbjobs login again to rewrite the profile",
    })

  if (!isRecord(value)) throw bad(" is missing")

  switch (value.type) {
    case "basic":
      if (!isText(value.username)) throw bad(".username is missing")
      if (!isText(value.password)) throw bad(".password is missing")
      return { type: "basic", username: value.username, password: value.password }
    case "apiKey":
      if (!isText(value.apiKey)) throw bad(".apiKey is missing")
      return isText(value.prefix)
        ? { type: "apiKey", apiKey: value.apiKey, prefix: value.prefix }
        : { type: "apiKey", apiKey: value.apiKey }
    case "bearer":
      if (!isText(value.token)) throw bad(".token is missing")
      return { type: "bearer", token: value.token }
    default:
      throw bad(".type must be basic, apiKey or bearer")
  }
}

/**
 * Checks the parsed content of a config file; the error names the file and the field.
 *
 * @example
 * ```ts
 * parseConfig({ profiles: {} }, "config.json") // => { profiles: {} }
 * ```
 */
export const parseConfig = (document: unknown, file: string): ConfigFile => {
  if (!isRecord(document) || !isRecord(document.profiles)) {
    throw new UsageError({
      message: `${file}: expected an object with "profiles"`,
      hint: "fix or delete the file, then run cbjobs login",
    })
  }

  const profiles: Record<string, Profile> = {}

  for (const [name, profile] of Object.entries(document.profiles)) {
    if (!isRecord(profile) || !isText(profile.url)) {
      throw new UsageError({
        message: `${file}: profiles.${name}.url is missing`,
        hint: "run cbjobs login again to rewrite the profile",
      })
    }

    profiles[name] = {
      url: profile.url,
      auth: readAuth(profile.auth, `profiles.${name}.auth`, file),
    }
  }

  return isText(document.defaultProfile)
    ? { defaultProfile: document.defaultProfile, profiles }
    : { profiles }
}

/**
 * Reads the config file; a missing file is an empty config. Warns (through `warn`) when the file
 * can be read by others than its owner.
 *
 * @example
 * ```ts
 * const config = yield* readConfig(configPath(), (line) => console.error(line))
 * ```
 */
export const readConfig = (
  file: string,
  warn: (line: string) => void,
): Effect.Effect<ConfigFile, UsageError> =>
  Effect.tryPromise({
    try: async () => {
      let text: string

      try {
        text = await readFile(file, "utf8")
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} }
        throw cause
      }

      if (process.platform !== "win32") {
        const { mode } = await stat(file)

        if ((mode & 0o077) !== 0) {
          warn(`warning: ${file} is readable by other users; run: chmod 600 ${file}`)
        }
      }

      let document: unknown

      try {
        document = JSON.parse(text)
      } catch {
        // The parser's message quotes the text around the error, which may be a secret.
        throw new UsageError({
          message: `${file} is not valid JSON`,
          hint: "fix or delete the file, then run cbjobs login",
        })
      }

      return parseConfig(document, file)
    },
    catch: (cause) =>
      cause instanceof UsageError
        ? cause
        : new UsageError({
            message: `Cannot read ${file}: ${cause instanceof Error ? cause.message : cause}`,
            hint: "fix or delete the file, then run cbjobs login",
          }),
  })

/**
 * Adds or replaces one profile and writes the file with owner-only permissions (directory 0700,
 * file 0600), through a temporary file so a crash never leaves half a config behind.
 *
 * @example
 * ```ts
 * yield* saveProfile(configPath(), "ci", { url, auth }, { makeDefault: true })
 * ```
 */
export const saveProfile = (
  file: string,
  name: string,
  profile: Profile,
  options: { readonly makeDefault: boolean },
): Effect.Effect<void, UsageError> =>
  Effect.gen(function* () {
    const current = yield* readConfig(file, () => {})

    const next: ConfigFile = {
      ...(options.makeDefault
        ? { defaultProfile: name }
        : current.defaultProfile === undefined
          ? {}
          : { defaultProfile: current.defaultProfile }),
      profiles: { ...current.profiles, [name]: profile },
    }

    yield* Effect.tryPromise({
      try: async () => {
        const directory = dirname(file)
        await mkdir(directory, { recursive: true, mode: 0o700 })
        await chmod(directory, 0o700)

        const temporary = `${file}.${process.pid}.tmp`
        await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 })
        await chmod(temporary, 0o600)
        await rename(temporary, file)
      },
      catch: (cause) =>
        new UsageError({
          message: `Cannot write ${file}: ${cause instanceof Error ? cause.message : cause}`,
          hint: "check the permissions of the config directory or set XDG_CONFIG_HOME",
        }),
    })
  })
