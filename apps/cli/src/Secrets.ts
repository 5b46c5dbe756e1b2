import { UsageError } from "./Failure.ts"

/** Raised when the user presses Ctrl-C at a secret prompt (the terminal is in raw mode). */
export class PromptAborted extends Error {
  override readonly name = "PromptAborted"
}

/**
 * Reads all of stdin as one secret, dropping the final line break that `echo` or a here-string
 * adds.
 *
 * @example
 * ```ts
 * const password = await readSecretFromStdin("--password-stdin")
 * ```
 */
export const readSecretFromStdin = async (flag: string): Promise<string> => {
  const chunks: Array<Buffer> = []

  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk)
  }

  const secret = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "")

  if (secret.length === 0) {
    throw new UsageError({
      message: `${flag}: stdin was empty`,
      hint: `pipe the secret in, e.g. printenv CB_SECRET | cbjobs ... ${flag}`,
    })
  }

  return secret
}

/**
 * Asks for a line on the terminal, writing the question to stderr so stdout stays clean.
 *
 * @example
 * ```ts
 * const username = await promptLine("Username: ")
 * ```
 */
export const promptLine = async (question: string): Promise<string> => {
  const { createInterface } = await import("node:readline/promises")
  const reader = createInterface({ input: process.stdin, output: process.stderr, terminal: true })

  try {
    return (await reader.question(question)).trim()
  } finally {
    reader.close()
  }
}

/**
 * Asks for a secret on the terminal without echoing it. Backspace deletes, Enter ends,
 * Ctrl-C aborts with {@link PromptAborted}.
 *
 * @example
 * ```ts
 * const password = await promptSecret("Password: ")
 * ```
 */
export const promptSecret = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const input = process.stdin
    let secret = ""

    const finish = (error?: Error) => {
      input.off("data", onData)
      input.setRawMode?.(false)
      input.pause()
      process.stderr.write("\n")

      if (error === undefined) resolve(secret)
      else reject(error)
    }

    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === "\r" || character === "\n" || character === "\u0004") return finish()

        if (character === "\u0003") return finish(new PromptAborted("aborted at the prompt"))

        if (character === "\u007f" || character === "\b") secret = secret.slice(0, -1)
        else if (character >= " ") secret += character
      }
    }

    // Raw mode first: whatever is typed once the question shows must never be echoed.
    input.setRawMode?.(true)
    input.resume()
    input.on("data", onData)
    process.stderr.write(question)
  })
