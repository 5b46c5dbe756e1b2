/** Codebeamer's throttle: at most `perSecond` requests a second and `perMinute` a minute. */
export interface ThrottlePolicy {
  readonly perSecond: number
  readonly perMinute: number
}

/** Whether a request may pass, and if not how long until a slot frees. */
export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly retryAfterSecond: number }

const secondMs = 1_000
const minuteMs = 60_000

/**
 * Per-user sliding windows over the instants of admitted requests. Refused requests take no
 * slot, as on the real server, so a client that waits as told gets through.
 */
export class Throttle {
  private readonly admitted = new Map<string, Array<number>>()

  constructor(private policy: ThrottlePolicy | false) {}

  /** Replaces the policy; the instants already admitted keep counting. */
  setPolicy(policy: ThrottlePolicy | false): void {
    this.policy = policy
  }

  /** Forgets every user's admitted requests. */
  clear(): void {
    this.admitted.clear()
  }

  /** Admits the request of `user` at `nowMs`, or says how long it must wait. */
  admit(user: string, nowMs: number): ThrottleDecision {
    if (this.policy === false) return { allowed: true }

    const recent = (this.admitted.get(user) ?? []).filter((at) => at > nowMs - minuteMs)
    const waits = [
      waitFor(recent, nowMs, secondMs, this.policy.perSecond),
      waitFor(recent, nowMs, minuteMs, this.policy.perMinute),
    ]
    const retryAfterMs = Math.max(...waits)

    if (retryAfterMs > 0) {
      this.admitted.set(user, recent)

      return {
        allowed: false,
        retryAfterMs,
        retryAfterSecond: Math.max(1, Math.ceil(retryAfterMs / 1_000)),
      }
    }

    recent.push(nowMs)
    this.admitted.set(user, recent)

    return { allowed: true }
  }
}

/**
 * Milliseconds until the window ending now holds fewer than `limit` admitted requests: the
 * oldest requests that must leave the window decide it. 0 when a slot is free now.
 */
const waitFor = (recent: ReadonlyArray<number>, nowMs: number, windowMs: number, limit: number) => {
  const inWindow = recent.filter((at) => at > nowMs - windowMs)

  if (inWindow.length < limit) return 0

  const mustLeave = inWindow[inWindow.length - limit]

  return mustLeave === undefined ? windowMs : mustLeave + windowMs - nowMs
}
