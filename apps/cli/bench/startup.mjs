// Start-up time of the bundled CLI (`cbjobs --version`) against a bare `node -e 0` measured in
// the same run, alternating the two so machine noise hits both alike. Prints medians and the
// ratio; build first (pnpm --filter cbjobs build).
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const cli = fileURLToPath(new URL("../dist/cbjobs.js", import.meta.url))
const runs = Number(process.argv[2] ?? 15)

if (!existsSync(cli)) {
  console.error(`missing ${cli}; run the build first`)
  process.exit(2)
}

const time = (args) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { stdio: "ignore" })

  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}`)

  return Number(process.hrtime.bigint() - started) / 1e6
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)

  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const baseline = []
const cbjobs = []

// One warm-up each so the file cache does not favour the second.
time(["-e", "0"])
time([cli, "--version"])

for (let run = 0; run < runs; run++) {
  baseline.push(time(["-e", "0"]))
  cbjobs.push(time([cli, "--version"]))
}

const base = median(baseline)
const ours = median(cbjobs)

console.log(`node -e 0          median ${base.toFixed(1)} ms over ${runs} runs`)
console.log(`cbjobs --version   median ${ours.toFixed(1)} ms over ${runs} runs`)
console.log(`ratio              ${(ours / base).toFixed(2)}x (${(ours - base).toFixed(1)} ms more)`)
