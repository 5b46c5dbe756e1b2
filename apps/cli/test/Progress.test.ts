import { describe, expect, it } from "vitest"
import {
  makeReporter,
  type ProgressState,
  renderBar,
  renderEvent,
  renderPlainLine,
  resolveProgressMode,
} from "../src/Progress.ts"
import { makeStyle } from "../src/Style.ts"

const plain = makeStyle(false)

const state: ProgressState = {
  jobId: 57,
  status: "IN_PROGRESS",
  percent: 50,
  step: "Merging Requirements",
  elapsedMs: 7_000,
}

describe("resolveProgressMode", () => {
  it("shows a bar on a terminal and plain lines elsewhere", () => {
    const base = { flag: "auto", json: false, quiet: false } as const

    expect(resolveProgressMode({ ...base, stderrIsTTY: true })).toBe("bar")
    expect(resolveProgressMode({ ...base, stderrIsTTY: false })).toBe("plain")
  })

  it("shows nothing with --json or --quiet unless --progress asks", () => {
    expect(resolveProgressMode({ flag: "auto", json: true, quiet: false, stderrIsTTY: true })).toBe(
      "none",
    )
    expect(resolveProgressMode({ flag: "auto", json: false, quiet: true, stderrIsTTY: true })).toBe(
      "none",
    )
    expect(
      resolveProgressMode({ flag: "ndjson", json: true, quiet: false, stderrIsTTY: false }),
    ).toBe("ndjson")
  })
})

describe("renderBar", () => {
  it("shows the job, a half-filled bar, the percentage, the step and the clock", () => {
    const line = renderBar(state, 100, plain)

    const bar = "█".repeat(12) + "░".repeat(12)

    expect(line).toBe(`job 57 ${bar}   50%  Merging Requirements  0:07`)
  })

  it("cuts the step to fit a narrow terminal", () => {
    const line = renderBar({ ...state, step: "A very long step name ".repeat(5) }, 60, plain)

    expect(line.length).toBeLessThanOrEqual(59)
    expect(line).toContain("…")
    expect(line.endsWith("0:07")).toBe(true)
  })

  it("takes 0 or unknown columns for 80 and keeps the step", () => {
    const wide = renderBar(state, 80, plain)

    expect(renderBar(state, 0, plain)).toBe(wide)
    expect(renderBar(state, Number.NaN, plain)).toBe(wide)
    expect(wide).toContain("Merging Requirements")
  })

  it("clamps the percentage", () => {
    expect(renderBar({ ...state, percent: 140 }, 100, plain)).toContain("100%")
    expect(renderBar({ ...state, percent: -3 }, 100, plain)).toContain("  0%")
  })

  it("colors the bar only when colors are on", () => {
    expect(renderBar(state, 100, makeStyle(true))).toContain("\x1b[36m")
    expect(renderBar(state, 100, plain)).not.toContain("\x1b[")
  })
})

describe("plain lines and events", () => {
  it("renders one plain line per change", () => {
    expect(renderPlainLine(state)).toBe("job 57: IN_PROGRESS 50% Merging Requirements (7.0s)")
    expect(renderPlainLine({ ...state, step: undefined, status: "NEW", percent: 0 })).toBe(
      "job 57: NEW 0% (7.0s)",
    )
  })

  it("renders an NDJSON event as one line of JSON", () => {
    const event = JSON.parse(renderEvent("progress", state))

    expect(event).toMatchObject({
      event: "progress",
      jobId: 57,
      status: "IN_PROGRESS",
      progress: 50,
      stepInProgress: "Merging Requirements",
      elapsedMs: 7_000,
    })
    expect(Number.isNaN(Date.parse(event.time))).toBe(false)
  })
})

describe("makeReporter", () => {
  const sink = () => {
    const lines: Array<string> = []
    const live: Array<string | undefined> = []

    return {
      lines,
      live,
      sink: {
        line: (text: string) => lines.push(text),
        live: (text: string | undefined) => live.push(text),
        columns: () => 100,
        style: plain,
      },
    }
  }

  it("keeps the bar on the live line and removes it on close", () => {
    const { lines, live, sink: target } = sink()
    const reporter = makeReporter("bar", target)

    reporter.update(state)
    reporter.close()

    expect(lines).toEqual([])
    expect(live[0]).toContain("50%")
    expect(live.at(-1)).toBeUndefined()
  })

  it("writes a final ndjson event on close", () => {
    const { lines, sink: target } = sink()
    const reporter = makeReporter("ndjson", target)

    reporter.update(state)
    reporter.close({ event: "finished", state: { ...state, status: "FINISHED", percent: 100 } })

    expect(lines.map((line) => JSON.parse(line).event)).toEqual(["progress", "finished"])
  })

  it("writes nothing in mode none", () => {
    const { lines, live, sink: target } = sink()
    const reporter = makeReporter("none", target)

    reporter.update(state)
    reporter.close({ event: "finished", state })

    expect([...lines, ...live]).toEqual([])
  })
})
