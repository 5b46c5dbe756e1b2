// Codebeamer sends date-times with and without a zone offset (2020-08-04T10:53:49.963); the ones
// without are read as UTC. Parsed by hand: Date.parse reads offset-less text as local time and
// its leniency differs between engines.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/

/** Parses an ISO 8601 date-time; offset-less text is UTC. `undefined` when it is not one. */
export const parseDateTime = (text: string): Date | undefined => {
  const match = DATE_TIME.exec(text)

  if (match === null) {
    return undefined
  }

  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  const hour = Number(match[4])
  const minute = Number(match[5])
  const second = match[6] === undefined ? 0 : Number(match[6])
  const millis = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, "0"))

  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)

  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second

  if (!valid) {
    return undefined
  }

  if (match[9] !== undefined) {
    const offsetHours = Number(match[10])
    const offsetMinutes = Number(match[11])

    if (offsetHours > 23 || offsetMinutes > 59) {
      return undefined
    }

    const sign = match[9] === "-" ? -1 : 1
    date.setTime(date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000)
  }

  return date
}
