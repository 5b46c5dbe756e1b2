// Replaced by the bundler with the package version; absent when the sources run unbundled.
declare const __CBJOBS_VERSION__: string | undefined

/** The version of the CLI, as `cbjobs --version` prints it. */
export const VERSION: string =
  typeof __CBJOBS_VERSION__ === "string" ? __CBJOBS_VERSION__ : "0.0.0-dev"
