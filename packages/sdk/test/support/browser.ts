import { mkdtemp, readFile, rm } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { extname, join } from "node:path"
import { type BrowserContext, chromium } from "playwright-core"

/** Debian's Chromium; `.ci/run` installs it when missing. */
export const chromiumPath = "/usr/bin/chromium"

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]

/** A headless Chromium with a fresh profile; `close` also removes the profile. */
export interface Browser {
  readonly context: BrowserContext
  close(): Promise<void>
}

/** Starts Debian's Chromium through playwright-core, with a throw-away user-data-dir. */
export const launchChromium = async (): Promise<Browser> => {
  const profile = await mkdtemp(join(tmpdir(), "cbjobs-chromium-"))

  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
    })

    return {
      context,
      close: async () => {
        await context.close()
        await rm(profile, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(profile, { recursive: true, force: true })
    throw error
  }
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
}

/** A loopback server for a fixed set of files, keyed by URL path. */
export interface StaticServer {
  readonly origin: string
  close(): Promise<void>
}

/** Serves `files` (URL path to file on disk, or inline text) on 127.0.0.1 and a free port. */
export const serveFiles = async (
  files: Readonly<Record<string, { readonly file: string } | { readonly text: string }>>,
): Promise<StaticServer> => {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname
    const entry = files[path]

    if (entry === undefined) {
      response.writeHead(404).end()
      return
    }

    const body = "file" in entry ? readFile(entry.file) : Promise.resolve(entry.text)

    body.then(
      (content) => {
        const name = "file" in entry ? entry.file : path.endsWith("/") ? "index.html" : path
        const type = contentTypes[extname(name)] ?? "text/plain"
        response.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(content)
      },
      () => response.writeHead(500).end(),
    )
  })

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))

  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
