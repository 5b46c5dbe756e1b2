// Plain-fetch helpers for talking to a sandbox the way any HTTP client would.
import type { SandboxHandle, SandboxUser } from "../src/index.ts"

/** How a request authenticates. */
export type AuthStyle =
  | { readonly basic: SandboxUser }
  | { readonly apiKey: SandboxUser; readonly prefix?: string }
  | { readonly bearer: string }
  | { readonly header: string }
  | "none"

/** A response with its body read as text. */
export interface Received {
  readonly status: number
  readonly contentType: string | null
  readonly headers: Headers
  readonly text: string
}

const authorization = (auth: AuthStyle): string | undefined => {
  if (auth === "none") return undefined

  if ("basic" in auth) return `Basic ${btoa(`${auth.basic.username}:${auth.basic.password}`)}`

  if ("apiKey" in auth) {
    return auth.prefix === undefined ? auth.apiKey.apiKey : `${auth.prefix} ${auth.apiKey.apiKey}`
  }

  if ("bearer" in auth) return `Bearer ${auth.bearer}`

  return auth.header
}

/** Sends one request to the sandbox and reads the whole body. */
export const send = async (
  sandbox: SandboxHandle,
  request: {
    readonly method?: string
    readonly path: string
    readonly auth?: AuthStyle
    readonly body?: unknown
    readonly rawBody?: string
    readonly accept?: string | null
    readonly base?: "url" | "origin"
  },
): Promise<Received> => {
  const headers: Record<string, string> = {}
  const auth = authorization(request.auth ?? { basic: sandbox.credentials })

  if (auth !== undefined) headers.authorization = auth

  if (request.accept !== null) headers.accept = request.accept ?? "application/json"

  const body =
    request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body))

  if (body !== undefined) headers["content-type"] = "application/json"

  const base = request.base === "origin" ? sandbox.origin : sandbox.url
  const response = await fetch(`${base}${request.path}`, {
    method: request.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(body === undefined ? {} : { body }),
  })

  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    headers: response.headers,
    text: await response.text(),
  }
}

/** Starts a working-set update as the admin and returns the job id. */
export const startJob = async (
  sandbox: SandboxHandle,
  body: unknown = { source: { id: 1002 } },
  auth: AuthStyle = { basic: sandbox.credentials },
): Promise<number> => {
  const response = await send(sandbox, { path: "/v3/jobs/working-set-update", body, auth })

  if (response.status !== 200) throw new Error(`POST answered ${response.status}: ${response.text}`)

  return (JSON.parse(response.text) as { jobId: number }).jobId
}

/** Reads a job as the admin; returns the status and the parsed body. */
export const readJob = async (
  sandbox: SandboxHandle,
  jobId: number,
): Promise<{ readonly status: number; readonly job: Record<string, unknown> }> => {
  const response = await send(sandbox, { path: `/v3/job/${jobId}` })

  return { status: response.status, job: JSON.parse(response.text) as Record<string, unknown> }
}

/** A clock the test moves by hand, so job states do not depend on scheduling. */
export const manualClock = (start = Date.parse("2026-12-03T10:53:49.963Z")) => {
  let nowMs = start

  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms
    },
  }
}
