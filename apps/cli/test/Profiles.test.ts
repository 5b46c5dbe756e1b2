import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { authFromEnv, resolveConnection } from "../src/Connection.ts"
import { UsageError } from "../src/Failure.ts"
import {
  configDirectory,
  configPath,
  parseConfig,
  readConfig,
  saveProfile,
} from "../src/Profiles.ts"

let home: string

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "cbjobs-profiles-"))
})

afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

const noFlags = {
  url: undefined,
  profile: undefined,
  username: undefined,
  passwordStdin: false,
  tokenStdin: false,
  apiKeyStdin: false,
}

describe("config location", () => {
  it("follows XDG_CONFIG_HOME", () => {
    expect(configDirectory({ XDG_CONFIG_HOME: "/x/cfg" })).toBe("/x/cfg/cbjobs")
    expect(configPath({ XDG_CONFIG_HOME: "/x/cfg" })).toBe("/x/cfg/cbjobs/config.json")
  })
})

describe("saveProfile", () => {
  it("writes the file for its owner only, in a directory for its owner only", async () => {
    const file = join(home, "cfg", "cbjobs", "config.json")
    const profile = {
      url: "https://cb.example/cb/api",
      auth: { type: "basic", username: "alice", password: "pw" },
    } as const

    await Effect.runPromise(saveProfile(file, "ci", profile, { makeDefault: true }))

    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(join(home, "cfg", "cbjobs"))).mode & 0o777).toBe(0o700)
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      defaultProfile: "ci",
      profiles: { ci: profile },
    })
  })

  it("keeps other profiles and the default when adding one", async () => {
    const file = join(home, "config.json")
    const auth = { type: "bearer", token: "t" } as const

    await Effect.runPromise(
      saveProfile(file, "a", { url: "https://a", auth }, { makeDefault: true }),
    )
    await Effect.runPromise(
      saveProfile(file, "b", { url: "https://b", auth }, { makeDefault: false }),
    )

    const config = await Effect.runPromise(readConfig(file, () => {}))

    expect(config.defaultProfile).toBe("a")
    expect(Object.keys(config.profiles)).toEqual(["a", "b"])
  })
})

describe("readConfig", () => {
  it("reads a missing file as no profiles", async () => {
    const config = await Effect.runPromise(readConfig(join(home, "none.json"), () => {}))

    expect(config).toEqual({ profiles: {} })
  })

  it("warns when others can read the file", async () => {
    const file = join(home, "config.json")
    const warnings: Array<string> = []
    await writeFile(file, JSON.stringify({ profiles: {} }), { mode: 0o644 })

    await Effect.runPromise(readConfig(file, (line) => warnings.push(line)))

    expect(warnings.join("\n")).toContain("chmod 600")
  })

  it("never quotes the file's text when it is not JSON", async () => {
    const file = join(home, "config.json")
    await writeFile(file, '{"profiles": {"x": {"auth": {"password": canary-secret-1}}}}', {
      mode: 0o600,
    })

    const error = await Effect.runPromise(Effect.flip(readConfig(file, () => {})))

    expect(error).toBeInstanceOf(UsageError)
    expect(error.message).toContain("is not valid JSON")
    expect(JSON.stringify(error)).not.toContain("canary-secret-1")
  })

  it("names the broken field of a profile", () => {
    expect(() =>
      parseConfig({ profiles: { ci: { url: "https://x", auth: { type: "magic" } } } }, "c.json"),
    ).toThrow("c.json: profiles.ci.auth.type must be basic, apiKey or bearer")
  })
})

describe("authFromEnv", () => {
  it("reads each kind of credentials", () => {
    expect(authFromEnv({})).toBeUndefined()
    expect(authFromEnv({ CODEBEAMER_USERNAME: "u", CODEBEAMER_PASSWORD: "p" })).toMatchObject({
      type: "basic",
      username: "u",
    })
    expect(
      authFromEnv({ CODEBEAMER_API_KEY: "k", CODEBEAMER_API_KEY_PREFIX: "ApiKey" }),
    ).toMatchObject({ type: "apiKey", prefix: "ApiKey" })
    expect(authFromEnv({ CODEBEAMER_TOKEN: "t" })).toMatchObject({ type: "bearer" })
  })

  it("keeps secrets redacted", () => {
    const auth = authFromEnv({ CODEBEAMER_TOKEN: "canary-token-2" })

    expect(auth?.type === "bearer" && Redacted.value(auth.token)).toBe("canary-token-2")
    expect(JSON.stringify(auth)).not.toContain("canary-token-2")
    expect(String(auth?.type === "bearer" && auth.token)).not.toContain("canary-token-2")
  })

  it("rejects two kinds at once and half a pair", () => {
    expect(() => authFromEnv({ CODEBEAMER_TOKEN: "t", CODEBEAMER_API_KEY: "k" })).toThrow("2 kinds")
    expect(() => authFromEnv({ CODEBEAMER_USERNAME: "u" })).toThrow("CODEBEAMER_PASSWORD is not")
  })
})

describe("resolveConnection", () => {
  const env = () => ({ XDG_CONFIG_HOME: home })
  const write = (config: unknown) =>
    writeFile(join(home, "cbjobs", "config.json"), JSON.stringify(config), { mode: 0o600 })

  beforeEach(async () => {
    await Effect.runPromise(
      saveProfile(
        join(home, "cbjobs", "config.json"),
        "default",
        { url: "https://default", auth: { type: "bearer", token: "d" } },
        { makeDefault: true },
      ),
    )
  })

  it("prefers the variables over the default profile", async () => {
    const connection = await Effect.runPromise(
      resolveConnection(
        noFlags,
        { ...env(), CODEBEAMER_URL: "https://env", CODEBEAMER_TOKEN: "e" },
        () => {},
      ),
    )

    expect(connection.baseUrl).toBe("https://env")
    expect(connection.credentialSource).toBe("CODEBEAMER_* variables")
  })

  it("prefers a named profile over the variables, and --url over both", async () => {
    await write({
      profiles: {
        ci: { url: "https://ci", auth: { type: "basic", username: "c", password: "p" } },
      },
    })

    const named = await Effect.runPromise(
      resolveConnection(
        { ...noFlags, profile: "ci" },
        { ...env(), CODEBEAMER_URL: "https://env", CODEBEAMER_TOKEN: "e" },
        () => {},
      ),
    )
    const overridden = await Effect.runPromise(
      resolveConnection({ ...noFlags, profile: "ci", url: "https://flag" }, env(), () => {}),
    )

    expect(named).toMatchObject({ baseUrl: "https://ci", credentialSource: "profile ci" })
    expect(overridden.baseUrl).toBe("https://flag")
  })

  it("falls back to the default profile", async () => {
    const connection = await Effect.runPromise(resolveConnection(noFlags, env(), () => {}))

    expect(connection).toMatchObject({
      baseUrl: "https://default",
      credentialSource: "profile default",
    })
  })

  it("names the missing profile and the known ones", async () => {
    const error = await Effect.runPromise(
      Effect.flip(resolveConnection({ ...noFlags, profile: "nope" }, env(), () => {})),
    )

    expect(error.message).toContain('no profile "nope"')
    expect(error.hint).toContain("default")
  })

  it("asks for a server when nothing names one", async () => {
    await write({ profiles: {} })

    const error = await Effect.runPromise(
      Effect.flip(resolveConnection(noFlags, { ...env(), CODEBEAMER_TOKEN: "t" }, () => {})),
    )

    expect(error.message).toContain("no server")
  })
})
