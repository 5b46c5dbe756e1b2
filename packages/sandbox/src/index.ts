/**
 * A local Codebeamer for the two background-job operations, over real HTTP: seeded projects,
 * working sets, trackers and baselines, three users, Codebeamer's throttle, jobs that move from
 * NEW to FINISHED with the clock, and faults to set per test.
 *
 * @example
 * ```ts
 * import { startSandbox } from "@cbjobs/sandbox"
 *
 * const sandbox = await startSandbox({ jobDurationMs: 200, throttle: false })
 * console.log(sandbox.url, sandbox.credentials.username)
 * await sandbox.close()
 * ```
 *
 * @module
 */
export {
  type BodyFault,
  type DateStyle,
  type FaultOptions,
  type RequestLogEntry,
  type SandboxCounters,
  type SandboxFaults,
  type SandboxHandle,
  type SandboxOptions,
  type SandboxRoute,
  type SandboxUser,
  type SandboxUserName,
  type SandboxUserSecrets,
  type StatusFaultOptions,
  startSandbox,
  type ThrottlePolicy,
} from "./Sandbox.ts"
export {
  type SandboxSeed,
  type SeedBaseline,
  type SeedProject,
  type SeedTracker,
  type SeedTrackerMode,
  type SeedUser,
  type SeedWorkingSet,
  type SeedWorkingSetTracker,
  sandboxSeed,
} from "./Seed.ts"
