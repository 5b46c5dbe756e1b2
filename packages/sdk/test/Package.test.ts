import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const dist = join(root, "dist")
const readJson = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8"))
const packageJson = readJson("package.json")

const requireBuild = (file: string): string => {
  const path = join(dist, file)

  if (!existsSync(path)) throw new Error(`${path} is missing: run the build first`)

  return path
}

// The module specifiers of a file's imports and exports, comments (and their examples) skipped.
const specifiers = (text: string): Array<string> =>
  ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName)

const printer = ts.createPrinter({ removeComments: true })

const withoutComments = (text: string, file: string): string =>
  printer.printFile(ts.createSourceFile(file, text, ts.ScriptTarget.Latest))

// Every .d.ts file a user's compiler reads, starting from the exports map.
const publicDeclarations = (): Array<string> => {
  const entries = Object.values(packageJson.exports)
    .flatMap((target) => (typeof target === "object" ? [(target as { types: string }).types] : []))
    .map((types) => join(root, types))
  const seen = new Set<string>()
  const queue = [...entries]

  while (queue.length > 0) {
    const file = queue.pop()!

    if (seen.has(file)) continue

    seen.add(file)

    for (const specifier of specifiers(readFileSync(file, "utf8"))) {
      if (specifier.startsWith("."))
        queue.push(join(dirname(file), specifier.replace(/\.[jt]s$/, ".d.ts")))
    }
  }

  return [...seen]
}

describe("the published package", () => {
  it("has no Effect or core type in any public declaration", () => {
    requireBuild("index.d.ts")

    const files = publicDeclarations()

    expect(files.map((file) => relative(dist, file)).sort()).toContain("Errors.d.ts")

    for (const file of files) {
      const text = readFileSync(file, "utf8")
      const external = specifiers(text).filter((specifier) => !specifier.startsWith("."))

      expect({ file: relative(dist, file), external }).toEqual({
        file: relative(dist, file),
        external: [],
      })
      expect(withoutComments(text, file)).not.toMatch(/\bEffect\b|\bRedacted\b|\bDuration\b/)
    }
  })

  it("documents every public member with a summary, and every method with an @example", () => {
    const program = ts.createProgram([requireBuild("index.d.ts")], { types: [] })
    const checker = program.getTypeChecker()
    const entry = program.getSourceFile(requireBuild("index.d.ts"))!
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!)
    const missing: Array<string> = []

    const check = (symbol: ts.Symbol, name: string, needsExample: boolean) => {
      const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim()
      const tags = symbol.getJsDocTags(checker).map((tag) => tag.name)

      if (summary === "") missing.push(`${name}: summary`)

      if (needsExample && !tags.includes("example")) missing.push(`${name}: @example`)
    }

    for (const exported of exports) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const isClass = (symbol.flags & ts.SymbolFlags.Class) !== 0

      check(symbol, exported.name, isClass && exported.name !== "CodebeamerError" ? true : isClass)

      if (exported.name !== "CodebeamerJobs" && exported.name !== "WithResponseCalls") continue

      for (const member of symbol.members?.values() ?? []) {
        const name = member.getName()
        const isMethod = (member.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Constructor)) !== 0

        if (name.startsWith("#") || name.startsWith("__@")) continue

        check(member, `${exported.name}.${name}`, isMethod || name === "withResponse")
      }
    }

    expect(exports.length).toBeGreaterThan(30)
    expect(missing).toEqual([])
  })

  it("recognises errors across entry points and across copies of the package", async () => {
    const main = await import(pathToFileURL(requireBuild("index.js")).href)
    const errors = await import(pathToFileURL(requireBuild("Errors.js")).href)
    const bundle = await import(pathToFileURL(requireBuild("browser/cbjobs-sdk.js")).href)
    const fromBundle = new bundle.NotFoundError("job 1 not found", { status: 404 })
    const fromMain = new main.RateLimitError("wait", {
      retryAfterMs: 1000,
      retryAfterSource: "body",
    })

    expect(main.NotFoundError).toBe(errors.NotFoundError)
    expect(bundle.NotFoundError).not.toBe(main.NotFoundError)
    expect(fromBundle).toBeInstanceOf(main.NotFoundError)
    expect(fromBundle).toBeInstanceOf(errors.CodebeamerError)
    expect(fromBundle).not.toBeInstanceOf(main.RateLimitError)
    expect(fromMain).toBeInstanceOf(bundle.RateLimitError)
    expect(fromMain).toBeInstanceOf(bundle.CodebeamerError)
    expect(fromMain).not.toBeInstanceOf(bundle.NotFoundError)
    expect(new Error("plain")).not.toBeInstanceOf(main.CodebeamerError)
    expect(fromBundle.name).toBe("NotFoundError")
    expect(String(fromBundle.stack)).toMatch(/^NotFoundError: job 1 not found/)
  })

  it("keeps jsr.json in step with package.json and the imports of the sources", () => {
    const jsr = readJson("jsr.json")
    const sourceExports = Object.fromEntries(
      Object.entries(packageJson.exports)
        .filter(([, target]) => typeof target === "object")
        .map(([key, target]) => [key, (target as { source: string }).source]),
    )
    const sources = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => join(root, "src", file))
    const bare = new Set(
      sources
        .flatMap((file) => specifiers(readFileSync(file, "utf8")))
        .filter((s) => !s.startsWith(".")),
    )
    const resolvable = (specifier: string) =>
      specifier in jsr.imports ||
      Object.keys(jsr.imports).some((key) => key.endsWith("/") && specifier.startsWith(key))

    expect(jsr.name).toBe(packageJson.name)
    expect(jsr.version).toBe(packageJson.version)
    expect(jsr.exports).toEqual(sourceExports)
    expect([...bare].filter((specifier) => !resolvable(specifier))).toEqual([])
    expect(bare.size).toBeGreaterThan(1)
  })

  it("is an ES module without side effects, for Node 20.19 and later", () => {
    expect(packageJson).toMatchObject({
      type: "module",
      sideEffects: false,
      engines: { node: ">=20.19" },
    })
    expect(Object.keys(packageJson.exports)).toEqual([".", "./errors", "./package.json"])
  })
})
