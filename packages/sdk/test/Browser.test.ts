import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Browser, launchChromium, type StaticServer, serveFiles } from "./support/browser.ts"
import { mergeRequest, useSandbox } from "./support/sandbox.ts"

const bundle = fileURLToPath(new URL("../dist/browser/cbjobs-sdk.js", import.meta.url))
const flowScript = fileURLToPath(new URL("./support/browser-flow.js", import.meta.url))
const page = `<!doctype html>
<meta charset="utf-8">
<title>cbjobs sdk</title>
<script type="module" src="/flow.js"></script>`

const sandbox = useSandbox({ cors: true })

let browser: Browser | undefined
let site: StaticServer | undefined

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run the build first`)

  site = await serveFiles({
    "/": { text: page },
    "/flow.js": { file: flowScript },
    "/cbjobs-sdk.js": { file: bundle },
  })
  browser = await launchChromium()
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
})

interface FlowInput {
  readonly baseUrl: string
  readonly username: string
  readonly password: string
  readonly request: unknown
}

interface FlowResult {
  readonly status: string
  readonly finishedAtIsDate: boolean
  readonly progress: ReadonlyArray<number>
  readonly errorName: string
  readonly errorStatus: number
  readonly isNotFound: boolean
  readonly isCodebeamerError: boolean
  readonly userAgent: string
}

describe("the browser bundle in headless Chromium", () => {
  it("carries no Node import", async () => {
    const text = await readFile(bundle, "utf8")

    expect(text).not.toMatch(/\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|require\(/)
  })

  it("starts an update, waits with progress and reports a typed error", async () => {
    const tab = await browser!.context.newPage()
    const pageErrors: Array<string> = []

    tab.on("pageerror", (error) => pageErrors.push(error.message))
    await tab.goto(`${site!.origin}/`)
    await tab.waitForFunction(() => "runFlow" in window)

    const { username, password } = sandbox().credentials
    const input: FlowInput = {
      baseUrl: sandbox().url,
      username,
      password,
      request: mergeRequest(sandbox()),
    }
    const result = await tab.evaluate(
      (flow) =>
        (window as unknown as { runFlow(flow: FlowInput): Promise<FlowResult> }).runFlow(flow),
      input,
    )

    expect(pageErrors).toEqual([])
    expect(result.userAgent).toMatch(/HeadlessChrome/)
    expect(result.status).toBe("FINISHED")
    expect(result.finishedAtIsDate).toBe(true)
    expect(result.progress.length).toBeGreaterThanOrEqual(2)
    expect(result.progress).toEqual([...result.progress].sort((a, b) => a - b))
    expect(result).toMatchObject({
      errorName: "NotFoundError",
      errorStatus: 404,
      isNotFound: true,
      isCodebeamerError: true,
    })
    expect(sandbox().counters().jobsCreated).toBe(1)
  })
})
