/**
 * The process exit codes of `cbjobs`. They are part of the CLI's public contract (see the
 * README's table) and never change meaning between versions.
 *
 * @example
 * ```sh
 * cbjobs job wait 56
 * case $? in
 *   0) echo "done" ;;
 *   1) echo "job 56 finished with a failed step" ;;
 *   8) echo "still running; try again later" ;;
 * esac
 * ```
 */
export const ExitCode = {
  /** The command did what was asked; a job it followed finished without a failed step. */
  Success: 0,
  /** The job finished with a failed step. */
  JobFailed: 1,
  /** Invalid usage or input: unknown flag, bad value, unreadable `--from` file, no credentials. */
  Usage: 2,
  /** Authentication or permission failed (401, 403). */
  Auth: 3,
  /** The job, working set or tracker was not found (404). */
  NotFound: 4,
  /** The server kept answering 429 after the retries. */
  RateLimited: 5,
  /** The server failed (5xx). */
  ServerError: 6,
  /** Network failure or timeout: no usable answer arrived. */
  Network: 7,
  /** The wait timed out (`--max-wait`) or the job stalled (`--stall-after`). */
  WaitTimeout: 8,
  /** Unexpected response: an undecodable body or an unexpected status. */
  UnexpectedResponse: 9,
  /** Outcome unknown: the POST may have started a job. */
  UnknownOutcome: 10,
  /** A bug in cbjobs itself (a defect, not a condition of the server or the input). */
  Internal: 70,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM. */
  Interrupted: 130,
} as const

/** One of the values of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
