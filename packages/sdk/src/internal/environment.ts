// Environment variables are read only where the runtime has them: Node and Bun through
// `process.env`, Deno through `Deno.env` when the permission is already granted (asking would
// prompt in a terminal). Browsers and workers have neither, so every read there is `undefined`.

interface DenoNamespace {
  readonly env?: { get(name: string): string | undefined }
  readonly permissions?: {
    querySync?(descriptor: { name: "env"; variable: string }): { state: string }
  }
}

interface ProcessNamespace {
  readonly env?: Record<string, string | undefined>
}

const runtimeGlobals = globalThis as {
  readonly Deno?: DenoNamespace
  readonly process?: ProcessNamespace
}

const readFromDeno = (deno: DenoNamespace, name: string): string | undefined => {
  try {
    const permission = deno.permissions?.querySync?.({ name: "env", variable: name })

    if (permission !== undefined && permission.state !== "granted") return undefined

    return deno.env?.get(name)
  } catch {
    return undefined
  }
}

const readFromProcess = (process: ProcessNamespace, name: string): string | undefined => {
  try {
    return process.env?.[name]
  } catch {
    return undefined
  }
}

/** Reads one environment variable; blank values count as unset. */
export const readEnvironment = (name: string): string | undefined => {
  const { Deno: deno, process } = runtimeGlobals
  let value: string | undefined

  if (deno !== undefined) value = readFromDeno(deno, name)
  else if (process !== undefined) value = readFromProcess(process, name)

  return value === undefined || value.trim() === "" ? undefined : value
}
