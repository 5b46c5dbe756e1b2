// Adds up the vitest results every workspace package left in its test-results.json and prints
// one closing line, "Tests: N passed, N failed, N skipped", so CI reads a single verdict.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const totals = { passed: 0, failed: 0, skipped: 0 }
const missing = []

for (const group of ["packages", "apps", "tests"]) {
  const groupDir = join(root, group)
  if (!existsSync(groupDir)) continue

  for (const name of readdirSync(groupDir)) {
    const packageDir = join(groupDir, name)
    if (!existsSync(join(packageDir, "vitest.config.ts"))) continue

    const file = join(packageDir, "test-results.json")
    if (!existsSync(file)) {
      missing.push(`${group}/${name}`)
      continue
    }

    const results = JSON.parse(readFileSync(file, "utf8"))
    totals.passed += results.numPassedTests
    totals.failed += results.numFailedTests
    totals.skipped += results.numPendingTests + results.numTodoTests
  }
}

if (missing.length > 0) {
  console.log(`no test results from ${missing.join(", ")}`)
  totals.failed += missing.length
}

console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exitCode = totals.failed > 0 || totals.passed === 0 ? 1 : 0
