import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import {
  ConfigError,
  codebeamerErrorTags,
  DecodeError,
  isCodebeamerError,
  JobFailed,
  JobStalled,
  NotFound,
  RateLimited,
  ServerError,
  Timeout,
  Transport,
  UnknownOutcome,
  WaitTimeout,
} from "../src/Errors.ts"
import { makeScrubber } from "../src/internal/redact.ts"
import { oneLine } from "../src/internal/text.ts"
import { describeFetchFailure } from "../src/internal/transport.ts"

const get = { method: "GET" as const, path: "/v3/job/56", jobId: 56 }

describe("errors", () => {
  it("say what failed, then where", () => {
    expect(new NotFound({ ...get, status: 404 }).message).toBe(
      "job 56 not found (GET /v3/job/56, 404)",
    )
    expect(new ServerError({ ...get, status: 502, serverMessage: "Bad Gateway" }).message).toBe(
      "job 56 failed on the server: Bad Gateway (GET /v3/job/56, 502)",
    )
    expect(new Timeout({ ...get, timeoutMs: 30_000, scope: "attempt" }).message).toBe(
      "job 56 got no response within 30 s (GET /v3/job/56)",
    )
    expect(
      new RateLimited({ ...get, status: 429, retryAfterMs: 1_500, retryAfterSource: "header" })
        .message,
    ).toBe("job 56 rate limited: the server asks to wait 1.5 s (GET /v3/job/56, 429)")
    expect(new ConfigError({ field: "baseUrl", reason: "is not a valid URL" }).message).toBe(
      "invalid client config: baseUrl is not a valid URL",
    )
  })

  it("name the failed steps of a job with their messages", () => {
    const job = { id: 56, backgroundJobStatus: "FINISHED" }
    const error = new JobFailed({
      jobId: 56,
      job,
      failedSteps: [
        { name: "Replace target trackers", result: "FAILED", resultMessage: "locked\n by Ada" },
      ],
    })

    expect(error.message).toBe("job 56 failed: Replace target trackers: locked by Ada")
    expect(new WaitTimeout({ jobId: 56, maxWaitMs: 600_000 }).message).toBe(
      "job 56 not finished after 600 s (last: never read)",
    )
    expect(
      new JobStalled({
        jobId: 56,
        stallAfterMs: 60_000,
        lastJob: {
          backgroundJobStatus: "IN_PROGRESS",
          statusInfo: { progressPercentage: 40, stepInProgress: "Merge" },
        },
      }).message,
    ).toBe("job 56 stalled: no change for 60 s (last: IN_PROGRESS, 40%, step Merge)")
  })

  it("are tagged, recognisable and serialise their fields", () => {
    const error = new Transport({
      ...get,
      reason: "connect ECONNREFUSED",
      code: "ECONNREFUSED",
      mayHaveBeenSent: false,
    })

    expect(isCodebeamerError(error)).toBe(true)
    expect(isCodebeamerError(new Error("x"))).toBe(false)
    expect(isCodebeamerError({ _tag: "NotFound" })).toBe(false)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe("Transport")
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      _tag: "Transport",
      code: "ECONNREFUSED",
    })
    expect(inspect(error)).toContain("job 56 failed on the network")
    expect(codebeamerErrorTags).toHaveLength(15)
  })

  it("keep every message on one line", () => {
    const messages = [
      new DecodeError({
        ...get,
        status: 200,
        problem: "schema",
        field: "steps[1].id",
        issue: "Expected number",
      }).message,
      new UnknownOutcome({
        method: "POST",
        path: "/v3/jobs/working-set-update",
        request: { source: { id: 1 } },
        reason: "timeout",
        detail: "no response within 30 s",
      }).message,
      new ServerError({ ...get, status: 500, serverMessage: oneLine("line one\nline two\r\n") })
        .message,
    ]

    for (const message of messages) {
      expect(message).not.toMatch(/[\r\n]/)
    }
  })
})

describe("scrubbing", () => {
  it("removes every secret from a text, longest first", () => {
    const scrub = makeScrubber(["s3cret-token", "s3cret-token-long", "ab"])

    expect(scrub("bad token s3cret-token-long and s3cret-token, ab")).toBe(
      "bad token <redacted> and <redacted>, ab",
    )
  })
})

describe("fetch failures", () => {
  const failure = (error: unknown) => describeFetchFailure(error)
  const withCause = (message: string, cause: unknown) =>
    Object.assign(new TypeError(message), { cause })
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code })

  it("counts a refused connection, a DNS failure or a blocked port as never sent", () => {
    const refused = withCause(
      "fetch failed",
      coded("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED"),
    )
    const everyAddress = withCause(
      "fetch failed",
      Object.assign(new AggregateError([coded("a", "ECONNREFUSED"), coded("b", "ECONNREFUSED")]), {
        code: "ECONNREFUSED",
      }),
    )

    expect(failure(refused)).toMatchObject({ mayHaveBeenSent: false, code: "ECONNREFUSED" })
    expect(failure(everyAddress).mayHaveBeenSent).toBe(false)
    expect(
      failure(withCause("fetch failed", coded("getaddrinfo", "ENOTFOUND"))).mayHaveBeenSent,
    ).toBe(false)
    expect(failure(withCause("fetch failed", new Error("bad port"))).mayHaveBeenSent).toBe(false)
    expect(failure(coded("Unable to connect", "ConnectionRefused")).mayHaveBeenSent).toBe(false)
    expect(
      failure(new TypeError("error sending request: client error (Connect): tcp connect error"))
        .mayHaveBeenSent,
    ).toBe(false)
  })

  it("counts a reset, a closed socket or an unexplained failure as possibly sent", () => {
    expect(
      failure(withCause("fetch failed", coded("read ECONNRESET", "ECONNRESET"))).mayHaveBeenSent,
    ).toBe(true)
    expect(
      failure(withCause("fetch failed", coded("other side closed", "UND_ERR_SOCKET")))
        .mayHaveBeenSent,
    ).toBe(true)
    expect(failure(new TypeError("Failed to fetch")).mayHaveBeenSent).toBe(true)
    expect(failure("something odd")).toMatchObject({
      mayHaveBeenSent: true,
      reason: "something odd",
    })
  })

  it("describes the failure with the messages of its causes", () => {
    expect(
      failure(withCause("fetch failed", coded("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED")))
        .reason,
    ).toBe("fetch failed: connect ECONNREFUSED 127.0.0.1:1")
  })
})
