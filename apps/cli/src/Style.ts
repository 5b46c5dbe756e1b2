/** ANSI styling for one output stream; every function is the identity when colors are off. */
export interface Style {
  readonly enabled: boolean
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly red: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly cyan: (text: string) => string
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\x1b[${open}m${text}\x1b[${close}m`

const identity = (text: string) => text

/**
 * Makes the style for a stream.
 *
 * @example
 * ```ts
 * const style = makeStyle(colorsWanted({ flag: true, env: process.env, isTTY: true }))
 * style.red("failed")
 * ```
 */
export const makeStyle = (enabled: boolean): Style =>
  enabled
    ? {
        enabled,
        bold: wrap(1, 22),
        dim: wrap(2, 22),
        red: wrap(31, 39),
        green: wrap(32, 39),
        yellow: wrap(33, 39),
        cyan: wrap(36, 39),
      }
    : {
        enabled,
        bold: identity,
        dim: identity,
        red: identity,
        green: identity,
        yellow: identity,
        cyan: identity,
      }

/**
 * Decides whether a stream gets colors: never with `--no-color`, `NO_COLOR` or `TERM=dumb`;
 * always with `FORCE_COLOR` (not `0`); otherwise only on a terminal.
 *
 * @example
 * ```ts
 * colorsWanted({ flag: true, env: { NO_COLOR: "1" }, isTTY: true }) // => false
 * ```
 */
export const colorsWanted = (options: {
  readonly flag: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  readonly isTTY: boolean
}): boolean => {
  const { env } = options

  if (!options.flag) return false

  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false

  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true

  return options.isTTY && env.TERM !== "dumb"
}
