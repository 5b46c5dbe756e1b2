// Bundles the built SDK for browsers and fails when anything in the graph needs Node: a `node:`
// import, or a bare built-in name that only Node polyfills would satisfy.
import { builtinModules } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Plugin } from "esbuild"

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), "..")

const nodeBuiltins = new Set(builtinModules.filter((name) => !name.startsWith("_")))

const refuseNode: Plugin = {
  name: "refuse-node",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      const root = args.path.split("/")[0] ?? ""
      const isNode = args.path.startsWith("node:") || nodeBuiltins.has(root)

      if (!isNode) return undefined

      return { errors: [{ text: `${args.path} is a Node module (imported by ${args.importer})` }] }
    })
  },
}

const bundleFile = join(packageDirectory, "dist", "browser", "cbjobs-sdk.js")

const result = await build({
  entryPoints: [join(packageDirectory, "dist", "index.js")],
  outfile: bundleFile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
  plugins: [refuseNode],
})

const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith(".js"))

if (output !== undefined) {
  console.log(`browser bundle: ${output[0]} ${(output[1].bytes / 1024).toFixed(1)} KiB`)
}
