import type { SandboxSeed, SeedBaseline, SeedTracker, SeedUser, SeedWorkingSet } from "../Seed.ts"

/** A refused working-set update: the status to answer and a message that names the field. */
export interface Refusal {
  readonly status: 400 | 403 | 404
  readonly field: string
  readonly message: string
}

/** A working-set update the sandbox accepted, resolved against the seed. */
export interface AcceptedUpdate {
  readonly projectId: number
  readonly source: SeedWorkingSet
  readonly target: SeedWorkingSet
  readonly trackers: ReadonlyArray<{
    readonly tracker: SeedTracker
    readonly baseline: SeedBaseline | undefined
    readonly cbql: string | undefined
  }>
  readonly projectBaseline: SeedBaseline | undefined
}

const int32Max = 2_147_483_647

/** Thrown inside the parser and turned into a `Refusal` at its edge. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message)
  }
}

/** 400s read "Invalid field 'x': problem"; 403s and 404s state the problem, then the field. */
const refuse = (status: Refusal["status"], field: string, problem: string): never => {
  const message =
    status === 400 ? `Invalid field '${field}': ${problem}` : `${problem} (field '${field}')`

  throw new Refused({ status, field, message })
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Reads an optional id: an int32 of at least 0. JSON null counts as absent, as in Jackson. */
const optionalId = (value: unknown, field: string): number | undefined => {
  if (value === undefined || value === null) return undefined

  if (typeof value !== "number" || !Number.isInteger(value)) {
    return refuse(400, field, "must be an integer")
  }

  if (value < 0) return refuse(400, field, "must be at least 0")

  if (value > int32Max) return refuse(400, field, "must fit in a 32-bit integer")

  return value
}

const requiredId = (value: unknown, field: string): number =>
  optionalId(value, field) ?? refuse(400, field, "is required")

const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined

  return typeof value === "string" ? value : refuse(400, field, "must be a string")
}

/** Reads `{ id, name?, type? }`; returns the id. */
const reference = (value: unknown, field: string): number | undefined => {
  if (value === undefined || value === null) return undefined

  if (!isRecord(value)) return refuse(400, field, "must be an object")

  optionalString(value.name, `${field}.name`)
  optionalString(value.type, `${field}.type`)

  return requiredId(value.id, `${field}.id`)
}

interface TrackerEntry {
  readonly trackerId: number
  readonly baselineId: number | undefined
  readonly cbql: string | undefined
}

const trackerEntries = (value: unknown): ReadonlyArray<TrackerEntry> | undefined => {
  if (value === undefined || value === null) return undefined

  if (!Array.isArray(value)) return refuse(400, "trackers", "must be an array")

  if (value.length === 0) {
    return refuse(400, "trackers", "must not be empty; leave it out to replace every tracker")
  }

  const seen = new Set<number>()

  return value.map((item: unknown, index) => {
    const field = `trackers[${index}]`

    if (!isRecord(item)) return refuse(400, field, "must be an object")

    const trackerId =
      reference(item.tracker, `${field}.tracker`) ?? refuse(400, `${field}.tracker`, "is required")

    if (seen.has(trackerId)) {
      return refuse(400, `${field}.tracker.id`, `tracker ${trackerId} is listed twice`)
    }

    seen.add(trackerId)

    const cbql = optionalString(item.cbql, `${field}.cbql`)

    if (cbql?.trim() === "") return refuse(400, `${field}.cbql`, "must not be empty")

    return { trackerId, baselineId: optionalId(item.baselineId, `${field}.baselineId`), cbql }
  })
}

const findWorkingSet = (seed: SandboxSeed, id: number) =>
  seed.projects.flatMap((project) => project.workingSets).find((ws) => ws.id === id)

const findTracker = (seed: SandboxSeed, id: number) =>
  seed.projects.flatMap((project) => project.trackers).find((tracker) => tracker.id === id)

const findBaseline = (seed: SandboxSeed, id: number) =>
  seed.projects.flatMap((project) => project.baselines).find((baseline) => baseline.id === id)

const defaultWorkingSet = (seed: SandboxSeed, projectId: number): SeedWorkingSet =>
  seed.projects
    .find((project) => project.id === projectId)
    ?.workingSets.find((ws) => ws.isDefault) ??
  refuse(404, "target", `Project ${projectId} has no Default Working-Set`)

const workingSet = (seed: SandboxSeed, id: number, field: string): SeedWorkingSet =>
  findWorkingSet(seed, id) ?? refuse(404, `${field}.id`, `Working-Set ${id} not found`)

/** Finds a seeded entity of the update's project, or refuses with 404 naming the field. */
const inProject = <A extends { readonly projectId: number }>(
  found: A | undefined,
  projectId: number,
  field: string,
  what: string,
): A => {
  if (found === undefined) return refuse(404, field, `${what} not found`)

  if (found.projectId !== projectId) {
    return refuse(404, field, `${what} not found in project ${projectId}`)
  }

  return found
}

const check = (seed: SandboxSeed, user: SeedUser, body: unknown): AcceptedUpdate => {
  if (!isRecord(body)) return refuse(400, "body", "must be a JSON object")

  const projectBaselineId = optionalId(body.projectBaselineId, "projectBaselineId")
  const sourceId = reference(body.source, "source")
  const targetId = reference(body.target, "target")
  const entries = trackerEntries(body.trackers)

  if (sourceId === undefined && targetId === undefined) {
    return refuse(400, "source", "either source or target is required")
  }

  const given = targetId === undefined ? undefined : workingSet(seed, targetId, "target")
  const source = sourceId === undefined ? undefined : workingSet(seed, sourceId, "source")
  const projectId = (given ?? source)!.projectId
  const target = given ?? defaultWorkingSet(seed, projectId)
  const from = source ?? defaultWorkingSet(seed, projectId)

  if (from.projectId !== projectId) {
    return refuse(404, "source.id", `Working-Set ${from.id} not found in project ${projectId}`)
  }

  if (from.id === target.id) {
    return refuse(400, "target", `source and target are both Working-Set ${target.id}`)
  }

  const projectBaseline =
    projectBaselineId === undefined
      ? undefined
      : inProject(
          findBaseline(seed, projectBaselineId),
          projectId,
          "projectBaselineId",
          `Baseline ${projectBaselineId}`,
        )
  const trackers = (entries ?? []).map((entry, index) => ({
    tracker: inProject(
      findTracker(seed, entry.trackerId),
      projectId,
      `trackers[${index}].tracker.id`,
      `Tracker ${entry.trackerId}`,
    ),
    baseline:
      entry.baselineId === undefined
        ? undefined
        : inProject(
            findBaseline(seed, entry.baselineId),
            projectId,
            `trackers[${index}].baselineId`,
            `Baseline ${entry.baselineId}`,
          ),
    cbql: entry.cbql,
  }))

  if (!user.workingSetAdminOn.includes(projectId)) {
    return refuse(
      403,
      "target",
      `User ${user.name} lacks the Working-Set Admin permission on Working-Set ${target.id}`,
    )
  }

  return { projectId, source: from, target, trackers, projectBaseline }
}

/**
 * Checks a working-set update as the sandbox's Codebeamer does: 400 for a malformed body or
 * field, 404 for an unknown id or one from another project, 403 without Working-Set Admin on the
 * target. An omitted source or target means the project's Default Working-Set.
 */
export const checkWorkingSetUpdate = (
  seed: SandboxSeed,
  user: SeedUser,
  body: unknown,
):
  | { readonly ok: true; readonly update: AcceptedUpdate }
  | { readonly ok: false; readonly refusal: Refusal } => {
  try {
    return { ok: true, update: check(seed, user, body) }
  } catch (error) {
    if (error instanceof Refused) return { ok: false, refusal: error.refusal }

    throw error
  }
}
