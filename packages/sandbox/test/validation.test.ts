import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SandboxHandle, startSandbox } from "../src/index.ts"
import { send } from "./support.ts"

let sandbox: SandboxHandle

beforeAll(async () => {
  sandbox = await startSandbox({ throttle: false, jobDurationMs: 0 })
})

afterAll(() => sandbox.close())

const post = async (rawBody: string) => {
  const before = sandbox.counters().jobsCreated
  const received = await send(sandbox, { path: "/v3/jobs/working-set-update", rawBody })

  return {
    status: received.status,
    message: String(JSON.parse(received.text).message),
    jobsCreated: sandbox.counters().jobsCreated - before,
  }
}

const json = (body: unknown) => JSON.stringify(body)
const release = { id: 1002 }

describe("400 naming the field", () => {
  it.each([
    ["malformed JSON", '{"source": {"id": 1002}', "body"],
    ["a JSON array", "[]", "body"],
    ["JSON null", "null", "body"],
    ["neither source nor target", "{}", "source"],
    ["source equal to target", json({ source: { id: 1001 }, target: { id: 1001 } }), "target"],
    ["the Default as source with no target", json({ source: { id: 1001 } }), "target"],
    ["a string id", json({ source: { id: "1002" } }), "source.id"],
    ["a negative id", json({ target: { id: -5 } }), "target.id"],
    ["a fractional id", json({ source: { id: 1002.5 } }), "source.id"],
    ["an id beyond int32", json({ source: { id: 2_147_483_648 } }), "source.id"],
    ["a reference without id", json({ source: { name: "Release 1.0" } }), "source.id"],
    ["a reference that is a number", json({ source: 1002 }), "source"],
    ["a numeric reference name", json({ source: { id: 1002, name: 7 } }), "source.name"],
    [
      "a string projectBaselineId",
      json({ source: release, projectBaselineId: "5101" }),
      "projectBaselineId",
    ],
    [
      "trackers not an array",
      json({ source: release, trackers: { tracker: { id: 3101 } } }),
      "trackers",
    ],
    ["an empty trackers list", json({ source: release, trackers: [] }), "trackers"],
    [
      "a tracker entry without tracker",
      json({ source: release, trackers: [{ cbql: "x" }] }),
      "trackers[0].tracker",
    ],
    [
      "a tracker entry that is a string",
      json({ source: release, trackers: ["3101"] }),
      "trackers[0]",
    ],
    [
      "duplicate trackers",
      json({ source: release, trackers: [{ tracker: { id: 3101 } }, { tracker: { id: 3101 } }] }),
      "trackers[1].tracker.id",
    ],
    [
      "a negative tracker baselineId",
      json({ source: release, trackers: [{ tracker: { id: 3101 }, baselineId: -1 }] }),
      "trackers[0].baselineId",
    ],
    [
      "an empty cbql",
      json({ source: release, trackers: [{ tracker: { id: 3101 }, cbql: "  " }] }),
      "trackers[0].cbql",
    ],
    [
      "a numeric cbql",
      json({ source: release, trackers: [{ tracker: { id: 3101 }, cbql: 1 }] }),
      "trackers[0].cbql",
    ],
  ])("refuses %s", async (_name, rawBody, field) => {
    const answer = await post(rawBody)

    expect(answer.status).toBe(400)
    expect(answer.message).toMatch(new RegExp(`^Invalid field '${escapeRegExp(field)}': `))
    expect(answer.jobsCreated).toBe(0)
  })
})

describe("404 naming the field", () => {
  it.each([
    ["an unknown source", { source: { id: 9999 } }, "source.id"],
    ["an unknown target", { target: { id: 9999 } }, "target.id"],
    ["working sets of two projects", { source: { id: 2002 }, target: { id: 1001 } }, "source.id"],
    [
      "an unknown tracker",
      { source: release, trackers: [{ tracker: { id: 3999 } }] },
      "trackers[0].tracker.id",
    ],
    [
      "a tracker of another project",
      { source: release, trackers: [{ tracker: { id: 3101 } }, { tracker: { id: 3202 } }] },
      "trackers[1].tracker.id",
    ],
    [
      "an unknown project baseline",
      { source: release, projectBaselineId: 5999 },
      "projectBaselineId",
    ],
    [
      "a project baseline of another project",
      { source: release, projectBaselineId: 5201 },
      "projectBaselineId",
    ],
    [
      "a tracker baseline of another project",
      { source: release, trackers: [{ tracker: { id: 3101 }, baselineId: 5201 }] },
      "trackers[0].baselineId",
    ],
  ])("refuses %s", async (_name, body, field) => {
    const answer = await post(json(body))

    expect(answer.status).toBe(404)
    expect(answer.message).toContain("not found")
    expect(answer.message).toContain(`(field '${field}')`)
    expect(answer.jobsCreated).toBe(0)
  })
})

describe("accepted requests", () => {
  it.each([
    ["a source only (into the Default)", { source: { id: 1002 } }],
    [
      "a target only (from the Default)",
      { target: { id: 2003, name: "Hotfix 2.0.1", type: "WorkingSetReference" } },
    ],
    ["both sides", { source: { id: 1002 }, target: { id: 1003 } }],
    ["a project baseline", { source: { id: 1002 }, projectBaselineId: 5101 }],
    [
      "trackers with baselines and cbql",
      {
        source: { id: 1002 },
        trackers: [
          { tracker: { id: 3101 }, baselineId: 5102, cbql: "status = 'Accepted'" },
          { tracker: { id: 3102, name: "Test Cases" } },
        ],
      },
    ],
    ["null for absent fields", { source: { id: 1002 }, target: null, projectBaselineId: null }],
    ["fields the sandbox does not know", { source: { id: 1002 }, transientFields: [] }],
  ])("starts one job for %s", async (_name, body) => {
    const before = sandbox.counters().jobsCreated
    const received = await send(sandbox, { path: "/v3/jobs/working-set-update", body })

    expect(received.status).toBe(200)
    expect(JSON.parse(received.text)).toEqual({
      jobId: expect.any(Number),
      jobType: "WORKING_SET_UPDATE",
    })
    expect(sandbox.counters().jobsCreated).toBe(before + 1)
  })
})

describe("the order of checks", () => {
  it("answers a malformed field with 400 even when an id is unknown", async () => {
    const answer = await post(json({ source: { id: 9999 }, trackers: [] }))

    expect(answer.status).toBe(400)
  })

  it("answers an unknown id with 404 before the permission check", async () => {
    const received = await send(sandbox, {
      path: "/v3/jobs/working-set-update",
      body: { source: { id: 9999 } },
      auth: { basic: sandbox.users.viewer },
    })

    expect(received.status).toBe(404)
  })

  it("answers a valid request without Working-Set Admin with 403 naming the target", async () => {
    const received = await send(sandbox, {
      path: "/v3/jobs/working-set-update",
      body: { source: { id: 1002 } },
      auth: { basic: sandbox.users.viewer },
    })

    expect(received.status).toBe(403)
    expect(JSON.parse(received.text).message).toBe(
      "User viewer lacks the Working-Set Admin permission on Working-Set 1001 (field 'target')",
    )
  })
})

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
