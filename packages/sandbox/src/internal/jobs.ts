import type { SeedUser } from "../Seed.ts"

/** How date-times are written in job bodies. */
export type DateStyle = "offset" | "local" | "mixed"

/** A step of the working-set update, with the weight its share of progress comes from. */
interface StepPlan {
  readonly name: string
  readonly weight: number
}

/** Codebeamer's steps for a working-set update; the weights add up to 100. */
export const workingSetUpdateSteps: ReadonlyArray<StepPlan> = [
  { name: "Validate working sets", weight: 10 },
  { name: "Collect source items", weight: 30 },
  { name: "Replace target trackers", weight: 50 },
  { name: "Update references", weight: 10 },
]

/** The step that fails when a request touches the seed's failing tracker or cbql. */
const failingStepIndex = 2

/** Part of the duration a job waits as NEW before its first step starts. */
const queuedShare = 0.1

/** What a job remembers; its state is computed from the clock whenever it is read. */
export interface JobRecord {
  readonly id: number
  readonly owner: SeedUser
  readonly createdAtMs: number
  readonly durationMs: number
  readonly description: string
  readonly trackerCount: number
  /** Set when the job is doomed: the message its failing step ends with. */
  readonly failure: string | undefined
}

interface StepWindow {
  readonly plan: StepPlan
  readonly startMs: number
  readonly endMs: number
}

const stepWindows = (job: JobRecord): ReadonlyArray<StepWindow> => {
  const queuedMs = job.durationMs * queuedShare
  const runMs = job.durationMs - queuedMs
  let startMs = job.createdAtMs + queuedMs

  return workingSetUpdateSteps.map((plan) => {
    const window = { plan, startMs, endMs: startMs + (runMs * plan.weight) / 100 }
    startMs = window.endMs

    return window
  })
}

/** The instant the job ends: after its last step, or after its failing step. */
export const finishedAtMs = (job: JobRecord): number => {
  const windows = stepWindows(job)
  const last = job.failure === undefined ? windows.at(-1) : windows[failingStepIndex]

  return last?.endMs ?? job.createdAtMs
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0")

/** Offset used by the "offset" style: a real zone, so a client that drops offsets is caught. */
const offsetMinutes = 60

/** Writes an instant as Codebeamer does, with or without a zone offset. */
export const formatDate = (epochMs: number, withOffset: boolean): string => {
  const shift = withOffset ? offsetMinutes * 60_000 : 0
  const d = new Date(Math.round(epochMs) + shift)
  const wall =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `.${pad(d.getUTCMilliseconds(), 3)}`

  if (!withOffset) return wall

  return `${wall}+${pad(Math.floor(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`
}

type Json = Record<string, unknown>

const stepJson = (job: JobRecord, window: StepWindow, index: number, nowMs: number): Json => {
  const base = { id: index + 1, name: window.plan.name }
  const failsHere = job.failure !== undefined && index === failingStepIndex
  const skipped = job.failure !== undefined && index > failingStepIndex

  if (skipped || nowMs < window.startMs) return { ...base, status: "NEW" }

  if (nowMs < window.endMs) return { ...base, status: "IN_PROGRESS" }

  if (failsHere) {
    return { ...base, status: "FINISHED", result: "FAILED", resultMessage: job.failure }
  }

  const resultMessage =
    index === failingStepIndex ? `Replaced ${job.trackerCount} tracker(s)` : undefined

  return {
    ...base,
    status: "FINISHED",
    result: "SUCCESSFUL",
    ...(resultMessage === undefined ? {} : { resultMessage }),
  }
}

/**
 * Renders the job as `GET /v3/job/{id}` answers it at `nowMs`: NEW for the first tenth of its
 * duration, then IN_PROGRESS with progress summed from the weights of finished steps, then
 * FINISHED with `finishedAt`. A doomed job finishes when its failing step does; the steps after
 * it stay NEW.
 */
export const renderJob = (job: JobRecord, nowMs: number, dates: DateStyle): Json => {
  const windows = stepWindows(job)
  const endMs = finishedAtMs(job)
  const steps = windows.map((window, index) => stepJson(job, window, index, nowMs))
  const finished = nowMs >= endMs
  const started = windows[0] === undefined || nowMs >= windows[0].startMs
  const status = finished ? "FINISHED" : started ? "IN_PROGRESS" : "NEW"
  const progress = windows
    .filter((window, index) => steps[index]?.status === "FINISHED" && window.endMs <= nowMs)
    .reduce((sum, window) => sum + window.plan.weight, 0)
  const current = windows.find((window) => nowMs >= window.startMs && nowMs < window.endMs)
  const statusInfo: Json = {
    type: "DefaultBackgroundJobStatusInfo",
    progressPercentage: finished && job.failure === undefined ? 100 : progress,
    ...(status === "IN_PROGRESS" && current !== undefined
      ? { stepInProgress: current.plan.name }
      : {}),
  }

  return {
    id: job.id,
    backgroundJobStatus: status,
    backgroundJobType: "WORKING_SET_UPDATE",
    createdAt: formatDate(job.createdAtMs, dates !== "local"),
    ...(finished ? { finishedAt: formatDate(endMs, dates === "offset") } : {}),
    description: job.description,
    statusInfo,
    steps,
    submittedBy: {
      id: job.owner.id,
      name: job.owner.name,
      type: "UserReference",
      email: job.owner.email,
      displayName: job.owner.displayName,
    },
  }
}
