import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { root, switchFlag, textFlag, toGlobalOptions } from "../GlobalFlags.ts"

/** `cbjobs login`: save a server and credentials as a profile. */
export const login = Command.make(
  "login",
  {
    auth: Flag.Literals("auth", ["basic", "api-key", "token"]).pipe(
      Flag.withDefault("basic"),
      Flag.withDescription("Kind of credentials (implied by a --*-stdin flag)"),
    ),
    apiKeyPrefix: textFlag(
      "api-key-prefix",
      "WORD",
      "Word sent before the API key in Authorization, e.g. ApiKey",
    ),
    setDefault: switchFlag("set-default", "Make this profile the one used when none is named"),
    verify: Flag.Boolean("verify").pipe(
      Flag.withDefault(true),
      Flag.withDescription("Check the credentials against the server before saving"),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const options = toGlobalOptions(yield* root)
      // Loaded on demand, like every command's action (see commands/job.ts).
      const actions = yield* Effect.promise(() => import("../actions/login.ts"))

      yield* actions.login(options, {
        auth: input.auth,
        apiKeyPrefix: Option.getOrUndefined(input.apiKeyPrefix),
        setDefault: input.setDefault,
        verify: input.verify,
      })
    }),
).pipe(
  Command.withDescription(
    "Save a server and credentials as a profile; the secret is asked for on the terminal " +
      "(never echoed) or read from stdin",
  ),
  Command.withExamples([
    { command: "cbjobs login --url https://cb.example.com/cb/api --username alice" },
    {
      command: "printenv CB_TOKEN | cbjobs login --profile ci --url https://cb/api --token-stdin",
      description: "a bearer token from a CI secret",
    },
  ]),
)
