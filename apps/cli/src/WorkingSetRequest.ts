import { validateWorkingSetUpdateRequest, type WorkingSetUpdateRequest } from "@cbjobs/core"
import * as Result from "effect/Result"
import { UsageError } from "./Failure.ts"

const INT32_MAX = 2_147_483_647

/** One `--tracker` flag: a tracker to replace in the target, optionally narrowed by cbql. */
export interface TrackerFlag {
  readonly tracker: { readonly id: number }
  readonly cbql?: string
}

/** The working-set update flags as parsed from the command line. */
export interface UpdateFlags {
  readonly source?: number | undefined
  readonly target?: number | undefined
  readonly projectBaseline?: number | undefined
  readonly trackers: ReadonlyArray<string>
}

/**
 * Reads one `--tracker <id>[:<cbql>]` value. The cbql runs to the end of the text, so it may
 * contain colons itself.
 *
 * @example
 * ```ts
 * parseTrackerFlag("12:status = 'Open'") // => { tracker: { id: 12 }, cbql: "status = 'Open'" }
 * ```
 */
export const parseTrackerFlag = (text: string): TrackerFlag => {
  const colon = text.indexOf(":")
  const idText = (colon === -1 ? text : text.slice(0, colon)).trim()
  const id = /^\d+$/.test(idText) ? Number(idText) : Number.NaN

  if (!(Number.isSafeInteger(id) && id <= INT32_MAX)) {
    throw new UsageError({
      message: `--tracker "${text}": "${idText}" is not a tracker id (an integer from 0)`,
      hint: "write --tracker <id> or --tracker <id>:<cbql>",
    })
  }

  if (colon === -1) return { tracker: { id } }

  const cbql = text.slice(colon + 1).trim()

  if (cbql.length === 0) {
    throw new UsageError({
      message: `--tracker "${text}": the cbql after ":" is empty`,
      hint: `write --tracker ${id} to take every item of the tracker`,
    })
  }

  return { tracker: { id }, cbql }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// People write `source: 12` in a YAML file; the API wants `source: { id: 12 }`.
const asReference = (value: unknown): unknown => (typeof value === "number" ? { id: value } : value)

const normalizeTracker = (entry: unknown): unknown =>
  isRecord(entry) && entry.tracker !== undefined
    ? { ...entry, tracker: asReference(entry.tracker) }
    : entry

/**
 * Brings a request read with `--from` to the POST body's shape: ids may be written bare
 * (`source: 12`, `tracker: 5`) or as references (`{ id: 12 }`). Other content is left for
 * {@link checkRequest} to judge.
 *
 * @example
 * ```ts
 * normalizeRequestDocument({ target: 11, trackers: [{ tracker: 5, baselineId: 3 }] })
 * // => { target: { id: 11 }, trackers: [{ tracker: { id: 5 }, baselineId: 3 }] }
 * ```
 */
export const normalizeRequestDocument = (document: unknown): Record<string, unknown> => {
  if (document === null || document === undefined) return {}

  if (!isRecord(document)) {
    throw new UsageError({
      message: "the request must be an object with source, target, trackers",
      hint: "see the README's --from example",
    })
  }

  const normalized: Record<string, unknown> = { ...document }

  for (const side of ["source", "target"] as const) {
    if (document[side] !== undefined) normalized[side] = asReference(document[side])
  }

  if (Array.isArray(document.trackers)) {
    normalized.trackers = document.trackers.map(normalizeTracker)
  }

  return normalized
}

const trackerIdOf = (entry: unknown): unknown =>
  isRecord(entry) && isRecord(entry.tracker) ? entry.tracker.id : undefined

const mergeTrackers = (fromFile: unknown, fromFlags: ReadonlyArray<TrackerFlag>): unknown => {
  if (fromFlags.length === 0 || (fromFile !== undefined && !Array.isArray(fromFile))) {
    return fromFile
  }

  const merged: Array<unknown> = [...((fromFile as ReadonlyArray<unknown> | undefined) ?? [])]

  for (const flag of fromFlags) {
    const index = merged.findIndex((entry) => trackerIdOf(entry) === flag.tracker.id)
    const previous = merged[index]

    // A flag replaces the file's entry for its tracker but keeps that entry's baseline, which
    // no flag can express.
    const entry =
      isRecord(previous) && previous.baselineId !== undefined
        ? { ...flag, baselineId: previous.baselineId }
        : flag

    if (index === -1) merged.push(entry)
    else merged[index] = entry
  }

  return merged
}

/**
 * Applies the command-line flags over a request read with `--from`: `--source`, `--target`
 * and `--project-baseline` replace the file's values; each `--tracker` replaces the file's
 * entry for the same tracker, or adds one. A tracker given twice by flags is an error.
 *
 * @example
 * ```ts
 * mergeRequest({ target: { id: 11 } }, { source: 10, trackers: ["5"] })
 * // => { target: { id: 11 }, source: { id: 10 }, trackers: [{ tracker: { id: 5 } }] }
 * ```
 */
export const mergeRequest = (
  fromFile: Readonly<Record<string, unknown>>,
  flags: UpdateFlags,
): Record<string, unknown> => {
  const fromFlags = flags.trackers.map(parseTrackerFlag)
  const repeated = fromFlags.find(
    (flag, index) => fromFlags.findIndex((other) => other.tracker.id === flag.tracker.id) < index,
  )

  if (repeated !== undefined) {
    throw new UsageError({
      message: `--tracker ${repeated.tracker.id} is given more than once`,
      hint: "give each tracker once; a cbql may combine conditions with AND or OR",
    })
  }

  const trackers = mergeTrackers(fromFile.trackers, fromFlags)

  return {
    ...fromFile,
    ...(flags.projectBaseline === undefined ? {} : { projectBaselineId: flags.projectBaseline }),
    ...(flags.source === undefined ? {} : { source: { id: flags.source } }),
    ...(flags.target === undefined ? {} : { target: { id: flags.target } }),
    ...(trackers === undefined ? {} : { trackers }),
  }
}

/**
 * Checks the final request with the core's rules (the ones applied before any POST): one side
 * at least, two different sides, each tracker once, int32 ids from 0, no unknown fields.
 *
 * @example
 * ```ts
 * checkRequest({ source: { id: 10 }, target: { id: 10 } }) // throws UsageError naming target.id
 * ```
 */
export const checkRequest = (request: unknown, origin: string): WorkingSetUpdateRequest => {
  const checked = validateWorkingSetUpdateRequest(request)

  if (Result.isSuccess(checked)) return checked.success

  const { field, reason } = checked.failure

  throw new UsageError({
    message: `invalid working-set update (${origin}): ${field} ${reason}`,
    hint: "fix the flags or the --from file; --dry-run shows the request without sending it",
  })
}
