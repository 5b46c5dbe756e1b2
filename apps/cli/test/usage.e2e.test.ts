import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { SandboxHandle } from "@cbjobs/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeHome, runCli, sandboxFor, userEnv } from "./support/cli.ts"

let home: Awaited<ReturnType<typeof makeHome>>
let sandbox: SandboxHandle

beforeAll(async () => {
  home = await makeHome()
  sandbox = await sandboxFor()
})

afterAll(async () => {
  await sandbox?.close()
  await home?.remove()
})

describe.concurrent("usage", () => {
  it("prints the version", async () => {
    const result = await runCli(["--version"], { env: home.env })

    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toMatch(/^cbjobs v\d+\.\d+\.\d+/)
  })

  it("prints help for a command with its flags and examples", async () => {
    const result = await runCli(["working-set", "update", "--help"], { env: home.env })

    expect(result.code).toBe(0)
    expect(result.stdout).toContain("--tracker")
    expect(result.stdout).toContain("--dry-run")
    expect(result.stdout).toContain("--password-stdin")
    expect(result.stderr).toBe("")
  })

  it("prints a shell completion script", async () => {
    const result = await runCli(["--completions", "bash"], { env: home.env })

    expect(result.code).toBe(0)
    expect(result.stdout).toContain("cbjobs")
    expect(result.stdout).toContain("complete")
  })

  it("exits 2 with one line on stderr for an unknown flag", async () => {
    const result = await runCli(["job", "get", "5", "--bogus"], { env: home.env })

    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).toContain("--bogus")
    expect(result.stderr).toContain("cbjobs job get --help")
  })

  it("never echoes the value after an unknown flag and points to stdin for secrets", async () => {
    const mistakes = [
      ["--password", "hunter2", "job", "get", "1"],
      ["job", "--password", "hunter2", "get", "1"],
      ["job", "get", "1", "--password", "hunter2"],
      ["--password=hunter2", "job", "get", "1"],
      ["--passwrd", "hunter2", "job", "get", "1"],
    ]
    const results = await Promise.all(mistakes.map((args) => runCli(args, { env: home.env })))

    for (const result of results) {
      expect(result.code).toBe(2)
      expect(result.stdout).toBe("")
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).toMatch(/unknown flag --passw?o?rd;/)
      expect(result.stderr).toContain("--password-stdin")
      expect(result.stderr).not.toContain("hunter2")
    }
  })

  it("points an unknown token or API key flag to its own stdin flag", async () => {
    const [token, apiKey] = await Promise.all([
      runCli(["--token", "eyJhbGciOi", "job", "get", "1"], { env: home.env }),
      runCli(["job", "get", "1", "--api-key", "k-1234"], { env: home.env }),
    ])

    expect(token.code).toBe(2)
    expect(token.stderr).toContain("--token-stdin")
    expect(token.stderr).not.toContain("eyJhbGciOi")
    expect(apiKey.code).toBe(2)
    expect(apiKey.stderr).toContain("--api-key-stdin")
    expect(apiKey.stderr).not.toContain("k-1234")
  })

  it("exits 2 for a job id that is not a number and for a missing one", async () => {
    const [word, missing] = await Promise.all([
      runCli(["job", "get", "abc"], { env: home.env }),
      runCli(["job", "wait"], { env: home.env }),
    ])

    expect(word.code).toBe(2)
    expect(word.stderr).toContain("jobId")
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("jobId")
  })

  it("exits 2 for an unknown command and for a group without its command", async () => {
    const [unknown, group] = await Promise.all([
      runCli(["frobnicate"], { env: home.env }),
      runCli(["job"], { env: home.env }),
    ])

    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("frobnicate")
    expect(group.code).toBe(2)
    expect(group.stdout).toBe("")
    expect(group.stderr).toContain("SUBCOMMANDS")
  })

  it("reports a misspelled command on one line with the command it may mean", async () => {
    const mistakes = [
      { args: ["jb"], typo: "jb", parent: "cbjobs", meant: "job" },
      {
        args: ["wrking-set", "update"],
        typo: "wrking-set",
        parent: "cbjobs",
        meant: "working-set",
      },
      { args: ["logn"], typo: "logn", parent: "cbjobs", meant: "login" },
      { args: ["job", "gt", "1"], typo: "gt", parent: "cbjobs job", meant: "get" },
      {
        args: ["job", "gt", "1", "--password", "hunter2"],
        typo: "gt",
        parent: "cbjobs job",
        meant: "get",
      },
      { args: ["job", "wiat", "5", "--json"], typo: "wiat", parent: "cbjobs job", meant: "wait" },
      {
        args: ["working-set", "updte", "--source", "1"],
        typo: "updte",
        parent: "cbjobs working-set",
        meant: "update",
      },
    ]
    const results = await Promise.all(mistakes.map(({ args }) => runCli(args, { env: home.env })))

    for (const [index, { typo, parent, meant }] of mistakes.entries()) {
      const result = results[index]

      expect(result?.code).toBe(2)
      expect(result?.stdout).toBe("")
      expect(result?.stderr).toBe(
        `cbjobs: unknown command "${typo}" for "${parent}" (did you mean "${meant}"?); ` +
          `see ${parent} --help\n`,
      )
    }
  })

  it("reports an unknown command with nothing like it on one line without a guess", async () => {
    const [root, group] = await Promise.all([
      runCli(["frobnicate"], { env: home.env }),
      runCli(["job", "xyzzy", "1"], { env: home.env }),
    ])

    expect(root.code).toBe(2)
    expect(root.stdout).toBe("")
    expect(root.stderr).toBe(
      'cbjobs: unknown command "frobnicate" for "cbjobs"; see cbjobs --help\n',
    )
    expect(group.code).toBe(2)
    expect(group.stdout).toBe("")
    expect(group.stderr).toBe(
      'cbjobs: unknown command "xyzzy" for "cbjobs job"; see cbjobs job --help\n',
    )
  })

  it("exits 2 for a duration it cannot read, or a wait limit without --wait", async () => {
    const [unreadable, withoutWait] = await Promise.all([
      runCli(["job", "wait", "5", "--max-wait", "soon"], { env: home.env }),
      runCli(["working-set", "update", "--source", "1", "--max-wait", "5m"], { env: home.env }),
    ])

    expect(unreadable.code).toBe(2)
    expect(unreadable.stderr).toContain("--max-wait")
    expect(withoutWait.code).toBe(2)
    expect(withoutWait.stderr).toContain("add --wait")
  })

  it("exits 2 when no server or credentials are configured", async () => {
    const [noServer, noCredentials, twoKinds] = await Promise.all([
      runCli(["job", "get", "5"], { env: home.env }),
      runCli(["job", "get", "5", "--url", sandbox.url], { env: home.env }),
      runCli(["job", "get", "5"], {
        env: { ...userEnv(sandbox), CODEBEAMER_TOKEN: "x", ...home.env },
      }),
    ])

    expect(noServer.code).toBe(2)
    expect(noServer.stderr).toContain("no server")
    expect(noCredentials.code).toBe(2)
    expect(noCredentials.stderr).toContain("no credentials")
    expect(twoKinds.code).toBe(2)
    expect(twoKinds.stderr).toContain("2 kinds")
  })
})

describe.concurrent("working-set update --dry-run", () => {
  it("prints the request and sends nothing", async () => {
    const before = sandbox.counters()
    const result = await runCli(
      [
        "working-set",
        "update",
        "--source",
        "1002",
        "--target",
        "1001",
        "--tracker",
        "3101",
        "--tracker",
        "3102:status = 'Open'",
        "--dry-run",
        "--json",
      ],
      { env: { ...userEnv(sandbox), ...home.env } },
    )

    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      source: { id: 1002 },
      target: { id: 1001 },
      trackers: [{ tracker: { id: 3101 } }, { tracker: { id: 3102 }, cbql: "status = 'Open'" }],
    })
    expect(sandbox.counters()).toEqual(before)
  })

  it("reads a YAML request and lets the flags override it", async () => {
    const file = join(home.home, "update.yaml")
    await writeFile(
      file,
      [
        "source: 1003",
        "target: { id: 1001 }",
        "projectBaselineId: 5101",
        "trackers:",
        "  - tracker: 3101",
        "    baselineId: 5102",
        "  - tracker: { id: 3104 }",
        "    cbql: \"status = 'Done'\"",
      ].join("\n"),
    )

    const args = [
      "working-set",
      "update",
      "--from",
      file,
      "--source",
      "1002",
      "--tracker",
      "3101:a = 1",
    ]
    const [human, json] = await Promise.all([
      runCli([...args, "--dry-run", "--url", "https://cb.example/cb/api/"], { env: home.env }),
      runCli([...args, "--dry-run", "--json"], { env: home.env }),
    ])

    expect(human.code).toBe(0)
    expect(human.stdout).toContain("Dry run: nothing was sent.")
    expect(human.stdout).toContain("POST https://cb.example/cb/api/v3/jobs/working-set-update")
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      source: { id: 1002 },
      target: { id: 1001 },
      projectBaselineId: 5101,
      trackers: [
        { tracker: { id: 3101 }, baselineId: 5102, cbql: "a = 1" },
        { tracker: { id: 3104 }, cbql: "status = 'Done'" },
      ],
    })
  })

  it("reads a JSON request from stdin", async () => {
    const result = await runCli(["working-set", "update", "--from", "-", "--dry-run", "--json"], {
      env: home.env,
      input: JSON.stringify({ source: { id: 1002 }, trackers: [{ tracker: { id: 3101 } }] }),
    })

    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      source: { id: 1002 },
      trackers: [{ tracker: { id: 3101 } }],
    })
  })

  it("exits 2 and names the field for an invalid request", async () => {
    const [same, duplicate, badTracker, typo, duplicateInFile] = await Promise.all([
      runCli(["working-set", "update", "--source", "5", "--target", "5", "--dry-run"], {
        env: home.env,
      }),
      runCli(
        ["working-set", "update", "--source", "5", "--tracker", "7", "--tracker", "7", "--dry-run"],
        { env: home.env },
      ),
      runCli(["working-set", "update", "--source", "5", "--tracker", "x7", "--dry-run"], {
        env: home.env,
      }),
      runCli(["working-set", "update", "--from", "-", "--dry-run"], {
        env: home.env,
        input: '{"source": 1002, "tracker": [{"tracker": 1}]}',
      }),
      runCli(["working-set", "update", "--from", "-", "--dry-run"], {
        env: home.env,
        input: '{"source": 1002, "trackers": [{"tracker": 1}, {"tracker": 2}, {"tracker": 1}]}',
      }),
    ])

    expect(same.code).toBe(2)
    expect(same.stderr).toContain("target.id")
    expect(duplicate.code).toBe(2)
    expect(duplicate.stderr).toContain("--tracker 7 is given more than once")
    expect(badTracker.code).toBe(2)
    expect(badTracker.stderr).toContain('--tracker "x7"')
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("tracker")
    expect(duplicateInFile.code).toBe(2)
    expect(duplicateInFile.stderr).toContain("trackers[2].tracker.id")
    for (const result of [same, duplicate, badTracker, typo, duplicateInFile]) {
      expect(result.stdout).toBe("")
    }
  })

  it("exits 2 for a --from file that is missing or not JSON/YAML", async () => {
    const broken = join(home.home, "broken.json")
    await writeFile(broken, "{ source: ")

    const [missing, unreadable] = await Promise.all([
      runCli(["working-set", "update", "--from", join(home.home, "nope.yaml"), "--dry-run"], {
        env: home.env,
      }),
      runCli(["working-set", "update", "--from", broken, "--dry-run"], { env: home.env }),
    ])

    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("nope.yaml")
    expect(unreadable.code).toBe(2)
    expect(unreadable.stderr).toContain("broken.json")
  })
})
