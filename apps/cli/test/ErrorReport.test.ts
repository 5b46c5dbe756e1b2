import {
  BadRequest,
  DecodeError,
  Forbidden,
  InvalidRequest,
  JobFailed,
  JobStalled,
  NotFound,
  RateLimited,
  ServerError,
  Timeout,
  Transport,
  Unauthorized,
  UnexpectedStatus,
  UnknownOutcome,
  WaitTimeout,
} from "@cbjobs/core"
import { describe, expect, it } from "vitest"
import { exitCodeFor, reportFailure } from "../src/ErrorReport.ts"
import { ExitCode } from "../src/ExitCode.ts"
import { UsageError } from "../src/Failure.ts"

const get = { method: "GET", path: "/v3/job/56", jobId: 56 } as const
const post = { method: "POST", path: "/v3/jobs/working-set-update" } as const

describe("exitCodeFor", () => {
  it("maps every failure to the documented code", () => {
    const cases: Array<readonly [unknown, ExitCode]> = [
      [new UsageError({ message: "bad flag" }), 2],
      [
        new InvalidRequest({ ...get, operation: "getBackgroundJob", field: "jobId", reason: "x" }),
        2,
      ],
      [new BadRequest({ ...post, status: 400 }), 2],
      [new JobFailed({ jobId: 5, job: {}, failedSteps: [] }), 1],
      [new Unauthorized({ ...get, status: 401 }), 3],
      [new Forbidden({ ...post, status: 403 }), 3],
      [new NotFound({ ...get, status: 404 }), 4],
      [new RateLimited({ ...get, status: 429, retryAfterMs: 1000, retryAfterSource: "body" }), 5],
      [new ServerError({ ...get, status: 503 }), 6],
      [new Transport({ ...get, reason: "ECONNREFUSED", mayHaveBeenSent: false }), 7],
      [new Timeout({ ...get, timeoutMs: 30_000, scope: "attempt" }), 7],
      [new WaitTimeout({ jobId: 5, maxWaitMs: 10 }), 8],
      [new JobStalled({ jobId: 5, stallAfterMs: 10, lastJob: {} }), 8],
      [new DecodeError({ ...get, status: 200, problem: "html-login-page", issue: "html" }), 9],
      [new UnexpectedStatus({ ...get, status: 418 }), 9],
      [
        new UnknownOutcome({
          ...post,
          request: { source: { id: 1 } },
          reason: "connection-lost",
          detail: "socket closed",
        }),
        10,
      ],
      [new Error("a bug"), ExitCode.Internal],
    ]

    for (const [error, code] of cases) {
      expect(exitCodeFor(error), String((error as { _tag?: string })._tag)).toBe(code)
    }
  })
})

describe("reportFailure", () => {
  it("says what failed, where, and what to try, on one line", () => {
    const report = reportFailure(new NotFound({ ...get, status: 404 }), {})

    expect(report.exitCode).toBe(4)
    expect(report.line).toMatch(/^cbjobs: job 56 not found \(GET \/v3\/job\/56, 404\); check/)
    expect(report.line).not.toContain("\n")
  })

  it("tells how to follow a job after a wait timeout", () => {
    const report = reportFailure(new WaitTimeout({ jobId: 57, maxWaitMs: 1000 }), {})

    expect(report.line).toContain("cbjobs job wait 57")
  })

  it("points at the base URL for a network failure", () => {
    const report = reportFailure(
      new Transport({ ...get, reason: "ECONNREFUSED", mayHaveBeenSent: false }),
      { baseUrl: "http://127.0.0.1:9/cb/api" },
    )

    expect(report.line).toContain("http://127.0.0.1:9/cb/api")
  })

  it("marks an unknown failure as a bug", () => {
    expect(reportFailure(new TypeError("x is undefined"), {}).line).toContain("internal error")
  })
})
