import { randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { type Account, authenticate } from "./internal/auth.ts"
import {
  type BodyFault,
  FaultQueue,
  type PendingFault,
  type Route,
  withExtraFields,
  withUnknownEnums,
} from "./internal/faults.ts"
import {
  acceptsJson,
  json,
  loginPage,
  malformed,
  type Reply,
  reasonPhrase,
  restError,
  tooManyRequests,
  truncated,
} from "./internal/http.ts"
import { type DateStyle, finishedAtMs, type JobRecord, renderJob } from "./internal/jobs.ts"
import { signToken } from "./internal/jwt.ts"
import { Throttle, type ThrottlePolicy } from "./internal/throttle.ts"
import { type AcceptedUpdate, checkWorkingSetUpdate } from "./internal/validation.ts"
import { type SandboxSeed, type SeedUser, sandboxSeed } from "./Seed.ts"

export type { BodyFault, DateStyle, ThrottlePolicy }

/** A route the sandbox serves: `GET /v3/job/{id}` or `POST /v3/jobs/working-set-update`. */
export type SandboxRoute = Route

/** The names of the seeded users. */
export type SandboxUserName = "admin" | "viewer" | "other"

/** Fixed secrets for a seeded user, instead of the random ones each sandbox makes up. */
export interface SandboxUserSecrets {
  readonly password?: string | undefined
  readonly apiKey?: string | undefined
}

/** How to start a sandbox; every field has a default. */
export interface SandboxOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** Interface to bind; default "127.0.0.1". */
  readonly host?: string | undefined
  /** Where the API lives; default "/cb/api" (hosted tenants use "/api"). */
  readonly basePath?: string | undefined
  /** How long a job takes from NEW to FINISHED; default 3000 ms. */
  readonly jobDurationMs?: number | undefined
  /** Requests per user and window; default 3 a second and 120 a minute; `false` turns it off. */
  readonly throttle?: ThrottlePolicy | false | undefined
  /** Always answer 429 with the legacy `text/xml` body; default false. */
  readonly legacyXml429?: boolean | undefined
  /** Finished jobs answer 404 this long after they finish; default one hour. */
  readonly retentionMs?: number | undefined
  /** Date-times in job bodies with a zone offset, without, or mixed; default "offset". */
  readonly dates?: DateStyle | undefined
  /** Answer CORS preflights and add CORS headers, for browser clients; default false. */
  readonly cors?: boolean | undefined
  /** The clock in epoch milliseconds; default `Date.now`. Tests may drive it by hand. */
  readonly now?: (() => number) | undefined
  /** Fixed secrets per user; default random ones for every sandbox. */
  readonly users?: Partial<Record<SandboxUserName, SandboxUserSecrets>> | undefined
  /** Called with every request log entry as it is written, e.g. to print it. */
  readonly onRequest?: ((entry: RequestLogEntry) => void) | undefined
}

/** A seeded user with everything needed to authenticate as it, by any of the three schemes. */
export interface SandboxUser {
  readonly id: number
  readonly username: string
  readonly password: string
  readonly apiKey: string
  /** An HS256 JWT for this user, valid for one hour from the start of the sandbox. */
  readonly token: string
}

/** Options of a forced status. */
export interface StatusFaultOptions {
  /** How many responses to force; default 1. */
  readonly count?: number | undefined
  /** Only responses on this route; default any request. */
  readonly route?: SandboxRoute | undefined
  /** For 429: the `retryAfterSecond` of the JSON body; default 1. */
  readonly retryAfterSecond?: number | undefined
  /** For any status: send a `Retry-After` header with exactly this text. */
  readonly retryAfterHeader?: string | number | undefined
}

/** Which responses a fault applies to. */
export interface FaultOptions {
  /** How many responses; default 1. */
  readonly count?: number | undefined
  /** Only responses on this route; default any request. */
  readonly route?: SandboxRoute | undefined
}

/** Controls for making the sandbox misbehave; see the README's "Faults" section. */
export interface SandboxFaults {
  /** Adds `ms` before every response (0 turns it off). */
  latency(ms: number): void
  /** Forces the next responses to `status` without acting (no job is created). */
  status(status: number, options?: StatusFaultOptions): void
  /**
   * Destroys the connection without a response: "before" the server acted, or "after" it did
   * (a POST's job then exists).
   */
  destroy(when: "before" | "after", options?: FaultOptions): void
  /**
   * Spoils a 200 answer: "malformed" or "truncated" JSON (the server acted), "html-login" (a
   * login page with 200, the server did not act), or "unknown-enums" / "extra-fields" in job
   * bodies (with `route: "working-set-update"` in the job reference instead).
   */
  body(fault: BodyFault, options?: FaultOptions): void
  /** Removes every pending fault and the latency. */
  clear(): void
}

/** Requests seen per route, and jobs created; a way to prove a POST started exactly one job. */
export interface SandboxCounters {
  readonly requests: {
    readonly job: number
    readonly "working-set-update": number
    readonly other: number
  }
  readonly jobsCreated: number
}

/** One handled request. Holds no secret: no header, no body, no query string. */
export interface RequestLogEntry {
  readonly method: string
  /** The path without its query string. */
  readonly path: string
  /** The status sent; 0 when a fault destroyed the connection instead. */
  readonly status: number
  readonly durationMs: number
  /** The authenticated user's name, or null when the request was not authenticated. */
  readonly user: string | null
  readonly route: SandboxRoute | "other"
  /** The fault that shaped the response, if any, e.g. "status 503" or "destroy after". */
  readonly fault?: string
}

/** A running sandbox. */
export interface SandboxHandle {
  /** Base URL for clients, e.g. "http://127.0.0.1:40123/cb/api". */
  readonly url: string
  /** Scheme, host and port, e.g. "http://127.0.0.1:40123". */
  readonly origin: string
  readonly port: number
  /** The admin user, who has Working-Set Admin on every project. */
  readonly credentials: SandboxUser
  /** admin; viewer (no Working-Set Admin: 403 on the POST); other (403 reading admin's jobs). */
  readonly users: Readonly<Record<SandboxUserName, SandboxUser>>
  readonly seed: SandboxSeed
  readonly faults: SandboxFaults
  counters(): SandboxCounters
  /** The last 1000 requests, oldest first. */
  requestLog(): ReadonlyArray<RequestLogEntry>
  /** Changes the throttle policy; `false` turns throttling off. */
  setThrottle(policy: ThrottlePolicy | false): void
  /** Signs a token for a user, e.g. an expired one with a negative `expiresInSeconds`. */
  issueToken(user: SandboxUserName, options?: { readonly expiresInSeconds?: number }): string
  /** Forgets jobs, counters, faults, throttle state and the log; restores the start policy. */
  reset(): void
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

const logLimit = 1_000
const bodyLimitBytes = 1_048_576
const int32Max = 2_147_483_647

const defaults = {
  host: "127.0.0.1",
  basePath: "/cb/api",
  jobDurationMs: 3_000,
  throttle: { perSecond: 3, perMinute: 120 },
  retentionMs: 3_600_000,
  dates: "offset",
} as const

const normalizeBasePath = (basePath: string): string => {
  const trimmed = basePath.trim().replace(/\/+$/, "")

  if (trimmed === "") return ""

  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`
}

const checkNumber = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`startSandbox: ${name} must be a number from ${min} to ${max}`)
  }
}

const checkOptions = (options: SandboxOptions): void => {
  if (options.port !== undefined) checkNumber("port", options.port, 0, 65_535)

  if (options.jobDurationMs !== undefined) checkNumber("jobDurationMs", options.jobDurationMs, 0)

  if (options.retentionMs !== undefined) checkNumber("retentionMs", options.retentionMs, 0)

  if (options.throttle) checkPolicy(options.throttle)

  if (options.dates !== undefined && !["offset", "local", "mixed"].includes(options.dates)) {
    throw new RangeError('startSandbox: dates must be "offset", "local" or "mixed"')
  }
}

const checkPolicy = (policy: ThrottlePolicy): void => {
  if (!Number.isInteger(policy.perSecond) || policy.perSecond < 1) {
    throw new RangeError("throttle.perSecond must be an integer of at least 1")
  }

  if (!Number.isInteger(policy.perMinute) || policy.perMinute < 1) {
    throw new RangeError("throttle.perMinute must be an integer of at least 1")
  }
}

const secret = (): string => randomBytes(18).toString("base64url")

/** A request body as read, cut off after 1 MiB. */
interface Body {
  readonly text: string
  readonly tooLarge: boolean
}

const readBody = (request: IncomingMessage): Promise<Body> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0

    request.on("data", (chunk: Buffer) => {
      size += chunk.length

      if (size <= bodyLimitBytes) chunks.push(chunk)
    })
    request.on("end", () => {
      resolve({ text: Buffer.concat(chunks).toString("utf8"), tooLarge: size > bodyLimitBytes })
    })
    request.on("error", reject)
  })

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Retry-After, WWW-Authenticate",
} as const

const preflightHeaders = {
  ...corsHeaders,
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Authorization, Content-Type, Accept",
  "access-control-max-age": "600",
} as const

const unauthorizedHeaders = { "www-authenticate": 'Basic realm="codebeamer"' } as const

const notFound = (method: string, resourceUri: string): Reply =>
  restError(404, `No resource for ${method} ${resourceUri}`, resourceUri)

const describeFault = (fault: PendingFault): string => {
  if (fault.kind === "status") return `status ${fault.status}`

  if (fault.kind === "destroy") return `destroy ${fault.when}`

  return `body ${fault.body}`
}

const failureOf = (update: AcceptedUpdate, seed: SandboxSeed): string | undefined => {
  const byTracker = update.trackers.find((entry) => entry.tracker.id === seed.failing.trackerId)

  if (byTracker !== undefined) {
    return (
      `Tracker ${byTracker.tracker.id} (${byTracker.tracker.name}) could not be replaced: ` +
      "its items in the source have unresolved merge conflicts"
    )
  }

  const byQuery = update.trackers.find((entry) => entry.cbql?.trim() === seed.failing.cbql)

  if (byQuery !== undefined) {
    return (
      `The cbql of tracker ${byQuery.tracker.id} (${byQuery.tracker.name}) failed: ` +
      "the query timed out"
    )
  }

  return undefined
}

const describeUpdate = (update: AcceptedUpdate): string =>
  `Update Working-Set "${update.target.name}" (${update.target.id}) ` +
  `from "${update.source.name}" (${update.source.id})`

/**
 * Starts a local Codebeamer that serves `GET /v3/job/{jobId}` and
 * `POST /v3/jobs/working-set-update` over real HTTP, with seeded projects, three users, a
 * throttle, job life driven by the clock, and faults to set per test.
 *
 * Gotchas: the throttle is on by default (3 a second, 120 a minute per user), so a test that
 * fires requests in a burst either waits as told or passes `throttle: false`. Secrets are
 * random per sandbox unless `users` fixes them; read them from the handle.
 *
 * @example
 * ```ts
 * import { startSandbox } from "@cbjobs/sandbox"
 *
 * const sandbox = await startSandbox({ jobDurationMs: 200 })
 * const { username, password } = sandbox.credentials
 * const response = await fetch(`${sandbox.url}/v3/jobs/working-set-update`, {
 *   method: "POST",
 *   headers: {
 *     authorization: `Basic ${btoa(`${username}:${password}`)}`,
 *     accept: "application/json",
 *     "content-type": "application/json",
 *   },
 *   body: JSON.stringify({ source: { id: 1002 } }),
 * })
 * console.log(await response.json()) // { jobId: 1, jobType: "WORKING_SET_UPDATE" }
 * await sandbox.close()
 * ```
 */
export const startSandbox = async (options: SandboxOptions = {}): Promise<SandboxHandle> => {
  checkOptions(options)

  const now = options.now ?? Date.now
  const seed = sandboxSeed
  const basePath = normalizeBasePath(options.basePath ?? defaults.basePath)
  const jobDurationMs = options.jobDurationMs ?? defaults.jobDurationMs
  const retentionMs = options.retentionMs ?? defaults.retentionMs
  const dates = options.dates ?? defaults.dates
  const startPolicy = options.throttle ?? defaults.throttle
  const jwtSecret = randomBytes(32).toString("hex")
  const accounts: ReadonlyArray<Account> = (["admin", "viewer", "other"] as const).map((name) => ({
    seed: seed.users[name],
    password: options.users?.[name]?.password ?? secret(),
    apiKey: options.users?.[name]?.apiKey ?? secret(),
  }))

  const throttle = new Throttle(startPolicy)
  const faults = new FaultQueue()
  const jobs = new Map<number, JobRecord>()
  const sockets = new Set<Socket>()
  const timers = new Set<{ timer: ReturnType<typeof setTimeout>; done: () => void }>()
  let log: Array<RequestLogEntry> = []
  let counters = { job: 0, "working-set-update": 0, other: 0, jobsCreated: 0 }
  let nextJobId = 1

  const issueToken = (user: SeedUser, expiresInSeconds: number): string => {
    const iat = Math.floor(now() / 1000)

    return signToken(jwtSecret, {
      sub: user.name,
      iat,
      exp: iat + expiresInSeconds,
      iss: "cbjobs-sandbox",
    })
  }

  const purgeExpiredJobs = (atMs: number): void => {
    for (const [id, job] of jobs) {
      if (atMs >= finishedAtMs(job) + retentionMs) jobs.delete(id)
    }
  }

  const classify = (inner: string | undefined): SandboxRoute | "other" => {
    if (inner === undefined) return "other"

    if (/^\/v3\/job\/[^/]+$/.test(inner)) return "job"

    return inner === "/v3/jobs/working-set-update" ? "working-set-update" : "other"
  }

  const getJob = (account: Account, inner: string): Reply => {
    const raw = inner.slice("/v3/job/".length)

    if (!/^-?\d+$/.test(raw)) {
      return restError(400, "Invalid field 'jobId': must be an integer", inner)
    }

    const jobId = Number(raw)

    if (jobId < 0 || jobId > int32Max) {
      return restError(400, "Invalid field 'jobId': must be an int32 of at least 0", inner)
    }

    const atMs = now()

    purgeExpiredJobs(atMs)

    const job = jobs.get(jobId)

    if (job === undefined) return restError(404, `Job ${jobId} not found`, inner)

    if (job.owner.id !== account.seed.id) {
      return restError(403, `User ${account.seed.name} may not read job ${jobId}`, inner)
    }

    return json(200, renderJob(job, atMs, dates))
  }

  const postUpdate = (account: Account, inner: string, received: Body): Reply => {
    if (received.tooLarge) return restError(400, "Invalid field 'body': larger than 1 MiB", inner)

    let body: unknown

    try {
      body = JSON.parse(received.text)
    } catch {
      return restError(400, "Invalid field 'body': malformed JSON", inner)
    }

    const checked = checkWorkingSetUpdate(seed, account.seed, body)

    if (!checked.ok) return restError(checked.refusal.status, checked.refusal.message, inner)

    const { update } = checked
    const atMs = now()

    purgeExpiredJobs(atMs)

    const job: JobRecord = {
      id: nextJobId,
      owner: account.seed,
      createdAtMs: atMs,
      durationMs: jobDurationMs,
      description: describeUpdate(update),
      trackerCount: update.trackers.length || update.target.trackers.length,
      failure: failureOf(update, seed),
    }

    nextJobId += 1
    jobs.set(job.id, job)
    counters.jobsCreated += 1

    return json(200, { jobId: job.id, jobType: "WORKING_SET_UPDATE" })
  }

  const route = (request: IncomingMessage, account: Account, inner: string, body: Body): Reply => {
    const where = classify(inner)

    if (where === "job" && request.method === "GET") return getJob(account, inner)

    if (where === "working-set-update" && request.method === "POST") {
      return postUpdate(account, inner, body)
    }

    return notFound(request.method ?? "GET", inner)
  }

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0) return resolve()

      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry)
          resolve()
        }, ms),
        done: resolve,
      }

      timers.add(entry)
    })

  /** What an "after" fault makes of the answer the server produced. */
  const spoil = (reply: Reply, fault: PendingFault): Reply | "destroy" => {
    if (fault.kind !== "body") return "destroy"

    if (fault.body === "malformed") return { ...reply, body: malformed(reply.body) }

    if (fault.body === "truncated") return { ...reply, body: truncated(reply.body) }

    const parsed = JSON.parse(reply.body) as Record<string, unknown>
    const changed =
      fault.body === "unknown-enums" ? withUnknownEnums(parsed) : withExtraFields(parsed)

    return { ...reply, body: JSON.stringify(changed) }
  }

  /** What a "before" fault answers in place of the server. */
  const intercept = (
    fault: PendingFault,
    resourceUri: string,
    accept: string | undefined,
  ): Reply | "destroy" => {
    if (fault.kind === "destroy") return "destroy"

    if (fault.kind === "body") return loginPage()

    const headers: Record<string, string> =
      fault.retryAfterHeader === undefined ? {} : { "retry-after": fault.retryAfterHeader }

    if (fault.status === 429) {
      const legacy = options.legacyXml429 === true || !acceptsJson(accept)

      return tooManyRequests(resourceUri, fault.retryAfterSecond ?? 1, legacy, headers)
    }

    return restError(fault.status, reasonPhrase(fault.status), resourceUri, {
      ...headers,
      ...(fault.status === 401 ? unauthorizedHeaders : {}),
    })
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const startedAt = performance.now()
    const method = request.method ?? "GET"
    const path = (request.url ?? "/").split("?")[0] ?? "/"
    const inner =
      path === basePath || path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : undefined
    const where = classify(inner)
    const resourceUri = inner ?? path
    const accept = request.headers.accept
    let user: string | null = null
    let applied: PendingFault | undefined

    const finish = async (reply: Reply | "destroy"): Promise<void> => {
      await wait(faults.latencyMs)

      if (reply === "destroy") {
        request.socket.destroy()
      } else if (!response.destroyed) {
        const body = Buffer.from(reply.body)

        response.writeHead(reply.status, {
          ...reply.headers,
          ...(options.cors === true ? corsHeaders : {}),
          "content-length": String(body.length),
        })
        response.end(body)
      }

      const entry: RequestLogEntry = {
        method,
        path,
        status: reply === "destroy" ? 0 : reply.status,
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        user,
        route: where,
        ...(applied === undefined ? {} : { fault: describeFault(applied) }),
      }

      log.push(entry)

      if (log.length > logLimit) log = log.slice(-logLimit)

      options.onRequest?.(entry)
    }

    const body = await readBody(request)

    if (options.cors === true && method === "OPTIONS") {
      response.writeHead(204, preflightHeaders)
      response.end()

      return
    }

    counters[where] += 1

    applied = faults.take("before", where, 0)

    if (applied !== undefined) return finish(intercept(applied, resourceUri, accept))

    if (inner === undefined) return finish(notFound(method, path))

    const auth = authenticate(accounts, jwtSecret, request.headers.authorization, now())

    if (!auth.ok) return finish(restError(401, auth.message, resourceUri, unauthorizedHeaders))

    user = auth.account.seed.name

    const decision = throttle.admit(user, now())

    if (!decision.allowed) {
      const legacy = options.legacyXml429 === true || !acceptsJson(accept)

      return finish(tooManyRequests(resourceUri, decision.retryAfterSecond, legacy))
    }

    const reply = route(request, auth.account, inner, body)

    applied = faults.take("after", where, reply.status)

    return finish(applied === undefined ? reply : spoil(reply, applied))
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json;charset=UTF-8" })
        response.end(JSON.stringify({ message: "Internal Server Error", resourceUri: "" }))
      } else {
        response.destroy()
      }
    })
  })

  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? defaults.host, () => {
      server.off("error", reject)
      resolve()
    })
  })

  const address = server.address() as AddressInfo
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address
  const origin = `http://${host}:${address.port}`
  const userOf = (name: SandboxUserName): SandboxUser => {
    const account = accounts.find((candidate) => candidate.seed.name === seed.users[name].name)!

    return {
      id: account.seed.id,
      username: account.seed.name,
      password: account.password,
      apiKey: account.apiKey,
      token: issueToken(account.seed, 3_600),
    }
  }
  const users = { admin: userOf("admin"), viewer: userOf("viewer"), other: userOf("other") }
  const count = (value: number | undefined): number => {
    const n = value ?? 1

    if (!Number.isInteger(n) || n < 1) throw new RangeError("faults: count must be an integer >= 1")

    return n
  }

  return {
    url: `${origin}${basePath}`,
    origin,
    port: address.port,
    credentials: users.admin,
    users,
    seed,
    faults: {
      latency: (ms) => {
        checkNumber("faults.latency", ms, 0)
        faults.latencyMs = ms
      },
      status: (status, statusOptions = {}) => {
        checkNumber("faults.status", status, 100, 599)
        faults.add(
          {
            kind: "status",
            status,
            retryAfterSecond: statusOptions.retryAfterSecond,
            retryAfterHeader:
              statusOptions.retryAfterHeader === undefined
                ? undefined
                : String(statusOptions.retryAfterHeader),
          },
          count(statusOptions.count),
          statusOptions.route,
        )
      },
      destroy: (when, faultOptions = {}) => {
        faults.add({ kind: "destroy", when }, count(faultOptions.count), faultOptions.route)
      },
      body: (body, faultOptions = {}) => {
        faults.add({ kind: "body", body }, count(faultOptions.count), faultOptions.route)
      },
      clear: () => faults.clear(),
    },
    counters: () => ({
      requests: {
        job: counters.job,
        "working-set-update": counters["working-set-update"],
        other: counters.other,
      },
      jobsCreated: counters.jobsCreated,
    }),
    requestLog: () => [...log],
    setThrottle: (policy) => {
      if (policy) checkPolicy(policy)

      throttle.setPolicy(policy)
    },
    issueToken: (name, tokenOptions = {}) =>
      issueToken(seed.users[name], tokenOptions.expiresInSeconds ?? 3_600),
    reset: () => {
      jobs.clear()
      faults.clear()
      throttle.clear()
      throttle.setPolicy(startPolicy)
      log = []
      counters = { job: 0, "working-set-update": 0, other: 0, jobsCreated: 0 }
    },
    close: async () => {
      for (const entry of timers) {
        clearTimeout(entry.timer)
        entry.done()
      }

      timers.clear()

      const closed = new Promise<void>((resolve) => server.close(() => resolve()))

      for (const socket of sockets) socket.destroy()

      await closed
    },
  }
}
