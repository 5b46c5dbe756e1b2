import { defineConfig } from "vitest/config"
import { sharedTestConfig } from "../../vitest.shared.ts"

export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    // The end-to-end tests spawn the bundled CLI; build it once from the current sources.
    globalSetup: ["test/support/globalSetup.ts"],
    // Spawned processes run in parallel on a shared machine; the Bun and Deno runs start a
    // sandbox and wait for a job, so they get more room than the shared 20 s.
    testTimeout: 45_000,
  },
})
