import { describe, expect, it } from "vitest"
import { colorsWanted, makeStyle } from "../src/Style.ts"

describe("colorsWanted", () => {
  it("colors a terminal by default", () => {
    expect(colorsWanted({ flag: true, env: {}, isTTY: true })).toBe(true)
    expect(colorsWanted({ flag: true, env: {}, isTTY: false })).toBe(false)
  })

  it("honours --no-color, NO_COLOR and TERM=dumb", () => {
    expect(colorsWanted({ flag: false, env: {}, isTTY: true })).toBe(false)
    expect(colorsWanted({ flag: true, env: { NO_COLOR: "1" }, isTTY: true })).toBe(false)
    expect(colorsWanted({ flag: true, env: { TERM: "dumb" }, isTTY: true })).toBe(false)
  })

  it("forces colors with FORCE_COLOR, but not over --no-color", () => {
    expect(colorsWanted({ flag: true, env: { FORCE_COLOR: "1" }, isTTY: false })).toBe(true)
    expect(colorsWanted({ flag: true, env: { FORCE_COLOR: "0" }, isTTY: false })).toBe(false)
    expect(colorsWanted({ flag: false, env: { FORCE_COLOR: "1" }, isTTY: true })).toBe(false)
  })
})

describe("makeStyle", () => {
  it("wraps text in ANSI codes only when enabled", () => {
    expect(makeStyle(true).red("x")).toBe("\x1b[31mx\x1b[39m")
    expect(makeStyle(false).red("x")).toBe("x")
  })
})
