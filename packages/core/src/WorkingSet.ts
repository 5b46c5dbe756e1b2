/**
 * The working-set update request: schemas for its parts and the validation every request passes
 * before anything is sent.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { Id, INT32_MAX } from "./internal/schema.ts"

const referenceFields = {
  id: Id,
  name: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.String),
}

/** A reference to a working set (a "stream" in the newest UI) by id. */
export const WorkingSetReference = Schema.Struct(referenceFields).annotate({
  identifier: "WorkingSetReference",
})

/** A reference to a working set (a "stream" in the newest UI) by id. */
export type WorkingSetReference = typeof WorkingSetReference.Type

/** A reference to a tracker by id. */
export const TrackerReference = Schema.Struct(referenceFields).annotate({
  identifier: "TrackerReference",
})

/** A reference to a tracker by id. */
export type TrackerReference = typeof TrackerReference.Type

/**
 * One target tracker to replace: `cbql` narrows the items, `baselineId` overrides the project
 * baseline for this tracker.
 */
export const WorkingSetTrackerUpdateRequest = Schema.Struct({
  tracker: TrackerReference,
  baselineId: Schema.optionalKey(Id),
  cbql: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
}).annotate({ identifier: "WorkingSetTrackerUpdateRequest" })

/** One target tracker to replace. */
export type WorkingSetTrackerUpdateRequest = typeof WorkingSetTrackerUpdateRequest.Type

/**
 * A working-set update: merges `source` into `target`, replacing the listed target trackers
 * completely (all of them when `trackers` is left out). Either side may be left out to mean the
 * project's Default Working-Set, not both. `projectBaselineId` left out means HEAD.
 *
 * The schema checks shapes only; {@link validateWorkingSetUpdateRequest} checks every rule.
 */
export const WorkingSetUpdateRequest = Schema.Struct({
  projectBaselineId: Schema.optionalKey(Id),
  source: Schema.optionalKey(WorkingSetReference),
  target: Schema.optionalKey(WorkingSetReference),
  trackers: Schema.optionalKey(Schema.Array(WorkingSetTrackerUpdateRequest)),
}).annotate({ identifier: "WorkingSetUpdateRequest" })

/** A working-set update request. */
export type WorkingSetUpdateRequest = typeof WorkingSetUpdateRequest.Type

/** Why a request was rejected before it was sent: the field (a path) and the reason. */
export interface RequestIssue {
  readonly field: string
  readonly reason: string
}

const describe = (value: unknown): string => {
  if (value === null) {
    return "null"
  }

  if (Array.isArray(value)) {
    return "an array"
  }

  if (typeof value === "string") {
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
  }

  if (typeof value === "number" || typeof value === "boolean") {
    return String(value)
  }

  return typeof value === "object" ? "an object" : `a ${typeof value}`
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Whether a value is an id the contract allows: an int32 integer, at least 0. */
export const isValidId = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= INT32_MAX

const idIssue = (field: string, value: unknown): RequestIssue | undefined =>
  isValidId(value)
    ? undefined
    : {
        field,
        reason: `must be an integer from 0 to ${INT32_MAX}, got ${describe(value)}`,
      }

const unknownKeyIssue = (
  field: string,
  value: Record<string, unknown>,
  known: ReadonlyArray<string>,
): RequestIssue | undefined => {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && value[key] !== undefined) {
      return {
        field: field === "" ? key : `${field}.${key}`,
        reason: `is not a field of the request (known: ${known.join(", ")})`,
      }
    }
  }

  return undefined
}

const optionalString = (field: string, value: unknown): RequestIssue | undefined =>
  value === undefined || typeof value === "string"
    ? undefined
    : { field, reason: `must be a string, got ${describe(value)}` }

const referenceIssue = (field: string, value: unknown): RequestIssue | undefined => {
  if (!isRecord(value)) {
    return { field, reason: `must be an object with an id, got ${describe(value)}` }
  }

  return (
    unknownKeyIssue(field, value, ["id", "name", "type"]) ??
    idIssue(`${field}.id`, value.id) ??
    optionalString(`${field}.name`, value.name) ??
    optionalString(`${field}.type`, value.type)
  )
}

const trackerIssue = (field: string, value: unknown): RequestIssue | undefined => {
  if (!isRecord(value)) {
    return { field, reason: `must be an object with a tracker, got ${describe(value)}` }
  }

  const shapeIssue =
    unknownKeyIssue(field, value, ["tracker", "baselineId", "cbql"]) ??
    referenceIssue(`${field}.tracker`, value.tracker) ??
    (value.baselineId === undefined ? undefined : idIssue(`${field}.baselineId`, value.baselineId))

  if (shapeIssue !== undefined || value.cbql === undefined) {
    return shapeIssue
  }

  if (typeof value.cbql !== "string") {
    return { field: `${field}.cbql`, reason: `must be a string, got ${describe(value.cbql)}` }
  }

  return value.cbql.trim() === ""
    ? { field: `${field}.cbql`, reason: "must not be empty; leave it out to take every item" }
    : undefined
}

const trackersIssue = (value: unknown): RequestIssue | undefined => {
  if (!Array.isArray(value)) {
    return { field: "trackers", reason: `must be an array, got ${describe(value)}` }
  }

  const seen = new Map<number, number>()

  for (let index = 0; index < value.length; index++) {
    const field = `trackers[${index}]`
    const issue = trackerIssue(field, value[index])

    if (issue !== undefined) {
      return issue
    }

    const trackerId = (value[index] as WorkingSetTrackerUpdateRequest).tracker.id
    const first = seen.get(trackerId)

    if (first !== undefined) {
      return {
        field: `${field}.tracker.id`,
        reason: `repeats tracker ${trackerId} of trackers[${first}]; list each tracker once`,
      }
    }

    seen.set(trackerId, index)
  }

  return undefined
}

const requestFields = ["projectBaselineId", "source", "target", "trackers"]

/**
 * Checks a working-set update against every rule of the contract and returns the first issue,
 * naming its field (e.g. `trackers[1].tracker.id`), or `undefined` when the request may be sent.
 *
 * Rules: at least one of source and target, and they differ; ids are int32 and at least 0;
 * trackers are listed once each; `cbql` is not empty; no fields beyond the contract's (a typo
 * such as `tracker` for `trackers` would otherwise replace every tracker of the target).
 */
export const workingSetUpdateRequestIssue = (request: unknown): RequestIssue | undefined => {
  if (!isRecord(request)) {
    return { field: "request", reason: `must be an object, got ${describe(request)}` }
  }

  const shapeIssue =
    unknownKeyIssue("", request, requestFields) ??
    (request.projectBaselineId === undefined
      ? undefined
      : idIssue("projectBaselineId", request.projectBaselineId)) ??
    (request.source === undefined ? undefined : referenceIssue("source", request.source)) ??
    (request.target === undefined ? undefined : referenceIssue("target", request.target)) ??
    (request.trackers === undefined ? undefined : trackersIssue(request.trackers))

  if (shapeIssue !== undefined) {
    return shapeIssue
  }

  const source = request.source as WorkingSetReference | undefined
  const target = request.target as WorkingSetReference | undefined

  if (source === undefined && target === undefined) {
    return {
      field: "target",
      reason: "is missing: give a source, a target or both (a side left out is the Default)",
    }
  }

  return source !== undefined && target !== undefined && source.id === target.id
    ? { field: "target.id", reason: `equals source.id (${source.id}); merge between two sets` }
    : undefined
}

/**
 * Validates a working-set update and returns it with `undefined` fields dropped, or the first
 * issue. See {@link workingSetUpdateRequestIssue} for the rules.
 *
 * @example
 * ```ts
 * import { validateWorkingSetUpdateRequest } from "@cbjobs/core"
 * import * as Result from "effect/Result"
 *
 * const checked = validateWorkingSetUpdateRequest({ source: { id: 5 }, target: { id: 5 } })
 * if (Result.isFailure(checked)) console.error(checked.failure.field) // "target.id"
 * ```
 */
export const validateWorkingSetUpdateRequest = (
  request: unknown,
): Result.Result<WorkingSetUpdateRequest, RequestIssue> => {
  const issue = workingSetUpdateRequestIssue(request)

  return issue === undefined
    ? Result.succeed(JSON.parse(JSON.stringify(request)) as WorkingSetUpdateRequest)
    : Result.fail(issue)
}
