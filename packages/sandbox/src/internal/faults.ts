/** The routes faults and counters tell apart. */
export type Route = "job" | "working-set-update"

/** A corrupted or surprising response body. */
export type BodyFault = "malformed" | "truncated" | "html-login" | "unknown-enums" | "extra-fields"

/** A fault waiting for the requests it applies to. */
export type PendingFault =
  | {
      readonly kind: "status"
      readonly status: number
      readonly retryAfterSecond: number | undefined
      readonly retryAfterHeader: string | undefined
    }
  | { readonly kind: "destroy"; readonly when: "before" | "after" }
  | { readonly kind: "body"; readonly body: BodyFault }

interface Entry {
  readonly fault: PendingFault
  readonly route: Route | undefined
  remaining: number
}

/** Whether a fault acts before the server does anything, or on the answer it produced. */
const phaseOf = (fault: PendingFault): "before" | "after" => {
  if (fault.kind === "status") return "before"

  if (fault.kind === "destroy") return fault.when

  return fault.body === "html-login" ? "before" : "after"
}

/**
 * Faults queued per handle, consumed in the order they were set. "Before" faults stand for a
 * proxy or a crash in front of Codebeamer (the server never acts); "after" faults spoil the
 * answer of a server that did act (a POST's job exists).
 */
export class FaultQueue {
  private entries: Array<Entry> = []

  /** Milliseconds added before every response. */
  latencyMs = 0

  add(fault: PendingFault, count: number, route: Route | undefined): void {
    this.entries.push({ fault, route, remaining: count })
  }

  clear(): void {
    this.entries = []
    this.latencyMs = 0
  }

  /**
   * Takes the first fault of `phase` that applies to a request on `route`. Body faults wait for
   * a 200 answer; job-body faults (`unknown-enums`, `extra-fields`) set without a route wait for
   * a 200 answer to `GET /v3/job/{id}`.
   */
  take(
    phase: "before" | "after",
    route: Route | "other",
    status: number,
  ): PendingFault | undefined {
    const index = this.entries.findIndex((entry) => {
      if (phaseOf(entry.fault) !== phase) return false

      if (entry.route !== undefined && entry.route !== route) return false

      if (phase === "before" || entry.fault.kind !== "body") return true

      if (status !== 200) return false

      return !isJobBodyFault(entry.fault.body) || entry.route !== undefined || route === "job"
    })
    const entry = this.entries[index]

    if (entry === undefined) return undefined

    entry.remaining -= 1

    if (entry.remaining <= 0) this.entries.splice(index, 1)

    return entry.fault
  }
}

const isJobBodyFault = (body: BodyFault): boolean =>
  body === "unknown-enums" || body === "extra-fields"

/**
 * Makes a job body use enum values this contract does not know: a future job type, a NEW job
 * reported as "QUEUED", and an extra step with an unknown status and result. IN_PROGRESS and
 * FINISHED stay as they are, so a client that tolerates unknown values still sees the job end.
 */
export const withUnknownEnums = (body: Record<string, unknown>): Record<string, unknown> => {
  if ("jobId" in body) return { ...body, jobType: "WORKING_SET_REBASE" }

  const steps = Array.isArray(body.steps) ? body.steps : []

  return {
    ...body,
    backgroundJobType: "WORKING_SET_REBASE",
    backgroundJobStatus: body.backgroundJobStatus === "NEW" ? "QUEUED" : body.backgroundJobStatus,
    steps: [...steps, { id: 99, name: "Notify watchers", status: "SKIPPED", result: "NOT_RUN" }],
  }
}

/** Adds fields a newer Codebeamer might send, at the top level and in nested objects. */
export const withExtraFields = (body: Record<string, unknown>): Record<string, unknown> => {
  if ("jobId" in body)
    return { ...body, queuePosition: 3, links: { self: `/v3/job/${body.jobId}` } }

  const statusInfo = typeof body.statusInfo === "object" ? body.statusInfo : {}
  const steps = Array.isArray(body.steps) ? body.steps : []

  return {
    ...body,
    priority: "NORMAL",
    tenant: { id: 7, name: "sandbox" },
    statusInfo: { ...statusInfo, estimatedSecondsLeft: 4 },
    steps: steps.map((step: unknown) =>
      typeof step === "object" && step !== null ? { ...step, durationMillis: 120 } : step,
    ),
  }
}
