import { colorsWanted, makeStyle, type Style } from "./Style.ts"

/**
 * The CLI's two output streams. Results go to stdout; progress, notes and errors to stderr,
 * where a live line (the progress bar) is kept at the bottom while other lines scroll above it.
 */
export interface Output {
  readonly stdoutStyle: Style
  readonly stderrStyle: Style
  readonly stderrIsTTY: boolean
  /** Writes one line (or block) to stdout. */
  readonly stdout: (text: string) => void
  /** Writes one line to stderr above the live line. */
  readonly stderr: (text: string) => void
  /** Replaces the live line on stderr; `undefined` removes it. Terminals only. */
  readonly live: (text: string | undefined) => void
  /** The width of the terminal behind stderr (80 when unknown). */
  readonly columns: () => number
}

/**
 * Makes the output for this process's streams.
 *
 * @example
 * ```ts
 * const output = makeOutput({ color: true, env: process.env })
 * output.stdout("Job 57 FINISHED")
 * ```
 */
export const makeOutput = (options: {
  readonly color: boolean
  readonly env: Readonly<Record<string, string | undefined>>
}): Output => {
  const stdoutIsTTY = process.stdout.isTTY === true
  const stderrIsTTY = process.stderr.isTTY === true
  let liveText: string | undefined

  const clearLive = () => {
    if (liveText !== undefined) process.stderr.write("\r\x1b[2K")
  }

  return {
    stdoutStyle: makeStyle(colorsWanted({ ...options, flag: options.color, isTTY: stdoutIsTTY })),
    stderrStyle: makeStyle(colorsWanted({ ...options, flag: options.color, isTTY: stderrIsTTY })),
    stderrIsTTY,
    stdout: (text) => {
      clearLive()
      process.stdout.write(`${text}\n`)

      if (liveText !== undefined) process.stderr.write(liveText)
    },
    stderr: (text) => {
      clearLive()
      process.stderr.write(`${text}\n`)

      if (liveText !== undefined) process.stderr.write(liveText)
    },
    live: (text) => {
      clearLive()
      liveText = text

      if (text !== undefined) process.stderr.write(text)
    },
    columns: () => process.stderr.columns ?? 80,
  }
}
