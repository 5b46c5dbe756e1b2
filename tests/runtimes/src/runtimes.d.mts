/** One runtime of the matrix: how to run an ESM file under it. */
export interface Runtime {
  readonly name: "node20" | "node24" | "deno" | "bun"
  readonly command: string
  readonly args: (file: string) => ReadonlyArray<string>
}

/** What one run printed and how it ended. */
export interface RunResult {
  readonly runtime: Runtime["name"]
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface RunOptions {
  readonly cwd?: string
  readonly env?: Record<string, string>
  readonly timeoutMs?: number
}

export declare const runtimes: ReadonlyArray<Runtime>
export declare const runOn: (
  runtime: Runtime,
  file: string,
  options?: RunOptions,
) => Promise<RunResult>
export declare const runEverywhere: (
  file: string,
  options?: RunOptions,
) => Promise<ReadonlyArray<RunResult>>
export declare const versions: () => Promise<Record<Runtime["name"], string>>
