const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y

/**
 * Reads `500ms`, `30s`, `5m`, `1h`, combinations such as `1h30m`, or a bare number of seconds,
 * and returns milliseconds; `undefined` when the text is not a positive duration.
 *
 * @example
 * ```ts
 * parseDuration("45") // => 45000
 * parseDuration("soon") // => undefined
 * ```
 */
export const parseDuration = (text: string): number | undefined => {
  const input = text.trim().toLowerCase()

  if (/^\d+(?:\.\d+)?$/.test(input)) {
    const seconds = Number(input)

    return seconds > 0 ? Math.round(seconds * 1_000) : undefined
  }

  let total = 0
  let position = 0
  PART.lastIndex = 0

  while (position < input.length) {
    PART.lastIndex = position
    const match = PART.exec(input)
    if (match === null) return undefined

    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN)
    position = PART.lastIndex
  }

  return input.length > 0 && Number.isFinite(total) && total > 0 ? Math.round(total) : undefined
}

/**
 * Formats milliseconds for people: `850ms`, `4.2s`, `3m05s`, `1h02m`.
 *
 * @example
 * ```ts
 * formatDuration(185_000) // => "3m05s"
 * ```
 */
export const formatDuration = (ms: number): string => {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`

  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`

  const totalSeconds = Math.floor(ms / 1_000)
  const hours = Math.floor(totalSeconds / 3_600)
  const minutes = Math.floor((totalSeconds % 3_600) / 60)
  const seconds = totalSeconds % 60

  return hours > 0
    ? `${hours}h${String(minutes).padStart(2, "0")}m`
    : `${minutes}m${String(seconds).padStart(2, "0")}s`
}

/**
 * Formats elapsed time as a clock, `0:07`, `12:45`, `1:02:09`, for the progress bar.
 *
 * @example
 * ```ts
 * formatClock(7_400) // => "0:07"
 * ```
 */
export const formatClock = (ms: number): string => {
  const totalSeconds = Math.max(0, Math.floor(ms / 1_000))
  const hours = Math.floor(totalSeconds / 3_600)
  const minutes = Math.floor((totalSeconds % 3_600) / 60)
  const seconds = String(totalSeconds % 60).padStart(2, "0")

  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`
}
