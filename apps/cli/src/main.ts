import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { cliLayer, runCli } from "./Cli.ts"

const args = process.argv.slice(2)

// A reader that goes away (`cbjobs job get 5 --json | head -1`) is no error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0)

    throw error
  })
}

const teardown: Runtime.Teardown = (exit, onExit) => {
  if (!Exit.isSuccess(exit)) return Runtime.defaultTeardown(exit, onExit)

  const code = exit.value as number

  // Exits on its own once the event loop drains; the timer only ends a process that something
  // (an idle keep-alive socket) would hold open, and does not hold it open itself.
  setTimeout(() => process.exit(code), 250).unref()
  onExit(code)
}

NodeRuntime.runMain(
  runCli(args).pipe(Effect.provide(Layer.mergeAll(NodeServices.layer, cliLayer(args)))),
  { disableErrorReporting: true, teardown },
)
