import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SandboxHandle, startSandbox } from "../src/index.ts"
import { manualClock, send, startJob } from "./support.ts"

const clock = manualClock()
let sandbox: SandboxHandle
let jobId: number

beforeAll(async () => {
  sandbox = await startSandbox({ throttle: false, ...clock })
  jobId = await startJob(sandbox)
})

afterAll(() => sandbox.close())

const path = () => `/v3/job/${jobId}`

describe("accepted credentials", () => {
  it("accepts Basic credentials", async () => {
    const received = await send(sandbox, { path: path(), auth: { basic: sandbox.credentials } })

    expect(received.status).toBe(200)
  })

  it("accepts the raw API key in Authorization", async () => {
    const received = await send(sandbox, { path: path(), auth: { apiKey: sandbox.credentials } })

    expect(received.status).toBe(200)
  })

  it.each(["ApiKey", "Token", "Bearer"])(
    "accepts the API key behind the prefix %s",
    async (prefix) => {
      const received = await send(sandbox, {
        path: path(),
        auth: { apiKey: sandbox.credentials, prefix },
      })

      expect(received.status).toBe(200)
    },
  )

  it("accepts the signed JWT as a bearer token", async () => {
    const received = await send(sandbox, {
      path: path(),
      auth: { bearer: sandbox.credentials.token },
    })

    expect(received.status).toBe(200)
  })

  it("reads the user from the token's subject", async () => {
    const token = sandbox.issueToken("other")
    const received = await send(sandbox, { path: path(), auth: { bearer: token } })

    expect(received.status).toBe(403)
  })
})

describe("refused credentials", () => {
  const refusals = () =>
    [
      ["no Authorization header", "none"],
      [
        "a wrong password",
        { header: `Basic ${btoa(`admin:not-${sandbox.credentials.password}`)}` },
      ],
      ["an unknown user", { header: `Basic ${btoa(`nobody:${sandbox.credentials.password}`)}` }],
      ["Basic without a colon", { header: `Basic ${btoa("admin")}` }],
      ["a wrong API key", { header: `ApiKey x${sandbox.credentials.apiKey}` }],
      [
        "a token with a changed signature",
        { bearer: `${sandbox.credentials.token.slice(0, -4)}AAAA` },
      ],
      ["a token for another payload", { bearer: swapPayload(sandbox.credentials.token) }],
      ["an unsigned token", { bearer: unsigned() }],
    ] as const

  it("answers each with 401, WWW-Authenticate and a body that repeats no secret", async () => {
    for (const [name, auth] of refusals()) {
      const received = await send(sandbox, { path: path(), auth })

      expect({ name, status: received.status }).toEqual({ name, status: 401 })
      expect(received.headers.get("www-authenticate")).toBe('Basic realm="codebeamer"')
      expect(received.text).not.toContain(sandbox.credentials.password)
      expect(received.text).not.toContain(sandbox.credentials.apiKey)
    }
  })

  it("refuses an expired token with 401 and says why", async () => {
    const expired = sandbox.issueToken("admin", { expiresInSeconds: -1 })
    const received = await send(sandbox, { path: path(), auth: { bearer: expired } })

    expect(received.status).toBe(401)
    expect(JSON.parse(received.text).message).toBe("Invalid token: expired")
  })

  it("lets the start token expire after an hour on the sandbox clock", async () => {
    const token = sandbox.issueToken("admin")
    const before = await send(sandbox, { path: path(), auth: { bearer: token } })

    clock.advance(3_600_000)

    const after = await send(sandbox, { path: path(), auth: { bearer: token } })

    expect([before.status, after.status]).toEqual([200, 401])
  })
})

describe("permissions", () => {
  it("answers the viewer's POST with 403 and starts no job", async () => {
    const before = sandbox.counters().jobsCreated
    const received = await send(sandbox, {
      path: "/v3/jobs/working-set-update",
      body: { source: { id: 1002 } },
      auth: { basic: sandbox.users.viewer },
    })

    expect(received.status).toBe(403)
    expect(JSON.parse(received.text).message).toContain("Working-Set Admin")
    expect(sandbox.counters().jobsCreated).toBe(before)
  })

  it("answers 403 when another user reads a job, and 200 to its owner", async () => {
    const theirs = await startJob(sandbox, { source: { id: 2002 } }, { basic: sandbox.users.other })
    const asAdmin = await send(sandbox, { path: `/v3/job/${theirs}` })
    const asOther = await send(sandbox, {
      path: `/v3/job/${theirs}`,
      auth: { apiKey: sandbox.users.other },
    })
    const asViewer = await send(sandbox, { path: path(), auth: { basic: sandbox.users.viewer } })

    expect([asAdmin.status, asOther.status, asViewer.status]).toEqual([403, 200, 403])
  })
})

describe("fixed secrets", () => {
  it("uses the secrets given in the options", async () => {
    const fixed = await startSandbox({
      throttle: false,
      users: { admin: { password: "pw-fixed", apiKey: "key-fixed" } },
    })

    try {
      const byPassword = await send(fixed, {
        path: "/v3/job/1",
        auth: { header: `Basic ${btoa("admin:pw-fixed")}` },
      })
      const byKey = await send(fixed, { path: "/v3/job/1", auth: { header: "key-fixed" } })

      expect(fixed.credentials).toMatchObject({ password: "pw-fixed", apiKey: "key-fixed" })
      expect([byPassword.status, byKey.status]).toEqual([404, 404])
    } finally {
      await fixed.close()
    }
  })
})

/** A token whose payload names another user but keeps the admin's signature. */
const swapPayload = (token: string): string => {
  const [header, , signature] = token.split(".")
  const payload = Buffer.from(JSON.stringify({ sub: "other", exp: 4_102_444_800 })).toString(
    "base64url",
  )

  return `${header}.${payload}.${signature}`
}

/** A token that claims `alg: none` and carries no signature. */
const unsigned = (): string => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "admin", exp: 4_102_444_800 })}.`
}
