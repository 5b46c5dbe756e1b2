// Hand-written decoders for the two response bodies, equivalent to the exported schemas on every
// input they accept (a property test holds them to it). Schema decoding of a typical job costs
// about 10 us; these cost well under 1 us. When one of them gives up, the caller decodes with
// the schema, which either accepts an unusual input or explains the failure with its path.
import { type BackgroundJob, type JobReference, knownBackgroundJobTypes } from "../BackgroundJob.ts"
import { parseDateTime } from "./dateTime.ts"
import { INT32_MAX } from "./schema.ts"

/** Returned when a fast decoder gives up. */
export const GIVE_UP: unique symbol = Symbol("GIVE_UP")

type Out = Record<string, unknown>

const isRecord = (u: unknown): u is Out => typeof u === "object" && u !== null && !Array.isArray(u)

const isId = (u: unknown): boolean =>
  typeof u === "number" && Number.isInteger(u) && u >= 0 && u <= INT32_MAX

const isInt32 = (u: unknown): boolean =>
  typeof u === "number" && Number.isInteger(u) && u >= -INT32_MAX - 1 && u <= INT32_MAX

const isString = (u: unknown): boolean => typeof u === "string"

// Snapshots repeat the same enum values, and JSON.parse makes a new copy of every string longer
// than 10 characters. Handing out one shared copy of each known value saves about 180 bytes per
// kept snapshot, which counts when 10,000 waiters each keep their last one for WaitTimeout.
const knownValues = new Map<string, string>(
  [
    ...knownBackgroundJobTypes,
    ...["DRAFT", "NEW", "IN_PROGRESS", "FINISHED", "SUCCESSFUL", "FAILED", "UserReference"],
    ...["DefaultBackgroundJobStatusInfo", "DependencyFinderJobStatusInfo"],
  ].map((value) => [value, value]),
)

const shared = (value: string): string => knownValues.get(value) ?? value

// An enum field: any string (the enums are open); known values are replaced by the shared copy.
const isEnum = (u: unknown): boolean => typeof u === "string"

const isStringArray = (u: unknown): boolean => Array.isArray(u) && u.every(isString)

const isRecordArray = (u: unknown): boolean => Array.isArray(u) && u.every(isRecord)

// Checks optional fields in place on a copy: a null field is dropped, a wrong one gives up.
const checkFields = (
  input: Out,
  out: Out,
  fields: ReadonlyArray<readonly [string, (u: unknown) => boolean]>,
): boolean => {
  for (const [key, check] of fields) {
    const value = input[key]

    if (value === undefined) {
      continue
    }

    if (value === null) {
      delete out[key]
    } else if (!check(value)) {
      return false
    } else if (check === isEnum) {
      out[key] = shared(value as string)
    }
  }

  return true
}

// A decoder for an object whose fields are all plain values.
const flatObject =
  (fields: ReadonlyArray<readonly [string, (u: unknown) => boolean]>) =>
  (u: unknown): Out | typeof GIVE_UP => {
    if (!isRecord(u)) {
      return GIVE_UP
    }

    const out = { ...u }

    return checkFields(u, out, fields) ? out : GIVE_UP
  }

// Whether a field holds a value to check; a null one is dropped from the copy.
const present = (out: Out, key: string, value: unknown): boolean => {
  if (value === null) {
    delete out[key]
  }

  return value !== undefined && value !== null
}

const stepFields = [
  ["id", isId],
  ["name", isString],
  ["status", isEnum],
  ["result", isEnum],
  ["resultMessage", isString],
] as const

const step = flatObject(stepFields)

const infoFields = [
  ["progressPercentage", isInt32],
  ["stepInProgress", isString],
] as const

const dependencyFinderFields = [
  ...infoFields,
  ["closedProjectWarnings", isStringArray],
  ["missingPermissionWarnings", isStringArray],
  ["projectsChecked", isInt32],
  ["projectsScheduled", isInt32],
  ["dependencies", isRecordArray],
] as const

const statusInfo = (u: unknown): Out | typeof GIVE_UP => {
  if (!isRecord(u)) {
    return GIVE_UP
  }

  const out = { ...u }
  const type = u.type

  if (type === "DependencyFinderJobStatusInfo") {
    out.type = shared(type)

    return checkFields(u, out, dependencyFinderFields) ? copyArrays(out) : GIVE_UP
  }

  // A null type of an unknown subtype is dropped; a non-string one is left to the schema.
  if (type !== undefined && type !== null && typeof type !== "string") {
    return GIVE_UP
  }

  if (type === null) {
    delete out.type
  } else if (type !== undefined) {
    out.type = shared(type)
  }

  return checkFields(u, out, infoFields) ? out : GIVE_UP
}

// The schema returns new arrays; so does the fast path, so callers may not tell them apart.
const copyArrays = (out: Out): Out => {
  for (const key of ["closedProjectWarnings", "missingPermissionWarnings", "dependencies"]) {
    const value = out[key]

    if (Array.isArray(value)) {
      out[key] = key === "dependencies" ? value.map((entry) => ({ ...entry })) : [...value]
    }
  }

  return out
}

const userFields = [
  ["id", isId],
  ["name", isString],
  ["type", isEnum],
  ["email", isString],
  ["displayName", isString],
] as const

const user = flatObject(userFields)

const jobFields = [
  ["id", isId],
  ["backgroundJobStatus", isEnum],
  ["backgroundJobType", isEnum],
  ["description", isString],
] as const

const date = (out: Out, key: string, value: unknown): boolean => {
  if (!present(out, key, value)) {
    return true
  }

  const parsed = typeof value === "string" ? parseDateTime(value) : undefined

  if (parsed === undefined) {
    return false
  }

  out[key] = parsed
  return true
}

const nested = (
  out: Out,
  key: string,
  value: unknown,
  decode: (u: unknown) => Out | typeof GIVE_UP,
): boolean => {
  if (!present(out, key, value)) {
    return true
  }

  const decoded = decode(value)

  if (decoded === GIVE_UP) {
    return false
  }

  out[key] = decoded
  return true
}

const steps = (out: Out, value: unknown): boolean => {
  if (!present(out, "steps", value)) {
    return true
  }

  if (!Array.isArray(value)) {
    return false
  }

  const decoded = new Array<Out>(value.length)

  for (let index = 0; index < value.length; index++) {
    const entry = step(value[index])

    if (entry === GIVE_UP) {
      return false
    }

    decoded[index] = entry
  }

  out.steps = decoded
  return true
}

/** Decodes a job body as the `BackgroundJob` schema would, or gives up. */
export const fastBackgroundJob = (u: unknown): BackgroundJob | typeof GIVE_UP => {
  if (!isRecord(u)) {
    return GIVE_UP
  }

  const out: Out = { ...u }

  const ok =
    checkFields(u, out, jobFields) &&
    date(out, "createdAt", u.createdAt) &&
    date(out, "finishedAt", u.finishedAt) &&
    nested(out, "statusInfo", u.statusInfo, statusInfo) &&
    nested(out, "submittedBy", u.submittedBy, user) &&
    steps(out, u.steps)

  return ok ? (out as BackgroundJob) : GIVE_UP
}

/** Decodes a job-reference body as the `JobReference` schema would, or gives up. */
export const fastJobReference = (u: unknown): JobReference | typeof GIVE_UP =>
  isRecord(u) && isId(u.jobId) && typeof u.jobType === "string"
    ? ({ ...u } as JobReference)
    : GIVE_UP
