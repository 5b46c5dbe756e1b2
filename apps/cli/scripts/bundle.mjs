// Bundles the CLI into one ESM file so start-up reads a single module instead of walking the
// dependency tree; workspace packages are taken from their TypeScript sources ("source" condition).
import { chmod, readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"))
const outfile = join(root, "dist", "cbjobs.js")

// yaml's Node build is CommonJS and calls require("process"); an ESM bundle has no require, so
// the banner provides one (esbuild's shim uses it when it exists).
const banner = [
  "#!/usr/bin/env node",
  'import { createRequire as __cbjobsCreateRequire } from "node:module";',
  "const require = __cbjobsCreateRequire(import.meta.url);",
].join("\n")

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["source"],
  mainFields: ["module", "main"],
  banner: { js: banner },
  define: { __CBJOBS_VERSION__: JSON.stringify(pkg.version) },
  minify: true,
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
})

await chmod(outfile, 0o755)

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0)
process.stdout.write(`bundled ${outfile} (${Math.round(bytes / 1024)} KiB)\n`)
