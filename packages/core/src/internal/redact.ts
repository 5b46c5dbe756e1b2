/** What stands in for a secret wherever one would otherwise show. */
export const REDACTED = "<redacted>"

const SENSITIVE_HEADER = /auth|cookie|token|secret|password|passwd|api-?key|session|signature/i

/** Whether a header's value must never be shown (in spans, metadata or errors). */
export const isSensitiveHeader = (name: string): boolean => SENSITIVE_HEADER.test(name)

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Makes a function that removes every occurrence of the given secrets from a text. Secrets
 * shorter than 4 characters are left alone: removing them would mangle ordinary words, and the
 * client itself never writes a secret into a text.
 */
export const makeScrubber = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const usable = [...new Set(secrets.filter((secret) => secret.length >= 4))]

  if (usable.length === 0) {
    return (text) => text
  }

  const pattern = new RegExp(
    usable
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "g",
  )

  return (text) => text.replace(pattern, REDACTED)
}
