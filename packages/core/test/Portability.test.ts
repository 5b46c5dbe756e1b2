import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const source = join(import.meta.dirname, "..", "src")

// Code without its comments: doc examples may mention process.env or console.
const code = (file: string): string =>
  readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "")

const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  )

describe("portability", () => {
  const sources = files(source).filter((file) => file.endsWith(".ts"))

  it("has sources to check", () => {
    expect(sources.length).toBeGreaterThan(10)
  })

  it("imports nothing from node: and no Node globals in src", () => {
    for (const file of sources) {
      expect(code(file), file).not.toMatch(/from\s+["']node:|require\(|\bprocess\.|\bBuffer\b/)
    }
  })

  it("imports effect by subpath only, never the barrel", () => {
    for (const file of sources) {
      expect(readFileSync(file, "utf8"), file).not.toMatch(/from\s+["']effect["']/)
    }
  })

  it("never writes to the console", () => {
    for (const file of sources) {
      expect(code(file), file).not.toMatch(/\bconsole\./)
    }
  })
})
