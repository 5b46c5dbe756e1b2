import type { BackgroundJob } from "./BackgroundJob.ts"
import type { Logger, LogLevel } from "./Logger.ts"

/** Basic authentication with a Codebeamer user name and password. */
export interface BasicAuth {
  readonly username: string
  readonly password: string
}

/**
 * API-key authentication: the key goes into the `Authorization` header, behind `prefix` and a
 * space when a prefix is given (e.g. `"ApiKey"`).
 */
export interface ApiKeyAuth {
  readonly apiKey: string
  readonly prefix?: string | undefined
}

/** Bearer authentication with a JWT from the OpenID provider the server trusts. */
export interface BearerAuth {
  readonly token: string
}

/** Exactly one way to authenticate. */
export type Auth = BasicAuth | ApiKeyAuth | BearerAuth

/** One window of a throttle: at most `limit` requests started in any `windowMs` milliseconds. */
export interface ThrottleWindow {
  readonly limit: number
  readonly windowMs: number
}

/**
 * A client-side throttle; every window applies at once. Codebeamer's own default is 3 requests a
 * second and 120 a minute per user, which is also this client's default.
 */
export interface ThrottlePolicy {
  readonly windows: ReadonlyArray<ThrottleWindow>
}

/**
 * Options of `new CodebeamerJobs(options)`. Every option may be left out; `baseUrl` and `auth`
 * then come from the environment (where the runtime has one).
 */
export interface ClientOptions {
  /**
   * The API's base URL, e.g. `https://codebeamer.example.com/cb/api` (on-premise) or
   * `https://tenant.codebeamer.com/api` (hosted). Default: `CODEBEAMER_URL`.
   */
  readonly baseUrl?: string | URL | undefined

  /**
   * How to authenticate. Default: from `CODEBEAMER_USERNAME` + `CODEBEAMER_PASSWORD`, or
   * `CODEBEAMER_API_KEY` (+ `CODEBEAMER_API_KEY_PREFIX`), or `CODEBEAMER_TOKEN`; exactly one.
   */
  readonly auth?: Auth | undefined

  /** Milliseconds one HTTP attempt may take. Default: 30000. */
  readonly timeout?: number | undefined

  /**
   * How often a failed request is retried, with exponential backoff and jitter (a GET after a
   * connection failure, a timeout, a 5xx or a 429; a POST only where the server cannot have
   * acted). Default: 4.
   */
  readonly maxRetries?: number | undefined

  /** `false` turns retries off entirely (same as `maxRetries: 0`). */
  readonly retry?: false | undefined

  /** The client-side throttle, or `false` for none. Default: 3 a second and 120 a minute. */
  readonly throttle?: ThrottlePolicy | false | undefined

  /** The `fetch` to use. Default: the runtime's global `fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined

  /** Extra headers on every request (not `Authorization`: use `auth`). */
  readonly headers?: Readonly<Record<string, string>> | undefined

  /** The `User-Agent` header, where the runtime lets it be set. Default: the core's. */
  readonly userAgent?: string | undefined

  /** Where log lines go. Default: `globalThis.console`. */
  readonly logger?: Logger | undefined

  /** How much to log. Default: `"off"`. */
  readonly logLevel?: LogLevel | undefined
}

/** Options every call accepts. */
export interface RequestOptions {
  /** Cancels the call; the request in flight is aborted and the call rejects with `AbortError`. */
  readonly signal?: AbortSignal | undefined

  /** Milliseconds one HTTP attempt of this call may take, instead of the client's `timeout`. */
  readonly timeout?: number | undefined

  /** Extra headers for this call's requests, on top of the client's `headers`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** Options of the calls that wait for a job. */
export interface WaitOptions extends RequestOptions {
  /**
   * Called with each snapshot whose status, progress or step in progress changed, the first
   * snapshot included.
   */
  readonly onProgress?: ((job: BackgroundJob) => void) | undefined

  /** Milliseconds before the first poll; later polls back off by 1.5x up to 5 s. Default: 500. */
  readonly pollInterval?: number | undefined

  /** Milliseconds to wait for the job to finish before `WaitTimeoutError`. Default: no limit. */
  readonly maxWait?: number | undefined

  /**
   * Milliseconds without any change in status, progress or step before `JobStalledError`.
   * Default: no limit.
   */
  readonly stallAfter?: number | undefined
}
