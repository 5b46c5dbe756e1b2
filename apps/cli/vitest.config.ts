import { defineConfig } from "vitest/config"
import { sharedTestConfig } from "../../vitest.shared.ts"

export default defineConfig({
  ...sharedTestConfig,
  test: {
    ...sharedTestConfig.test,
    // The end-to-end tests spawn the bundled CLI; build it once from the current sources.
    globalSetup: ["test/support/globalSetup.ts"],
  },
})
