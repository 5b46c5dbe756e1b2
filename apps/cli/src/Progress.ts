import { formatClock, formatDuration } from "./Duration.ts"
import type { Style } from "./Style.ts"

/** How waiting is shown: a live bar (TTY), one line per change, NDJSON events, or nothing. */
export type ProgressMode = "bar" | "plain" | "ndjson" | "none"

/** The `--progress` flag's values; `auto` picks a mode from the terminal and the other flags. */
export const PROGRESS_CHOICES = ["auto", "bar", "plain", "ndjson", "none"] as const

/** One observation of a job while waiting, reduced to what progress output shows. */
export interface ProgressState {
  readonly jobId: number
  readonly status: string
  readonly percent: number
  readonly step?: string | undefined
  readonly elapsedMs: number
}

/**
 * Picks the progress mode: an explicit `--progress` wins; otherwise `--quiet` and `--json` show
 * nothing, a terminal on stderr gets the bar and anything else one line per change.
 *
 * @example
 * ```ts
 * resolveProgressMode({ flag: "auto", json: false, quiet: false, stderrIsTTY: true }) // "bar"
 * ```
 */
export const resolveProgressMode = (options: {
  readonly flag: (typeof PROGRESS_CHOICES)[number]
  readonly json: boolean
  readonly quiet: boolean
  readonly stderrIsTTY: boolean
}): ProgressMode => {
  if (options.flag !== "auto") return options.flag

  if (options.quiet || options.json) return "none"

  return options.stderrIsTTY ? "bar" : "plain"
}

const BAR_WIDTH = 24

// The width assumed when the terminal does not tell its own.
const DEFAULT_COLUMNS = 80

const truncate = (text: string, width: number): string =>
  width <= 0 ? "" : text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`

/**
 * Renders the live progress line: job, bar, percentage, step in progress and elapsed time,
 * cut to the terminal's width (80 when the terminal reports none or 0).
 *
 * @example
 * ```ts
 * const state = { jobId: 57, status: "IN_PROGRESS", percent: 50, step: "Merge", elapsedMs: 7000 }
 * renderBar(state, 80, makeStyle(false))
 * // => "job 57 ", 12 cells of "█" then 12 of "░", "   50%  Merge  0:07"
 * ```
 */
export const renderBar = (state: ProgressState, columns: number, style: Style): string => {
  // Some terminals (serial consoles, containers without a size) report 0 columns.
  const width = Number.isFinite(columns) && columns > 0 ? columns : DEFAULT_COLUMNS

  const percent = Math.max(0, Math.min(100, Math.round(state.percent)))
  const filled = Math.round((percent / 100) * BAR_WIDTH)
  const bar = style.cyan("█".repeat(filled)) + style.dim("░".repeat(BAR_WIDTH - filled))
  const head = `job ${state.jobId} `
  const tail = `  ${String(percent).padStart(3)}%`
  const clock = `  ${formatClock(state.elapsedMs)}`
  const step = state.step ?? (state.status === "IN_PROGRESS" ? "" : state.status.toLowerCase())
  const room = width - 1 - head.length - BAR_WIDTH - tail.length - clock.length - 2
  const stepText = step.length > 0 && room > 3 ? `  ${truncate(step, room)}` : ""

  return `${head}${bar}${tail}${stepText}${style.dim(clock)}`
}

/**
 * Renders one plain progress line, for logs and pipes.
 *
 * @example
 * ```ts
 * const state = { jobId: 57, status: "IN_PROGRESS", percent: 40, step: "Merge", elapsedMs: 3100 }
 * renderPlainLine(state) // => "job 57: IN_PROGRESS 40% Merge (3.1s)"
 * ```
 */
export const renderPlainLine = (state: ProgressState): string => {
  const step = state.step === undefined || state.step.length === 0 ? "" : ` ${state.step}`

  const elapsed = formatDuration(state.elapsedMs)

  return `job ${state.jobId}: ${state.status} ${Math.round(state.percent)}%${step} (${elapsed})`
}

/**
 * Renders one NDJSON progress event (`--progress=ndjson`).
 *
 * @example
 * ```ts
 * renderEvent("progress", state)
 * // => '{"event":"progress","jobId":57,"status":"IN_PROGRESS","progress":40,...}'
 * ```
 */
export const renderEvent = (
  event: "submitted" | "progress" | "finished" | "interrupted",
  state: ProgressState,
  extra: Readonly<Record<string, unknown>> = {},
): string =>
  JSON.stringify({
    event,
    jobId: state.jobId,
    status: state.status,
    progress: Math.round(state.percent),
    ...(state.step === undefined ? {} : { stepInProgress: state.step }),
    elapsedMs: Math.round(state.elapsedMs),
    time: new Date().toISOString(),
    ...extra,
  })

/** Receives the snapshots of a job while the CLI waits for it and shows them. */
export interface ProgressReporter {
  /** Shows a new snapshot. */
  readonly update: (state: ProgressState) => void
  /** The wait ended (finished, failed or interrupted): removes the live line. */
  readonly close: (final?: {
    readonly event: "finished" | "interrupted"
    readonly state: ProgressState
  }) => void
}

/** Where a reporter writes: whole lines, and the live line of a terminal. */
export interface ReporterSink {
  readonly line: (text: string) => void
  readonly live: (text: string | undefined) => void
  readonly columns: () => number
  readonly style: Style
  readonly now?: () => number
}

/**
 * Creates the reporter for a mode. The bar redraws every second so the elapsed time moves even
 * while the job does not.
 *
 * @example
 * ```ts
 * const reporter = makeReporter("plain", sink)
 * reporter.update(state)
 * reporter.close()
 * ```
 */
export const makeReporter = (mode: ProgressMode, sink: ReporterSink): ProgressReporter => {
  switch (mode) {
    case "none":
      return { update: () => {}, close: () => {} }
    case "plain":
      return { update: (state) => sink.line(renderPlainLine(state)), close: () => {} }
    case "ndjson":
      return {
        update: (state) => sink.line(renderEvent("progress", state)),
        close: (final) => {
          if (final !== undefined) sink.line(renderEvent(final.event, final.state))
        },
      }
    case "bar":
      return makeBarReporter(sink)
  }
}

const makeBarReporter = (sink: ReporterSink): ProgressReporter => {
  const now = sink.now ?? Date.now
  let last: ProgressState | undefined
  let observedAt = now()

  const draw = () => {
    if (last === undefined) return

    const state = { ...last, elapsedMs: last.elapsedMs + (now() - observedAt) }
    sink.live(renderBar(state, sink.columns(), sink.style))
  }

  const timer = setInterval(draw, 1_000)

  // The timer only refreshes the clock; it must not keep the process alive on its own.
  timer.unref?.()

  return {
    update: (state) => {
      last = state
      observedAt = now()
      draw()
    },
    close: () => {
      clearInterval(timer)
      sink.live(undefined)
    },
  }
}
