import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  validateWorkingSetUpdateRequest,
  WorkingSetUpdateRequest,
  workingSetUpdateRequestIssue,
} from "../src/WorkingSet.ts"

const fieldOf = (request: unknown) => workingSetUpdateRequestIssue(request)?.field

describe("working-set update validation", () => {
  it("accepts either side alone, or both", () => {
    expect(fieldOf({ source: { id: 1002 } })).toBeUndefined()
    expect(fieldOf({ target: { id: 1002 } })).toBeUndefined()
    expect(fieldOf({ source: { id: 1002 }, target: { id: 1001, name: "Default" } })).toBeUndefined()
  })

  it("rejects a request with neither side, or the same on both", () => {
    expect(fieldOf({})).toBe("target")
    expect(fieldOf({ source: { id: 5 }, target: { id: 5 } })).toBe("target.id")
  })

  it("names the tracker entry with a bad id", () => {
    const request = {
      source: { id: 1 },
      trackers: [{ tracker: { id: 3101 } }, { tracker: { id: -1 } }],
    }

    expect(workingSetUpdateRequestIssue(request)).toEqual({
      field: "trackers[1].tracker.id",
      reason: "must be an integer from 0 to 2147483647, got -1",
    })
  })

  it("rejects ids beyond int32, fractions and strings", () => {
    expect(fieldOf({ source: { id: 2 ** 31 } })).toBe("source.id")
    expect(fieldOf({ source: { id: 1.5 } })).toBe("source.id")
    expect(fieldOf({ source: { id: "1" } })).toBe("source.id")
    expect(fieldOf({ source: { id: 1 }, projectBaselineId: -2 })).toBe("projectBaselineId")
    expect(
      fieldOf({ source: { id: 1 }, trackers: [{ tracker: { id: 1 }, baselineId: 1e10 }] }),
    ).toBe("trackers[0].baselineId")
  })

  it("rejects a tracker listed twice", () => {
    const issue = workingSetUpdateRequestIssue({
      target: { id: 1 },
      trackers: [{ tracker: { id: 7 } }, { tracker: { id: 8 } }, { tracker: { id: 7 }, cbql: "x" }],
    })

    expect(issue?.field).toBe("trackers[2].tracker.id")
    expect(issue?.reason).toMatch(/trackers\[0\]/)
  })

  it("rejects an empty or blank cbql", () => {
    expect(fieldOf({ target: { id: 1 }, trackers: [{ tracker: { id: 2 }, cbql: " " }] })).toBe(
      "trackers[0].cbql",
    )
  })

  it("rejects fields the contract does not have, such as a typo for trackers", () => {
    expect(fieldOf({ target: { id: 1 }, tracker: [{ tracker: { id: 2 } }] })).toBe("tracker")
    expect(fieldOf({ target: { id: 1, project: 3 } })).toBe("target.project")
  })

  it("drops undefined fields from the request it returns", () => {
    const result = validateWorkingSetUpdateRequest({ source: { id: 1 }, target: undefined })

    expect(Result.getOrThrow(result)).toEqual({ source: { id: 1 } })
  })
})

const id = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const reference = fc.record({ id, name: fc.string() }, { requiredKeys: ["id"] })
const validRequest = fc
  .record(
    {
      projectBaselineId: id,
      source: reference,
      target: reference,
      trackers: fc.uniqueArray(
        fc.record(
          {
            tracker: reference,
            baselineId: id,
            cbql: fc.string({ minLength: 1 }).filter((text) => text.trim() !== ""),
          },
          { requiredKeys: ["tracker"] },
        ),
        { selector: (entry) => entry.tracker.id, maxLength: 5 },
      ),
    },
    { requiredKeys: [] },
  )
  .filter(
    (request) =>
      (request.source !== undefined || request.target !== undefined) &&
      request.source?.id !== request.target?.id,
  )

const badId = fc.oneof(
  fc.integer({ max: -1 }),
  fc.nat().map((n) => n + 2 ** 31),
  fc.double({ noInteger: true }),
  fc.string(),
  fc.constant(null),
)

describe("validation properties", () => {
  it("accepts every request the contract allows, and the schema agrees", () => {
    fc.assert(
      fc.property(validRequest, (request) => {
        expect(workingSetUpdateRequestIssue(request)).toBeUndefined()
        expect(Result.isSuccess(Schema.decodeUnknownResult(WorkingSetUpdateRequest)(request))).toBe(
          true,
        )
      }),
      { numRuns: 300 },
    )
  })

  it("names exactly the tracker id that was spoiled", () => {
    const withTrackers = validRequest.filter((request) => (request.trackers?.length ?? 0) > 0)

    fc.assert(
      fc.property(withTrackers, fc.nat(), badId, (request, pick, value) => {
        const trackers = request.trackers ?? []
        const index = pick % trackers.length
        const spoiled = {
          ...request,
          trackers: trackers.map((entry, at) =>
            at === index ? { ...entry, tracker: { ...entry.tracker, id: value } } : entry,
          ),
        }

        expect(fieldOf(spoiled)).toBe(`trackers[${index}].tracker.id`)
      }),
      { numRuns: 300 },
    )
  })

  it("names exactly the top-level id that was spoiled", () => {
    fc.assert(
      fc.property(
        validRequest,
        fc.constantFrom("source", "target", "projectBaselineId"),
        badId,
        (request, key, value) => {
          const spoiled =
            key === "projectBaselineId"
              ? { ...request, projectBaselineId: value }
              : { ...request, [key]: { id: value } }

          expect(fieldOf(spoiled)).toBe(key === "projectBaselineId" ? key : `${key}.id`)
        },
      ),
      { numRuns: 300 },
    )
  })
})
