import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  BackgroundJob,
  type BackgroundJobStep,
  isFinished,
  JobReference,
  jobOutcome,
  jobProgress,
} from "../src/BackgroundJob.ts"
import { parseDateTime } from "../src/internal/dateTime.ts"
import { bodyIssue, makeDecoder } from "../src/internal/decode.ts"
import { fastBackgroundJob, fastJobReference, GIVE_UP } from "../src/internal/fastDecode.ts"

const decodeJob = Schema.decodeUnknownResult(BackgroundJob)
const decoder = makeDecoder(BackgroundJob, fastBackgroundJob)

const sampleJob = {
  id: 56,
  backgroundJobStatus: "IN_PROGRESS",
  backgroundJobType: "WORKING_SET_UPDATE",
  createdAt: "2020-08-04T10:53:49.963",
  description: "Update Working-Set",
  statusInfo: {
    type: "DefaultBackgroundJobStatusInfo",
    progressPercentage: 40,
    stepInProgress: "Merge",
  },
  steps: [
    { id: 1, name: "Prepare", status: "FINISHED", result: "SUCCESSFUL" },
    { id: 2, name: "Merge", status: "IN_PROGRESS" },
  ],
  submittedBy: { id: 1, name: "admin", type: "UserReference" },
}

const issueOf = (input: unknown) => {
  const result = decoder(input)

  if (Result.isSuccess(result)) {
    throw new Error("expected a decode failure")
  }

  return result.failure
}

describe("BackgroundJob", () => {
  it("decodes a job and reads an offset-less date-time as UTC", () => {
    const job = Result.getOrThrow(decodeJob(sampleJob))

    expect(job.createdAt?.toISOString()).toBe("2020-08-04T10:53:49.963Z")
    expect(job.statusInfo?.progressPercentage).toBe(40)
    expect(job.steps?.[1]?.name).toBe("Merge")
  })

  it("applies a zone offset to the instant", () => {
    const job = Result.getOrThrow(decodeJob({ createdAt: "2020-08-04T12:53:49.963+02:00" }))

    expect(job.createdAt?.toISOString()).toBe("2020-08-04T10:53:49.963Z")
  })

  it("keeps enum values and fields it does not know", () => {
    const job = Result.getOrThrow(
      decoder({
        ...sampleJob,
        backgroundJobStatus: "PAUSED",
        backgroundJobType: "QUANTUM_MERGE",
        priority: "high",
        steps: [{ id: 1, status: "SKIPPED", result: "PARTIAL", retries: 2 }],
        statusInfo: { type: "FancyJobStatusInfo", progressPercentage: 7, gauge: [1, 2] },
      }),
    )

    expect(job.backgroundJobStatus).toBe("PAUSED")
    expect(job.backgroundJobType).toBe("QUANTUM_MERGE")
    expect(job.priority).toBe("high")
    expect(job.steps?.[0]).toMatchObject({ status: "SKIPPED", result: "PARTIAL", retries: 2 })
    expect(job.statusInfo).toEqual({
      type: "FancyJobStatusInfo",
      progressPercentage: 7,
      gauge: [1, 2],
    })
  })

  it("reads null fields as absent", () => {
    const job = Result.getOrThrow(decoder({ id: 3, finishedAt: null, statusInfo: null }))

    expect(job).toEqual({ id: 3 })
  })

  it("names the path of a string id", () => {
    expect(issueOf({ ...sampleJob, id: "56" })).toMatchObject({ field: "id" })
  })

  it("names the path of a negative step id", () => {
    const issue = issueOf({ ...sampleJob, steps: [{ id: 1 }, { id: -4 }] })

    expect(issue.field).toBe("steps[1].id")
    expect(issue.issue).toMatch(/0/)
  })

  it("fails a known status-info subtype with a field of the wrong type", () => {
    const issue = issueOf({
      statusInfo: { type: "DependencyFinderJobStatusInfo", projectsChecked: "many" },
    })

    expect(issue.field).toBe("statusInfo.projectsChecked")
  })

  it("fails a date-time that is not one", () => {
    expect(issueOf({ createdAt: "yesterday" })).toMatchObject({ field: "createdAt" })
    expect(issueOf({ createdAt: "2020-02-30T10:00:00Z" })).toMatchObject({ field: "createdAt" })
  })

  it("decodes a job reference and requires its id", () => {
    const decode = makeDecoder(JobReference, fastJobReference)

    expect(Result.getOrThrow(decode({ jobId: 7, jobType: "WORKING_SET_UPDATE" }))).toEqual({
      jobId: 7,
      jobType: "WORKING_SET_UPDATE",
    })
    expect(Result.isFailure(decode({ jobType: "WORKING_SET_UPDATE" }))).toBe(true)
    expect(Result.isFailure(decode({ jobId: 2 ** 31, jobType: "X" }))).toBe(true)
  })

  it("formats a schema issue with a one-line message", () => {
    const failure = decodeJob({ steps: "none" })

    if (Result.isSuccess(failure)) throw new Error("expected failure")

    const issue = bodyIssue(failure.failure)
    expect(issue.field).toBe("steps")
    expect(issue.issue).not.toMatch(/\n/)
  })
})

describe("parseDateTime", () => {
  it("reads offsets, fractions and their absence", () => {
    expect(parseDateTime("2020-08-04T10:53")?.toISOString()).toBe("2020-08-04T10:53:00.000Z")
    expect(parseDateTime("2020-08-04T10:53:49Z")?.toISOString()).toBe("2020-08-04T10:53:49.000Z")
    expect(parseDateTime("2020-08-04T10:53:49.123456-0130")?.toISOString()).toBe(
      "2020-08-04T12:23:49.123Z",
    )
    expect(parseDateTime("0099-01-01T00:00:00")?.getUTCFullYear()).toBe(99)
  })

  it("rejects impossible calendar values and other text", () => {
    for (const text of ["2021-02-29T00:00:00", "2020-13-01T00:00", "2020-01-01T24:00", "", "x"]) {
      expect(parseDateTime(text)).toBeUndefined()
    }
  })
})

describe("derived facts", () => {
  const step = (result: string): BackgroundJobStep => ({ name: `step ${result}`, result })

  it("tells running, succeeded and failed jobs apart", () => {
    expect(jobOutcome({ backgroundJobStatus: "IN_PROGRESS" })).toEqual({ _tag: "Running" })
    expect(jobOutcome({ backgroundJobStatus: "FINISHED", steps: [step("SUCCESSFUL")] })).toEqual({
      _tag: "Succeeded",
    })
    expect(
      jobOutcome({ backgroundJobStatus: "FINISHED", steps: [step("SUCCESSFUL"), step("FAILED")] }),
    ).toEqual({ _tag: "Failed", failedSteps: [step("FAILED")] })
  })

  it("reports progress from 0 to 100", () => {
    expect(jobProgress({})).toBe(0)
    expect(jobProgress({ statusInfo: { progressPercentage: 140 } })).toBe(100)
    expect(jobProgress({ statusInfo: { progressPercentage: -3 } })).toBe(0)
    expect(jobProgress({ backgroundJobStatus: "FINISHED" })).toBe(100)
    expect(isFinished({ backgroundJobStatus: "NEW" })).toBe(false)
  })
})

// Inputs near the contract: right and wrong types, nulls, unknown values and fields.
const maybe = <A>(arbitrary: fc.Arbitrary<A>) =>
  fc.oneof(arbitrary, fc.constant(null), fc.constant(undefined), fc.string(), fc.integer())

const dateText = fc.oneof(
  fc
    .date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc
    .date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 23)),
  fc.string(),
)

const stepArbitrary = fc.record(
  {
    id: maybe(fc.oneof(fc.integer({ min: -5, max: 2 ** 31 - 1 }), fc.constant(2 ** 31))),
    name: maybe(fc.string()),
    status: maybe(fc.constantFrom("NEW", "IN_PROGRESS", "FINISHED", "LATER")),
    result: maybe(fc.constantFrom("SUCCESSFUL", "FAILED", "ODD")),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
)

const statusInfoArbitrary = fc.record(
  {
    type: maybe(
      fc.constantFrom(
        "DefaultBackgroundJobStatusInfo",
        "DependencyFinderJobStatusInfo",
        "SomethingNewStatusInfo",
      ),
    ),
    progressPercentage: maybe(fc.oneof(fc.integer({ min: -10, max: 200 }), fc.constant(2 ** 32))),
    stepInProgress: maybe(fc.string()),
    projectsChecked: maybe(fc.nat()),
    closedProjectWarnings: maybe(fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 })),
    dependencies: maybe(
      fc.array(fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.string())),
    ),
  },
  { requiredKeys: [] },
)

const jobArbitrary = fc.record(
  {
    id: maybe(fc.oneof(fc.integer({ min: -5, max: 2 ** 31 - 1 }), fc.constant(2 ** 31))),
    backgroundJobStatus: maybe(fc.constantFrom("DRAFT", "NEW", "IN_PROGRESS", "FINISHED", "X")),
    backgroundJobType: maybe(fc.constantFrom("WORKING_SET_UPDATE", "PDF_MERGE", "NEW_TYPE")),
    createdAt: maybe(dateText),
    finishedAt: maybe(dateText),
    description: maybe(fc.string()),
    statusInfo: maybe(statusInfoArbitrary),
    steps: maybe(fc.array(maybe(stepArbitrary), { maxLength: 4 })),
    submittedBy: maybe(fc.record({ id: maybe(fc.nat()), name: maybe(fc.string()) })),
    somethingElse: fc.jsonValue(),
  },
  { requiredKeys: [] },
)

// JSON bodies never hold undefined; a round trip through JSON drops those keys.
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? "null")

describe("decoding properties", () => {
  it("decodes like the schema on the fast path, or leaves the input to the schema", () => {
    fc.assert(
      fc.property(jobArbitrary.map(asJson), (input) => {
        const fast = fastBackgroundJob(input)
        const slow = decodeJob(input)

        if (fast !== GIVE_UP) {
          expect(Result.isSuccess(slow)).toBe(true)
          expect(fast).toEqual(Result.getOrThrow(slow))
        }

        expect(Result.isSuccess(decoder(input))).toBe(Result.isSuccess(slow))
      }),
      { numRuns: 400 },
    )
  })

  it("takes the fast path for every job the contract allows", () => {
    const validJob = fc.record(
      {
        id: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        backgroundJobStatus: fc.string(),
        createdAt: fc
          .date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
          .map((date) => date.toISOString()),
        steps: fc.array(fc.record({ id: fc.nat(1000), name: fc.string(), result: fc.string() })),
        statusInfo: fc.record({
          type: fc.constant("DefaultBackgroundJobStatusInfo"),
          progressPercentage: fc.integer({ min: 0, max: 100 }),
        }),
        unknownField: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )

    fc.assert(
      fc.property(validJob.map(asJson), (input) => {
        expect(fastBackgroundJob(input)).not.toBe(GIVE_UP)
      }),
      { numRuns: 200 },
    )
  })

  it("names a path inside the body whenever a job fails to decode", () => {
    fc.assert(
      fc.property(
        jobArbitrary.map(asJson).filter((input) => Result.isFailure(decodeJob(input))),
        (input) => {
          const result = decoder(input)

          expect(Result.isFailure(result)).toBe(true)
          if (Result.isFailure(result)) {
            expect(result.failure.field).toMatch(/^[a-zA-Z]/)
            expect(result.failure.issue).not.toMatch(/\n/)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
