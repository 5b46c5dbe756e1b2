import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  type ClientOptions,
  CodebeamerJobs,
  InvalidOptionsError,
  RequestValidationError,
} from "../src/index.ts"
import { rejectionOf } from "./support/sandbox.ts"

const environmentNames = [
  "CODEBEAMER_URL",
  "CODEBEAMER_USERNAME",
  "CODEBEAMER_PASSWORD",
  "CODEBEAMER_API_KEY",
  "CODEBEAMER_API_KEY_PREFIX",
  "CODEBEAMER_TOKEN",
]

const saved = new Map<string, string | undefined>()

beforeEach(() => {
  for (const name of environmentNames) {
    saved.set(name, process.env[name])
    delete process.env[name]
  }
})

afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

const baseUrl = "http://127.0.0.1:9/cb/api"
const auth = { username: "bond", password: "s3cret-canary-0071" }

const invalid = (options: unknown): InvalidOptionsError => {
  try {
    new CodebeamerJobs(options as ClientOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError)

    return error as InvalidOptionsError
  }

  throw new Error("expected the options to be refused")
}

describe("client options", () => {
  it("names baseUrl when neither the option nor CODEBEAMER_URL is set", () => {
    const error = invalid({ auth })

    expect(error.option).toBe("baseUrl")
    expect(error.message).toContain("CODEBEAMER_URL")
  })

  it("refuses a base URL with credentials without repeating them", () => {
    const error = invalid({ baseUrl: "http://bond:s3cret-canary-0071@127.0.0.1/cb/api", auth })

    expect(error.option).toBe("baseUrl")
    expect(error.message).toMatch(/credentials/)
    expect(JSON.stringify(error) + String(error.stack)).not.toContain("s3cret-canary-0071")
  })

  it("refuses a base URL that is not http or https", () => {
    expect(invalid({ baseUrl: "ftp://127.0.0.1/cb/api", auth }).option).toBe("baseUrl")
    expect(invalid({ baseUrl: "not a url", auth }).option).toBe("baseUrl")
  })

  it("refuses two authentication schemes at once", () => {
    const error = invalid({ baseUrl, auth: { ...auth, token: "abc" } })

    expect(error.option).toBe("auth")
    expect(error.message).toMatch(/exactly one/)
  })

  it("names the empty field of an auth setting and never echoes a secret", () => {
    expect(invalid({ baseUrl, auth: { username: "bond", password: "" } }).option).toBe(
      "auth.password",
    )
    expect(invalid({ baseUrl, auth: { username: "a:b", password: "x" } }).option).toBe(
      "auth.username",
    )
    expect(invalid({ baseUrl, auth: { apiKey: "  " } }).option).toBe("auth.apiKey")

    const prefixed = invalid({ baseUrl, auth: { apiKey: "s3cret-canary-0071", prefix: "Api Key" } })

    expect(prefixed.option).toBe("auth.prefix")
    expect(prefixed.message).not.toContain("s3cret-canary-0071")
  })

  it("refuses durations that are not positive milliseconds, naming the option", () => {
    for (const timeout of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, "30 s"]) {
      const error = invalid({ baseUrl, auth, timeout })

      expect(error.option).toBe("timeout")
      expect(error.message).toContain("milliseconds")
    }
  })

  it("refuses maxRetries outside 0..100 and together with retry: false", () => {
    expect(invalid({ baseUrl, auth, maxRetries: -1 }).option).toBe("maxRetries")
    expect(invalid({ baseUrl, auth, maxRetries: 1.5 }).option).toBe("maxRetries")
    expect(invalid({ baseUrl, auth, maxRetries: 101 }).option).toBe("maxRetries")
    expect(invalid({ baseUrl, auth, maxRetries: 2, retry: false }).option).toBe("maxRetries")
    expect(invalid({ baseUrl, auth, retry: true }).option).toBe("retry")
  })

  it("refuses a throttle window without a limit or a duration", () => {
    expect(invalid({ baseUrl, auth, throttle: { windows: [] } }).option).toBe("throttle")
    expect(
      invalid({ baseUrl, auth, throttle: { windows: [{ limit: 0, windowMs: 1 }] } }).option,
    ).toBe("throttle.windows[0].limit")
    expect(invalid({ baseUrl, auth, throttle: { windows: [{ limit: 3 }] } }).option).toBe(
      "throttle.windows[0].windowMs",
    )
  })

  it("refuses an Authorization header and header values with line breaks", () => {
    expect(invalid({ baseUrl, auth, headers: { Authorization: "Basic x" } }).option).toBe(
      "headers.Authorization",
    )

    const error = invalid({ baseUrl, auth, headers: { "x-trace": "a\r\nb: s3cret-canary-0071" } })

    expect(error.option).toBe("headers.x-trace")
    expect(error.message).not.toContain("s3cret-canary-0071")
  })

  it("refuses an unknown log level and a logger without the four methods", () => {
    expect(invalid({ baseUrl, auth, logLevel: "verbose" }).option).toBe("logLevel")
    expect(invalid({ baseUrl, auth, logger: { info: () => {} } }).option).toBe("logger")
  })

  it("refuses options the core rejects, naming the core's field", () => {
    expect(invalid({ baseUrl, auth, headers: { accept: "text/xml" } }).option).toBe(
      "headers.accept",
    )
  })

  it("accepts a URL object and drops trailing slashes", () => {
    const client = new CodebeamerJobs({ baseUrl: new URL("http://127.0.0.1:9/cb/api//"), auth })

    expect(client.baseUrl).toBe("http://127.0.0.1:9/cb/api")
  })
})

describe("options from the environment", () => {
  it("takes the base URL and the user from CODEBEAMER_* variables", () => {
    process.env.CODEBEAMER_URL = baseUrl
    process.env.CODEBEAMER_USERNAME = "bond"
    process.env.CODEBEAMER_PASSWORD = "s3cret-canary-0071"

    const client = new CodebeamerJobs()

    expect(client.baseUrl).toBe(baseUrl)
    expect(client.toJSON().auth).toEqual({
      type: "basic",
      username: "bond",
      password: "<redacted>",
    })
  })

  it("takes an API key with its prefix", () => {
    process.env.CODEBEAMER_URL = baseUrl
    process.env.CODEBEAMER_API_KEY = "s3cret-canary-0071"
    process.env.CODEBEAMER_API_KEY_PREFIX = "ApiKey"

    const client = new CodebeamerJobs()

    expect(client.toJSON().auth).toEqual({ type: "apiKey", prefix: "ApiKey", apiKey: "<redacted>" })
  })

  it("names both variables when two schemes are set", () => {
    process.env.CODEBEAMER_URL = baseUrl
    process.env.CODEBEAMER_TOKEN = "t0ken-canary"
    process.env.CODEBEAMER_API_KEY = "k3y-canary"

    const error = invalid(undefined)

    expect(error.option).toBe("auth")
    expect(error.message).toContain("CODEBEAMER_API_KEY")
    expect(error.message).toContain("CODEBEAMER_TOKEN")
    expect(error.message).not.toContain("canary")
  })

  it("names the missing half of a user and password", () => {
    process.env.CODEBEAMER_URL = baseUrl
    process.env.CODEBEAMER_USERNAME = "bond"

    expect(invalid({}).option).toBe("CODEBEAMER_PASSWORD")
  })

  it("names CODEBEAMER_URL when the variable is not a URL", () => {
    process.env.CODEBEAMER_URL = "cb.example.com"
    process.env.CODEBEAMER_TOKEN = "t0ken-canary"

    expect(invalid({}).option).toBe("CODEBEAMER_URL")
  })

  it("prefers options to the environment and ignores blank variables", () => {
    process.env.CODEBEAMER_URL = "   "
    process.env.CODEBEAMER_TOKEN = "t0ken-canary"

    const client = new CodebeamerJobs({ baseUrl, auth })

    expect(client.toJSON().auth).toMatchObject({ type: "basic", username: "bond" })
    expect(invalid({ auth }).option).toBe("baseUrl")
  })
})

describe("call options", () => {
  const client = () => new CodebeamerJobs({ baseUrl, auth })

  it("rejects a call with a bad timeout before sending anything", async () => {
    const error = await rejectionOf(client().getBackgroundJob(1, { timeout: -1 }))

    expect(error).toBeInstanceOf(InvalidOptionsError)
    expect((error as InvalidOptionsError).option).toBe("timeout")
  })

  it("rejects a call header the client sets itself, naming it, before sending", async () => {
    for (const name of ["Accept", "content-type"]) {
      const error = await rejectionOf(
        client().updateWorkingSet({ target: { id: 1 } }, { headers: { [name]: "text/xml" } }),
      )

      expect(error).toBeInstanceOf(InvalidOptionsError)
      expect((error as InvalidOptionsError).option).toBe(`headers.${name}`)
    }
  })

  it("rejects wait options that are not milliseconds, naming them", async () => {
    for (const option of ["pollInterval", "maxWait", "stallAfter"] as const) {
      const error = await rejectionOf(client().waitForJob(1, { [option]: 0 }))

      expect((error as InvalidOptionsError).option).toBe(option)
    }
  })

  it("refuses watch options synchronously", () => {
    expect(() => client().watchJob(1, { maxWait: -1 })).toThrow(InvalidOptionsError)
  })

  it("rejects a job id the API cannot hold as a RequestValidationError naming jobId", async () => {
    for (const jobId of [-1, 1.5, 2 ** 31]) {
      const error = await rejectionOf(client().getBackgroundJob(jobId))

      expect(error).toBeInstanceOf(RequestValidationError)
      expect((error as RequestValidationError).field).toBe("jobId")
    }
  })

  it("rejects a working-set update with neither side, naming the field", async () => {
    const error = await rejectionOf(client().updateWorkingSet({}))

    expect(error).toBeInstanceOf(RequestValidationError)
    expect((error as RequestValidationError).field).toMatch(/source|target/)
  })
})
