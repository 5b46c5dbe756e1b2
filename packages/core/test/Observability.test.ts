import { inspect } from "node:util"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { describe, expect, it } from "vitest"
import {
  type AttemptEvent,
  type ClientConfig,
  CodebeamerClient,
  getBackgroundJob,
  makeClientConfig,
  updateWorkingSet,
} from "../src/index.ts"
import { adminLayer, releaseIntoDefault, useSandbox } from "./support.ts"

const sandboxOf = useSandbox({
  throttle: false,
  jobDurationMs: 60_000,
  users: { admin: { password: "canary-P4ssw0rd-7d1e", apiKey: "canary-ApiKey-90b2f3" } },
})

const PASSWORD = "canary-P4ssw0rd-7d1e"
const API_KEY = "canary-ApiKey-90b2f3"
const BASIC = btoa(`admin:${PASSWORD}`)
const canaries = [PASSWORD, API_KEY, BASIC, "canary-"]

const recordingTracer = (spans: Array<Tracer.NativeSpan>) =>
  Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    },
  })

// Everything an error or span could show: message, stack, JSON, inspect, attributes, exit.
const everythingShown = (errors: ReadonlyArray<unknown>, spans: ReadonlyArray<Tracer.NativeSpan>) =>
  [
    ...errors.flatMap((error) => [
      String(error),
      (error as Error).stack ?? "",
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
    ]),
    ...spans.flatMap((span) => [
      span.name,
      inspect([...span.attributes], { depth: 10 }),
      span.status._tag === "Ended" ? inspect(span.status.exit, { depth: 10 }) : "",
      span.status._tag === "Ended" ? JSON.stringify(span.status.exit) : "",
    ]),
  ].join("\n")

describe("spans", () => {
  it("records an operation span and a span per attempt with OpenTelemetry attributes", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(503, { route: "job" })
    const spans: Array<Tracer.NativeSpan> = []

    await Effect.runPromise(
      Effect.flip(getBackgroundJob(99_999)).pipe(
        Effect.provide(adminLayer(sandbox)),
        Effect.withTracer(recordingTracer(spans)),
      ),
    )

    const operation = spans.find((span) => span.name === "cbjobs.getBackgroundJob")
    const attempts = spans.filter((span) => span.name === "GET /v3/job/{jobId}")

    expect(operation?.attributes.get("cbjobs.job.id")).toBe(99_999)
    expect(attempts.map((span) => span.attributes.get("http.response.status_code"))).toEqual([
      503, 404,
    ])
    expect(attempts.map((span) => span.attributes.get("http.request.resend_count"))).toEqual([
      undefined,
      1,
    ])
    expect(attempts[1]?.attributes.get("url.path")).toBe("/cb/api/v3/job/99999")
    expect(attempts[1]?.attributes.get("http.request.method")).toBe("GET")
    expect(attempts[1]?.attributes.get("error.type")).toBe("NotFound")
    expect(attempts[1]?.attributes.get("http.request.header.authorization")).toEqual(["<redacted>"])
    expect(attempts.every((span) => span.parent._tag === "Some")).toBe(true)
  })
})

describe("secrets", () => {
  it("never shows a canary secret in an error, a span, an event or the config", async () => {
    const sandbox = sandboxOf()
    const spans: Array<Tracer.NativeSpan> = []
    const events: Array<AttemptEvent> = []
    const errors: Array<unknown> = []
    const basic: ClientConfig = {
      baseUrl: sandbox.url,
      auth: { type: "basic", username: "admin", password: Redacted.make(PASSWORD) },
      throttle: false,
      retry: false,
      timeout: 150,
      headers: { "X-Api-Token": API_KEY },
      hooks: { onAttempt: (event) => events.push(event) },
    }
    const apiKey: ClientConfig = {
      ...basic,
      auth: { type: "apiKey", apiKey: Redacted.make(`${API_KEY}-wrong`) },
      headers: {},
    }

    const scenarios: Array<[() => void, Effect.Effect<unknown, unknown, CodebeamerClient>]> = [
      [() => sandbox.faults.status(500, { route: "job" }), getBackgroundJob(1)],
      [() => sandbox.faults.status(429, { route: "job" }), getBackgroundJob(1)],
      [() => sandbox.faults.body("html-login", { route: "job" }), getBackgroundJob(1)],
      [
        () => sandbox.faults.body("malformed", { route: "working-set-update" }),
        updateWorkingSet(releaseIntoDefault),
      ],
      [
        () => sandbox.faults.destroy("after", { route: "working-set-update" }),
        updateWorkingSet(releaseIntoDefault),
      ],
      [() => sandbox.faults.latency(400), getBackgroundJob(1)],
      [() => undefined, updateWorkingSet({ source: { id: 1 }, target: { id: 1 } })],
      [() => undefined, getBackgroundJob(123_456)],
    ]

    for (const config of [basic, apiKey]) {
      for (const [fault, operation] of scenarios) {
        sandbox.faults.clear()
        fault()
        errors.push(
          await Effect.runPromise(
            Effect.flip(operation).pipe(
              Effect.provide(CodebeamerClient.layer(config)),
              Effect.withTracer(recordingTracer(spans)),
            ),
          ),
        )
      }
    }

    const tags = new Set(errors.map((error) => (error as { _tag: string })._tag))
    expect(tags).toEqual(
      new Set([
        "ServerError",
        "RateLimited",
        "DecodeError",
        "UnknownOutcome",
        "Timeout",
        "InvalidRequest",
        "NotFound",
        "Unauthorized",
      ]),
    )

    const config = await Effect.runPromise(makeClientConfig(basic))
    const shown = [
      everythingShown(errors, spans),
      JSON.stringify(events),
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      String(config.auth.type === "basic" ? config.auth.password : ""),
    ].join("\n")

    expect(shown.length).toBeGreaterThan(10_000)
    for (const canary of canaries) {
      expect(shown).not.toContain(canary)
    }
  })
})

describe("the attempt hook", () => {
  it("reports each attempt with its status and the wait before the next", async () => {
    const sandbox = sandboxOf()
    sandbox.faults.status(502, { route: "job" })
    const events: Array<AttemptEvent> = []
    const layer = adminLayer(sandbox, { hooks: { onAttempt: (event) => events.push(event) } })

    await Effect.runPromise(Effect.flip(getBackgroundJob(424_242)).pipe(Effect.provide(layer)))

    expect(events).toHaveLength(2)
    expect(events[0]).toMatchObject({
      operation: "getBackgroundJob",
      method: "GET",
      path: "/v3/job/424242",
      attempt: 1,
      status: 502,
      error: "ServerError",
    })
    expect(events[0]?.retryInMs).toBeGreaterThanOrEqual(0)
    expect(events[1]).toMatchObject({ attempt: 2, status: 404, error: "NotFound" })
    expect(events[1]?.retryInMs).toBeUndefined()
  })

  it("keeps working when the hook throws", async () => {
    const sandbox = sandboxOf()
    const layer = adminLayer(sandbox, {
      hooks: {
        onAttempt: () => {
          throw new Error("a broken logger")
        },
      },
    })
    const reference = await Effect.runPromise(
      updateWorkingSet(releaseIntoDefault).pipe(Effect.provide(layer)),
    )

    expect(reference.jobId).toBeGreaterThan(0)
  })
})
