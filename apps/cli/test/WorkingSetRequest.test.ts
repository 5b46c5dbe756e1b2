import { describe, expect, it } from "vitest"
import { UsageError } from "../src/Failure.ts"
import {
  checkRequest,
  mergeRequest,
  normalizeRequestDocument,
  parseTrackerFlag,
} from "../src/WorkingSetRequest.ts"

const usageMessage = (run: () => unknown): string => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as UsageError).message
  }

  throw new Error("expected a UsageError")
}

describe("parseTrackerFlag", () => {
  it("reads an id alone", () => {
    expect(parseTrackerFlag("3101")).toEqual({ tracker: { id: 3101 } })
  })

  it("reads the cbql after the first colon, colons included", () => {
    expect(parseTrackerFlag("3102:modifiedAt > '2024-01-01T10:00'")).toEqual({
      tracker: { id: 3102 },
      cbql: "modifiedAt > '2024-01-01T10:00'",
    })
  })

  it("names the flag and the bad id", () => {
    expect(usageMessage(() => parseTrackerFlag("abc:x"))).toContain('--tracker "abc:x"')
    expect(usageMessage(() => parseTrackerFlag("-1"))).toContain('"-1" is not a tracker id')
    expect(usageMessage(() => parseTrackerFlag("99999999999"))).toContain("not a tracker id")
  })

  it("rejects an empty cbql", () => {
    expect(usageMessage(() => parseTrackerFlag("12:  "))).toContain("cbql")
  })
})

describe("normalizeRequestDocument", () => {
  it("accepts bare ids for working sets and trackers", () => {
    expect(
      normalizeRequestDocument({ source: 1002, target: { id: 1001 }, trackers: [{ tracker: 3 }] }),
    ).toEqual({ source: { id: 1002 }, target: { id: 1001 }, trackers: [{ tracker: { id: 3 } }] })
  })

  it("treats an empty document as an empty request", () => {
    expect(normalizeRequestDocument(null)).toEqual({})
  })

  it("rejects a document that is not an object", () => {
    expect(usageMessage(() => normalizeRequestDocument([1, 2]))).toContain("must be an object")
  })
})

describe("mergeRequest", () => {
  it("lets flags override the file", () => {
    const merged = mergeRequest(
      { source: { id: 1 }, target: { id: 2 }, projectBaselineId: 7 },
      { source: 5, projectBaseline: 8, trackers: [] },
    )

    expect(merged).toEqual({ source: { id: 5 }, target: { id: 2 }, projectBaselineId: 8 })
  })

  it("replaces the file's entry for the same tracker and keeps its baseline", () => {
    const merged = mergeRequest(
      {
        target: { id: 2 },
        trackers: [{ tracker: { id: 10 }, baselineId: 99, cbql: "old" }, { tracker: { id: 11 } }],
      },
      { trackers: ["10:new", "12"] },
    )

    expect(merged.trackers).toEqual([
      { tracker: { id: 10 }, cbql: "new", baselineId: 99 },
      { tracker: { id: 11 } },
      { tracker: { id: 12 } },
    ])
  })
})

describe("mergeRequest with repeated flags", () => {
  it("rejects a tracker given twice by flags", () => {
    expect(usageMessage(() => mergeRequest({}, { trackers: ["7:a = 1", "7:b = 2"] }))).toBe(
      "--tracker 7 is given more than once",
    )
  })
})

describe("checkRequest", () => {
  it("passes a valid request through", () => {
    const request = { source: { id: 1002 }, trackers: [{ tracker: { id: 3101 } }] }

    expect(checkRequest(request, "from the flags")).toEqual(request)
  })

  it("names the field of the first broken rule", () => {
    expect(usageMessage(() => checkRequest({}, "from the flags"))).toContain("target")
    expect(
      usageMessage(() => checkRequest({ source: { id: 5 }, target: { id: 5 } }, "from the flags")),
    ).toContain("target.id")
    expect(
      usageMessage(() =>
        checkRequest(
          { source: { id: 1 }, trackers: [{ tracker: { id: 3 } }, { tracker: { id: 3 } }] },
          "from the flags",
        ),
      ),
    ).toContain("trackers[1].tracker.id")
    expect(
      usageMessage(() => checkRequest({ source: { id: 1 }, tracker: [] }, "from --from")),
    ).toContain("tracker")
  })
})
