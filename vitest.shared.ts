import { defaultClientConditions, defaultServerConditions } from "vite"
import type { ViteUserConfig } from "vitest/config"

// Workspace packages export their TypeScript sources under the "source" condition, so tests run
// against src/ without a build step; published builds resolve to dist/.
export const sharedTestConfig: ViteUserConfig = {
  resolve: { conditions: ["source", ...defaultClientConditions] },
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    maxWorkers: 2,
    // Each package leaves its counts beside it; scripts/test-summary.mjs adds them up for CI.
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
}
