import { readdir, readFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))

// The directories that hold the package's own code; dist and node_modules are generated.
const SOURCE_DIRS = ["src", "test", "bench", "scripts"]

// A URL or a regular expression may run past the limit: cutting either makes it harder to read.
const EXEMPT = [/https?:\/\//, /new RegExp\(/, /[(=,:]\s*\/(?:[^/\\\n]|\\.)+\/[dgimsuvy]*[),;.]/]

const sourceFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name)

      if (entry.isDirectory()) return sourceFiles(path)

      return Promise.resolve(/\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [])
    }),
  )

  return nested.flat()
}

describe("source lines", () => {
  it("keeps every line of the cli's code within 100 characters", async () => {
    const files = (await Promise.all(SOURCE_DIRS.map((dir) => sourceFiles(join(root, dir))))).flat()
    const long: Array<string> = []

    for (const file of files) {
      const lines = (await readFile(file, "utf8")).split("\n")

      lines.forEach((line, index) => {
        // Characters, not UTF-16 units or bytes: "█" and "…" count one each.
        if ([...line].length > 100 && !EXEMPT.some((pattern) => pattern.test(line))) {
          long.push(`${relative(root, file)}:${index + 1}`)
        }
      })
    }

    expect(files.length).toBeGreaterThan(20)
    expect(long).toEqual([])
  })
})
