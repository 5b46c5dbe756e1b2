import { timingSafeEqual } from "node:crypto"
import type { SeedUser } from "../Seed.ts"
import { looksLikeJwt, verifyToken } from "./jwt.ts"

/** A seeded user together with the secrets that authenticate it. */
export interface Account {
  readonly seed: SeedUser
  readonly password: string
  readonly apiKey: string
}

/** The outcome of reading an `Authorization` header. */
export type AuthResult =
  | { readonly ok: true; readonly account: Account }
  | { readonly ok: false; readonly message: string }

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)

  return a.length === b.length && timingSafeEqual(a, b)
}

const basic = (accounts: ReadonlyArray<Account>, encoded: string): AuthResult => {
  const decoded = Buffer.from(encoded, "base64").toString("utf8")
  const colon = decoded.indexOf(":")

  if (colon < 0) return { ok: false, message: "Malformed Basic credentials" }

  const username = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  const account = accounts.find((candidate) => candidate.seed.name === username)

  if (account === undefined || !sameSecret(password, account.password)) {
    return { ok: false, message: "Bad credentials" }
  }

  return { ok: true, account }
}

const apiKey = (accounts: ReadonlyArray<Account>, key: string): AuthResult => {
  const account = accounts.find((candidate) => sameSecret(key, candidate.apiKey))

  return account === undefined ? { ok: false, message: "Bad credentials" } : { ok: true, account }
}

const bearer = (
  accounts: ReadonlyArray<Account>,
  jwtSecret: string,
  token: string,
  nowMs: number,
): AuthResult => {
  const verified = verifyToken(jwtSecret, token, nowMs)

  if (!verified.ok) return { ok: false, message: `Invalid token: ${verified.problem}` }

  const account = accounts.find((candidate) => candidate.seed.name === verified.claims.sub)

  return account === undefined
    ? { ok: false, message: "Invalid token: unknown subject" }
    : { ok: true, account }
}

/**
 * Reads the `Authorization` header the way Codebeamer does: `Basic <base64>`, `Bearer <jwt>`, or
 * an API key either on its own or behind any prefix word (`ApiKey <key>`, `Bearer <key>`...).
 * Messages never repeat what the caller sent.
 */
export const authenticate = (
  accounts: ReadonlyArray<Account>,
  jwtSecret: string,
  header: string | undefined,
  nowMs: number,
): AuthResult => {
  const value = header?.trim() ?? ""

  if (value === "") return { ok: false, message: "Authentication is required" }

  const space = value.search(/\s/)

  if (space < 0) {
    return looksLikeJwt(value) ? bearer(accounts, jwtSecret, value, nowMs) : apiKey(accounts, value)
  }

  const scheme = value.slice(0, space).toLowerCase()
  const rest = value.slice(space).trim()

  if (scheme === "basic") return basic(accounts, rest)

  if (scheme === "bearer" && looksLikeJwt(rest)) return bearer(accounts, jwtSecret, rest, nowMs)

  return apiKey(accounts, rest)
}
