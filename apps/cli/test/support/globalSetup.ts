import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/** Bundles `dist/cbjobs.js` from the current sources before any test spawns it. */
export default function setup(): void {
  const script = fileURLToPath(new URL("../../scripts/bundle.mjs", import.meta.url))

  execFileSync(process.execPath, [script], { stdio: "inherit" })
}
