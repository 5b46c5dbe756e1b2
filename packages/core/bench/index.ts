// The cost of the Effect layer, printed as ratios against baselines measured in the same run:
//
// 1. Per call: getBackgroundJob through the core vs the same GET through plain ky (+ JSON.parse),
//    both on a fetch that answers a canned job without any network. The difference is what the
//    core adds: running the Effect, validation, throttle, spans, retry bookkeeping, decoding.
//    Rounds alternate between the cases; the minimum and the median of CPU time per call are
//    printed. On a shared machine the minimum is the steadiest figure; the median adds the
//    garbage collection each case causes.
// 2. Memory: 10,000 concurrent waitForJob vs 10,000 plain fetch polling loops, measured once every
//    waiter has polled and sleeps (the steady state), each in a fresh process, five times.
//
// The core is imported as built (dist/): tsx would wrap every named closure of the sources in a
// name-keeping helper that costs time and some hundred bytes per closure.
//
// Run: pnpm --filter @cbjobs/core bench
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import {
  BackgroundJob,
  type ClientConfig,
  CodebeamerClient,
  getBackgroundJob,
  type WaitOptions,
  waitForJob,
} from "@cbjobs/core"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import ky from "ky"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const BASE_URL = "http://codebeamer.invalid/cb/api"
const TOKEN = "bench-token-0123456789"

const jobBody = JSON.stringify({
  id: 56,
  backgroundJobStatus: "IN_PROGRESS",
  backgroundJobType: "WORKING_SET_UPDATE",
  createdAt: "2020-08-04T10:53:49.963",
  description: 'Update Working-Set "Default Working-Set" (1001) from "Release 1.0" (1002)',
  statusInfo: {
    type: "DefaultBackgroundJobStatusInfo",
    progressPercentage: 40,
    stepInProgress: "Merge",
  },
  steps: [
    { id: 1, name: "Prepare", status: "FINISHED", result: "SUCCESSFUL" },
    { id: 2, name: "Merge", status: "IN_PROGRESS" },
    { id: 3, name: "Replace target trackers", status: "NEW" },
    { id: 4, name: "Finish", status: "NEW" },
  ],
  submittedBy: { id: 1, name: "admin", type: "UserReference", displayName: "Ada Admin" },
})

let answered = 0

const cannedFetch = (async () => {
  answered++

  return new Response(jobBody, {
    status: 200,
    headers: { "content-type": "application/json;charset=UTF-8" },
  })
}) as typeof fetch

const config: ClientConfig = {
  baseUrl: BASE_URL,
  auth: { type: "bearer", token: Redacted.make(TOKEN) },
  fetch: cannedFetch,
  // Limits no benchmark reaches, so the throttle's bookkeeping runs but never waits.
  throttle: { windows: [{ limit: 1_000_000_000, window: "1 second" }] },
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const median = (values: ReadonlyArray<number>) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

const cpuMicrosPerCall = async (calls: number, run: () => Promise<unknown>) => {
  const start = process.cpuUsage()
  await run()
  const used = process.cpuUsage(start)

  return (used.user + used.system) / calls
}

const perCall = async () => {
  const calls = 1_500
  const rounds = 24
  const runtime = ManagedRuntime.make(CodebeamerClient.layer(config))
  await runtime.runPromise(Effect.void)
  const plainKy = ky.create({
    retry: 0,
    throwHttpErrors: false,
    timeout: false,
    fetch: cannedFetch,
  })
  const decode = Schema.decodeUnknownSync(BackgroundJob)

  const cases = {
    ky: async () => {
      for (let index = 0; index < calls; index++) {
        const response = await plainKy(`${BASE_URL}/v3/job/56`, {
          headers: { accept: "application/json", authorization: `Bearer ${TOKEN}` },
        })
        JSON.parse(await response.text())
      }
    },
    core: () =>
      runtime.runPromise(
        Effect.gen(function* () {
          for (let index = 0; index < calls; index++) {
            yield* getBackgroundJob(56)
          }
        }),
      ),
    corePerPromise: async () => {
      for (let index = 0; index < calls; index++) {
        await runtime.runPromise(getBackgroundJob(56))
      }
    },
    schemaDecode: async () => {
      for (let index = 0; index < calls; index++) {
        decode(JSON.parse(jobBody))
      }
    },
  }

  const samples: Record<keyof typeof cases, Array<number>> = {
    ky: [],
    core: [],
    corePerPromise: [],
    schemaDecode: [],
  }

  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(cases) as Array<keyof typeof cases>) {
      // Lets undici's finalizers run, so no round pays for the garbage of another. No forced
      // gc() here: it flushes compiled code and every round would start cold.
      await sleep(20)
      const micros = await cpuMicrosPerCall(calls, cases[name])

      // The first two rounds warm the JIT up.
      if (round >= 2) samples[name].push(micros)
    }
  }

  await runtime.dispose()

  const figures = (values: ReadonlyArray<number>) => ({
    min: Math.min(...values),
    median: median(values),
  })
  const ky_ = figures(samples.ky)
  const core = figures(samples.core)
  const perPromise = figures(samples.corePerPromise)
  const schema = figures(samples.schemaDecode)
  const cell = (micros: number) => micros.toFixed(1).padStart(8)
  const row = (label: string, values: { min: number; median: number }) =>
    console.log(`  ${label.padEnd(46)} ${cell(values.min)} ${cell(values.median)}`)

  console.log(`Per-call CPU time in us over ${rounds - 2} rounds of ${calls} GETs, no network:`)
  console.log(`  ${"".padEnd(46)} ${"min".padStart(8)} ${"median".padStart(8)}`)
  row("plain ky + JSON.parse (baseline)", ky_)
  row("core getBackgroundJob, in one Effect program", core)
  row("core getBackgroundJob, runPromise per call", perPromise)
  row("reference: Schema decode of the job (+ parse)", schema)

  for (const key of ["min", "median"] as const) {
    const cost = core[key] - ky_[key]

    console.log(
      `  ${key}: Effect layer ${cost.toFixed(1)} us/call (budget 30 us), ` +
        `${(perPromise[key] - ky_[key]).toFixed(1)} us with runPromise per call; ` +
        `core / ky ${(core[key] / ky_[key]).toFixed(2)}x; ` +
        `layer / Schema decode ${(cost / schema[key]).toFixed(2)} (budget 30/23 = 1.30)`,
    )
  }
}

const heapUsed = () => {
  gc()
  gc()

  return process.memoryUsage().heapUsed
}

const settle = async (done: () => boolean) => {
  for (let wait = 0; wait < 600 && !done(); wait++) {
    await sleep(50)
  }

  await sleep(200)
}

const waiters = 10_000
const pollInterval = 60_000

const plainLoops = async () => {
  let polled = 0
  const before = heapUsed()

  for (let index = 0; index < waiters; index++) {
    void (async () => {
      for (;;) {
        const response = await cannedFetch(`${BASE_URL}/v3/job/${index}`)
        const job = JSON.parse(await response.text()) as { backgroundJobStatus?: string }
        polled++

        if (job.backgroundJobStatus === "FINISHED") {
          return
        }

        await sleep(pollInterval)
      }
    })()
  }

  await settle(() => polled >= waiters)

  return heapUsed() - before
}

const coreWaiters = async (options: WaitOptions) => {
  const runtime = ManagedRuntime.make(CodebeamerClient.layer(config))
  const client = await runtime.runPromise(CodebeamerClient)
  const before = heapUsed()
  answered = 0
  await runtime.runPromise(
    Effect.forEach(
      Array.from({ length: waiters }, (_, index) => index),
      (index) => Effect.forkDetach(waitForJob(index, options)),
    ),
  )

  await settle(() => answered >= waiters && client.throttle.inFlight() === 0)

  return heapUsed() - before
}

const memoryCases = {
  plain: plainLoops,
  core: () => coreWaiters({ pollInterval }),
  coreMaxWait: () => coreWaiters({ pollInterval, maxWait: "1 hour" }),
}

type MemoryCase = keyof typeof memoryCases

// Measures one case in a fresh process, so no case inherits another's garbage.
const measureInChild = (name: MemoryCase): number => {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "memory", name],
    { encoding: "utf8" },
  )

  return Number(output.trim().split("\n").at(-1))
}

const memory = () => {
  const runs = 5
  const bytes = (name: MemoryCase) =>
    median(Array.from({ length: runs }, () => measureInChild(name))) / waiters
  const plain = bytes("plain")
  const core = bytes("core")
  const coreMaxWait = bytes("coreMaxWait")
  const row = (label: string, value: number) =>
    console.log(`  ${label.padEnd(34)} ${value.toFixed(0).padStart(6)} bytes per waiter`)

  console.log(`Memory of ${waiters} concurrent waiters on a running job, all sleeping`)
  console.log(`(median of ${runs} fresh processes each):`)
  row("plain fetch polling loop", plain)
  row("core waitForJob", core)
  row("core waitForJob with maxWait", coreMaxWait)
  console.log(`  core / plain: ${(core / plain).toFixed(2)}x (budget 1.5x);`)
  console.log(`    with maxWait ${(coreMaxWait / plain).toFixed(2)}x (it keeps the last snapshot)`)
}

if (process.argv[2] === "memory") {
  const name = process.argv[3] as MemoryCase
  console.log(await memoryCases[name]())
} else {
  await perCall()
  memory()
}
process.exit(0)
