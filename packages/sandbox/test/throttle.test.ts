import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SandboxHandle, startSandbox } from "../src/index.ts"
import { manualClock, type Received, send } from "./support.ts"

const retryAfterOf = (received: Received): unknown => JSON.parse(received.text).retryAfterSecond

describe("the default policy", () => {
  const clock = manualClock()
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ ...clock })
  })

  afterAll(() => sandbox.close())

  // The clock stands still, so the ten concurrent requests fall into one second however slowly
  // a loaded machine delivers them.
  it("lets 3 of a burst of 10 through and answers the rest 429 with a 1 s wait", async () => {
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => send(sandbox, { path: "/v3/job/1" })),
    )
    const refused = burst.filter((received) => received.status === 429)

    expect(burst.filter((received) => received.status === 404)).toHaveLength(3)
    expect(refused).toHaveLength(7)
    expect(refused.map(retryAfterOf)).toEqual(Array(7).fill(1))
    expect(JSON.parse(refused[0]!.text)).toEqual({
      message: "Too many requests",
      resourceUri: "/v3/job/1",
      retryAfterSecond: 1,
    })
  })
})

describe("real time", () => {
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ throttle: { perSecond: 1, perMinute: 120 } })
  })

  afterAll(() => sandbox.close())

  it("admits a request again after the wait it was told", async () => {
    await send(sandbox, { path: "/v3/job/1" })

    const refused = await send(sandbox, { path: "/v3/job/1" })
    const waitMs = Number(retryAfterOf(refused)) * 1_000

    await new Promise((resolve) => setTimeout(resolve, waitMs))

    expect(refused.status).toBe(429)
    expect(waitMs).toBe(1_000)
    expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(404)
  })
})

describe("windows on a hand-driven clock", () => {
  const clock = manualClock()
  let sandbox: SandboxHandle

  beforeAll(async () => {
    sandbox = await startSandbox({ ...clock })
  })

  afterAll(() => sandbox.close())

  it("frees a slot as the oldest request leaves the second window", async () => {
    sandbox.reset()

    const first = await send(sandbox, { path: "/v3/job/1" })

    clock.advance(400)
    await send(sandbox, { path: "/v3/job/1" })
    await send(sandbox, { path: "/v3/job/1" })
    clock.advance(100)

    const refused = await send(sandbox, { path: "/v3/job/1" })

    clock.advance(499)

    const stillRefused = await send(sandbox, { path: "/v3/job/1" })

    clock.advance(1)

    const admitted = await send(sandbox, { path: "/v3/job/1" })

    expect(first.status).toBe(404)
    expect([refused.status, stillRefused.status, admitted.status]).toEqual([429, 429, 404])
    expect([retryAfterOf(refused), retryAfterOf(stillRefused)]).toEqual([1, 1])
  })

  it("applies the minute window with a small custom policy and says how long to wait", async () => {
    sandbox.reset()
    sandbox.setThrottle({ perSecond: 100, perMinute: 5 })

    for (let request = 0; request < 5; request += 1) {
      expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(404)
      clock.advance(2_000)
    }

    const refused = await send(sandbox, { path: "/v3/job/1" })

    clock.advance(49_999)

    const lastMillisecond = await send(sandbox, { path: "/v3/job/1" })

    clock.advance(1)

    const admitted = await send(sandbox, { path: "/v3/job/1" })

    expect(refused.status).toBe(429)
    expect(retryAfterOf(refused)).toBe(50)
    expect(lastMillisecond.status).toBe(429)
    expect(retryAfterOf(lastMillisecond)).toBe(1)
    expect(admitted.status).toBe(404)
  })

  it("counts each user on their own", async () => {
    sandbox.reset()
    sandbox.setThrottle({ perSecond: 1, perMinute: 10 })

    const admin = [
      await send(sandbox, { path: "/v3/job/1" }),
      await send(sandbox, { path: "/v3/job/1" }),
    ]
    const other = await send(sandbox, { path: "/v3/job/1", auth: { basic: sandbox.users.other } })

    expect(admin.map((received) => received.status)).toEqual([404, 429])
    expect(other.status).toBe(404)
  })

  it("takes no slot for a refused request", async () => {
    sandbox.reset()
    sandbox.setThrottle({ perSecond: 1, perMinute: 3 })

    await send(sandbox, { path: "/v3/job/1" })

    for (let request = 0; request < 5; request += 1) {
      expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(429)
    }

    clock.advance(1_000)

    expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(404)
  })

  it("does not throttle requests that fail authentication", async () => {
    sandbox.reset()
    sandbox.setThrottle({ perSecond: 1, perMinute: 10 })

    for (let request = 0; request < 3; request += 1) {
      expect((await send(sandbox, { path: "/v3/job/1", auth: "none" })).status).toBe(401)
    }

    expect((await send(sandbox, { path: "/v3/job/1" })).status).toBe(404)
  })

  it("lets everything through with throttling off, and restores the policy on reset", async () => {
    sandbox.setThrottle(false)

    const statuses = []

    for (let request = 0; request < 6; request += 1) {
      statuses.push((await send(sandbox, { path: "/v3/job/1" })).status)
    }

    sandbox.reset()

    const afterReset = []

    for (let request = 0; request < 4; request += 1) {
      afterReset.push((await send(sandbox, { path: "/v3/job/1" })).status)
    }

    expect(statuses).toEqual(Array(6).fill(404))
    expect(afterReset).toEqual([404, 404, 404, 429])
  })

  it("refuses a policy that could admit nothing", () => {
    expect(() => sandbox.setThrottle({ perSecond: 0, perMinute: 10 })).toThrow(/perSecond/)
  })
})

describe("the 429 body format", () => {
  const clock = manualClock()

  const refusedWith = async (sandbox: SandboxHandle, accept: string | null) => {
    sandbox.reset()
    sandbox.setThrottle({ perSecond: 1, perMinute: 10 })
    await send(sandbox, { path: "/v3/job/1" })

    return send(sandbox, { path: "/v3/job/1", accept })
  }

  it("sends the legacy text/xml body when Accept does not ask for JSON", async () => {
    const sandbox = await startSandbox({ ...clock })

    try {
      for (const accept of [null, "*/*", "text/html"]) {
        const received = await refusedWith(sandbox, accept)

        expect(received.status).toBe(429)
        expect(received.contentType).toBe("text/xml;charset=UTF-8")
        expect(received.text).toBe("Too many requests")
      }

      const json = await refusedWith(sandbox, "application/json, text/plain;q=0.5")

      expect(json.contentType).toBe("application/json;charset=UTF-8")
    } finally {
      await sandbox.close()
    }
  })

  it("sends the legacy body even to JSON clients when forced", async () => {
    const sandbox = await startSandbox({ legacyXml429: true, ...clock })

    try {
      const received = await refusedWith(sandbox, "application/json")

      expect(received.contentType).toBe("text/xml;charset=UTF-8")
      expect(received.text).toBe("Too many requests")
    } finally {
      await sandbox.close()
    }
  })
})
