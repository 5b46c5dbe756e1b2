import { describe, expect, it } from "vitest"
import { formatClock, formatDuration, parseDuration } from "../src/Duration.ts"

describe("parseDuration", () => {
  it("reads units and combinations", () => {
    expect(parseDuration("500ms")).toBe(500)
    expect(parseDuration("30s")).toBe(30_000)
    expect(parseDuration("5m")).toBe(300_000)
    expect(parseDuration("1h30m")).toBe(5_400_000)
    expect(parseDuration("1.5s")).toBe(1_500)
    expect(parseDuration(" 2M ")).toBe(120_000)
  })

  it("reads a bare number as seconds", () => {
    expect(parseDuration("45")).toBe(45_000)
    expect(parseDuration("0.2")).toBe(200)
  })

  it("rejects text that is not a positive duration", () => {
    for (const text of ["", "soon", "10x", "m", "0", "0s", "-5s", "5s garbage", "1h-3m"]) {
      expect(parseDuration(text), text).toBeUndefined()
    }
  })
})

describe("formatDuration and formatClock", () => {
  it("formats for people", () => {
    expect(formatDuration(850)).toBe("850ms")
    expect(formatDuration(4_240)).toBe("4.2s")
    expect(formatDuration(185_000)).toBe("3m05s")
    expect(formatDuration(3_725_000)).toBe("1h02m")
  })

  it("formats elapsed time as a clock", () => {
    expect(formatClock(7_400)).toBe("0:07")
    expect(formatClock(765_000)).toBe("12:45")
    expect(formatClock(3_729_000)).toBe("1:02:09")
  })
})
