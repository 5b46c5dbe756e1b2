// Reading what the runtime's fetch reports when no response arrives. The POST may be retried
// only when the request surely never left, so this errs towards "may have been sent".

const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  // Node (undici): nothing was connected, so nothing was written.
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "UND_ERR_CONNECT_TIMEOUT",
  // Bun
  "ConnectionRefused",
])

// Deno reports connect and DNS failures in the message only; every runtime refuses the ports the
// fetch standard blocks before connecting.
const NOT_SENT_MESSAGE =
  /tcp connect error|dns error|client error \(Connect\)|^bad port$|are blocked|connection refused/i

const codeOf = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) {
    return undefined
  }

  const code = (error as { readonly code?: unknown }).code

  return typeof code === "string" ? code : undefined
}

const messageOf = (error: unknown): string | undefined => {
  if (typeof error === "object" && error !== null) {
    const message = (error as { readonly message?: unknown }).message

    return typeof message === "string" ? message : undefined
  }

  return typeof error === "string" ? error : undefined
}

const causeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null
    ? (error as { readonly cause?: unknown }).cause
    : undefined

/** What a failed fetch says about itself: code, a reason, and whether it may have been sent. */
export interface FetchFailure {
  readonly code: string | undefined
  readonly reason: string
  readonly mayHaveBeenSent: boolean
}

const isNotSent = (error: unknown, depth: number): boolean => {
  if (depth > 4 || typeof error !== "object" || error === null) {
    return false
  }

  // Happy eyeballs: every address failed to connect.
  const errors = (error as { readonly errors?: unknown }).errors

  if (Array.isArray(errors) && errors.length > 0) {
    return errors.every((inner) => isNotSent(inner, depth + 1))
  }

  const code = codeOf(error)

  if (code !== undefined && NOT_SENT_CODES.has(code)) {
    return true
  }

  if (NOT_SENT_MESSAGE.test(messageOf(error) ?? "")) {
    return true
  }

  return isNotSent(causeOf(error), depth + 1)
}

/** Describes an error thrown by fetch (or a custom fetch). */
export const describeFetchFailure = (error: unknown): FetchFailure => {
  const parts: Array<string> = []
  let code: string | undefined
  let current: unknown = error

  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const message = messageOf(current)

    if (message !== undefined && message !== "" && !parts.includes(message)) {
      parts.push(message)
    }

    code ??= codeOf(current)
    current = causeOf(current)
  }

  return {
    code,
    reason: parts.length === 0 ? "no response" : parts.join(": "),
    mayHaveBeenSent: !isNotSent(error, 0),
  }
}
