/**
 * How a working set holds a tracker: `shared` trackers are the very tracker of the Default
 * Working-Set, `included` trackers are a branch the working set owns.
 */
export type SeedTrackerMode = "shared" | "included"

/** A tracker of a seeded project. */
export interface SeedTracker {
  readonly id: number
  readonly name: string
  readonly projectId: number
}

/** A project baseline; usable as `projectBaselineId` or as a tracker's `baselineId`. */
export interface SeedBaseline {
  readonly id: number
  readonly name: string
  readonly projectId: number
}

/** A tracker as a working set holds it. */
export interface SeedWorkingSetTracker {
  readonly trackerId: number
  readonly mode: SeedTrackerMode
}

/** A working set of a seeded project; each project has exactly one with `isDefault: true`. */
export interface SeedWorkingSet {
  readonly id: number
  readonly name: string
  readonly projectId: number
  readonly isDefault: boolean
  readonly trackers: ReadonlyArray<SeedWorkingSetTracker>
}

/** A seeded project; `workingSets[0]` is always its Default Working-Set. */
export interface SeedProject {
  readonly id: number
  readonly name: string
  readonly key: string
  readonly workingSets: ReadonlyArray<SeedWorkingSet>
  readonly trackers: ReadonlyArray<SeedTracker>
  readonly baselines: ReadonlyArray<SeedBaseline>
}

/** A seeded user; the handle adds the secrets (`SandboxUser`). */
export interface SeedUser {
  readonly id: number
  readonly name: string
  readonly displayName: string
  readonly email: string
  /** Projects on which the user has the Working-Set Admin permission. */
  readonly workingSetAdminOn: ReadonlyArray<number>
}

/** Everything the sandbox knows, with ids; documented in the package README. */
export interface SandboxSeed {
  readonly projects: ReadonlyArray<SeedProject>
  readonly users: {
    readonly admin: SeedUser
    readonly viewer: SeedUser
    readonly other: SeedUser
  }
  /**
   * A working-set update whose `trackers` list this tracker, or a tracker with exactly this
   * `cbql`, ends FINISHED with a FAILED step and a `resultMessage`.
   */
  readonly failing: { readonly trackerId: number; readonly cbql: string }
}

const tracker = (id: number, name: string, projectId: number): SeedTracker => ({
  id,
  name,
  projectId,
})

const held = (trackerId: number, mode: SeedTrackerMode): SeedWorkingSetTracker => ({
  trackerId,
  mode,
})

const flightControl: SeedProject = {
  id: 101,
  name: "Flight Control",
  key: "FC",
  trackers: [
    tracker(3101, "Requirements", 101),
    tracker(3102, "Test Cases", 101),
    tracker(3103, "Risks", 101),
    tracker(3104, "Change Requests", 101),
    tracker(3109, "Legacy Import", 101),
  ],
  baselines: [
    { id: 5101, name: "Release 1.0 baseline", projectId: 101 },
    { id: 5102, name: "Sprint 42", projectId: 101 },
  ],
  workingSets: [
    {
      id: 1001,
      name: "Default Working-Set",
      projectId: 101,
      isDefault: true,
      trackers: [3101, 3102, 3103, 3104, 3109].map((id) => held(id, "included")),
    },
    {
      id: 1002,
      name: "Release 1.0",
      projectId: 101,
      isDefault: false,
      trackers: [held(3101, "included"), held(3102, "included"), held(3103, "shared")],
    },
    {
      id: 1003,
      name: "Autopilot Feature",
      projectId: 101,
      isDefault: false,
      trackers: [held(3101, "included"), held(3104, "shared")],
    },
  ],
}

const groundStation: SeedProject = {
  id: 102,
  name: "Ground Station",
  key: "GS",
  trackers: [
    tracker(3201, "Requirements", 102),
    tracker(3202, "Test Cases", 102),
    tracker(3203, "Bugs", 102),
  ],
  baselines: [{ id: 5201, name: "Release 2.0 baseline", projectId: 102 }],
  workingSets: [
    {
      id: 2001,
      name: "Default Working-Set",
      projectId: 102,
      isDefault: true,
      trackers: [3201, 3202, 3203].map((id) => held(id, "included")),
    },
    {
      id: 2002,
      name: "Release 2.0",
      projectId: 102,
      isDefault: false,
      trackers: [held(3201, "included"), held(3202, "shared")],
    },
    {
      id: 2003,
      name: "Hotfix 2.0.1",
      projectId: 102,
      isDefault: false,
      trackers: [held(3201, "shared"), held(3203, "included")],
    },
  ],
}

/** Freezes the seed to the leaves: every sandbox in the process shares the one object. */
const frozen = <A>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) frozen(inner)

    Object.freeze(value)
  }

  return value
}

/**
 * The data every sandbox starts with: two projects, each with a Default Working-Set and two
 * custom ones, trackers (shared and included), baselines, three users and the failing markers.
 *
 * @example
 * ```ts
 * import { sandboxSeed } from "@cbjobs/sandbox"
 *
 * const [flightControl] = sandboxSeed.projects
 * const request = { source: { id: flightControl!.workingSets[1]!.id } } // into the Default
 * ```
 */
export const sandboxSeed: SandboxSeed = frozen({
  projects: [flightControl, groundStation],
  users: {
    admin: {
      id: 1,
      name: "admin",
      displayName: "Ada Admin",
      email: "admin@sandbox.invalid",
      workingSetAdminOn: [101, 102],
    },
    viewer: {
      id: 2,
      name: "viewer",
      displayName: "Vic Viewer",
      email: "viewer@sandbox.invalid",
      workingSetAdminOn: [],
    },
    other: {
      id: 3,
      name: "other",
      displayName: "Otto Other",
      email: "other@sandbox.invalid",
      workingSetAdminOn: [101, 102],
    },
  },
  failing: { trackerId: 3109, cbql: "summary LIKE '%sandbox-fail%'" },
})
