import { createHmac, timingSafeEqual } from "node:crypto"

/** The claims the sandbox puts into and reads from its tokens. */
export interface TokenClaims {
  readonly sub: string
  readonly iat: number
  readonly exp: number
  readonly iss: string
}

/** Why a bearer token was refused; the text goes into a 401 body, never the token itself. */
export type TokenProblem = "malformed" | "unsupported algorithm" | "bad signature" | "expired"

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url")

const signature = (secret: string, signingInput: string): Buffer =>
  createHmac("sha256", secret).update(signingInput).digest()

/** Signs `claims` as a compact HS256 JWT. */
export const signToken = (secret: string, claims: TokenClaims): string => {
  const signingInput = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}`

  return `${signingInput}.${signature(secret, signingInput).toString("base64url")}`
}

/** True when `value` has the three dot-separated parts of a compact JWT. */
export const looksLikeJwt = (value: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value)

const decodePart = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Verifies an HS256 token against `secret` and its expiry against `nowMs`. Only HS256 is
 * accepted, so a token claiming `alg: "none"` cannot slip through.
 */
export const verifyToken = (
  secret: string,
  token: string,
  nowMs: number,
):
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly problem: TokenProblem } => {
  const [header, payload, signed] = token.split(".")

  if (header === undefined || payload === undefined || signed === undefined) {
    return { ok: false, problem: "malformed" }
  }

  const headerJson = decodePart(header)
  const claims = decodePart(payload)

  if (!isRecord(headerJson) || !isRecord(claims)) return { ok: false, problem: "malformed" }

  if (headerJson.alg !== "HS256") return { ok: false, problem: "unsupported algorithm" }

  const expected = signature(secret, `${header}.${payload}`)
  const given = Buffer.from(signed, "base64url")

  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: "bad signature" }
  }

  if (typeof claims.sub !== "string" || typeof claims.exp !== "number") {
    return { ok: false, problem: "malformed" }
  }

  if (claims.exp * 1000 <= nowMs) return { ok: false, problem: "expired" }

  return {
    ok: true,
    claims: {
      sub: claims.sub,
      exp: claims.exp,
      iat: typeof claims.iat === "number" ? claims.iat : 0,
      iss: typeof claims.iss === "string" ? claims.iss : "",
    },
  }
}
