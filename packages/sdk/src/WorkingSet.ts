/** A working set (a "stream" in the newest Codebeamer UI), named by its id. */
export interface WorkingSetReference {
  readonly id: number
  readonly name?: string
  readonly type?: string
}

/** A tracker, named by its id. */
export interface TrackerReference {
  readonly id: number
  readonly name?: string
  readonly type?: string
}

/**
 * One target tracker to replace. `cbql` narrows the items taken from the source; `baselineId`
 * overrides the project baseline for this tracker.
 */
export interface WorkingSetTrackerUpdateRequest {
  readonly tracker: TrackerReference
  readonly baselineId?: number
  readonly cbql?: string
}

/**
 * The body of a working-set update: merge `source` into `target`, replacing the listed target
 * trackers completely (every tracker when `trackers` is left out).
 *
 * Gotchas: leaving out `source` or `target` means the project's Default Working-Set, so at least
 * one must be given and the two must differ. `projectBaselineId` left out means HEAD.
 */
export interface WorkingSetUpdateRequest {
  readonly projectBaselineId?: number
  readonly source?: WorkingSetReference
  readonly target?: WorkingSetReference
  readonly trackers?: ReadonlyArray<WorkingSetTrackerUpdateRequest>
}
