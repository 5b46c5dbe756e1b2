import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { GIVE_UP } from "./fastDecode.ts"
import { oneLine } from "./text.ts"

/** Why a body failed to decode: the path inside it and what was expected there. */
export interface BodyIssue {
  readonly field: string | undefined
  readonly issue: string
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** Formats a property path as code would write it: `steps[1].id`. */
export const formatPath = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>) =>
  path
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key, index) =>
      typeof key === "number"
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(key))
          ? `${index === 0 ? "" : "."}${String(key)}`
          : `[${JSON.stringify(String(key))}]`,
    )
    .join("")

/** Turns a schema error into the first issue, with its path. */
export const bodyIssue = (error: Schema.SchemaError): BodyIssue => {
  const first = formatter(error.issue).issues[0]

  if (first === undefined) {
    return { field: undefined, issue: oneLine(error.message) }
  }

  const field =
    first.path === undefined || first.path.length === 0 ? undefined : formatPath(first.path)

  return { field, issue: oneLine(first.message) }
}

/**
 * A decoder that tries the hand-written fast path first and falls back to the schema, which
 * accepts what the fast path left to it or explains the failure.
 */
export const makeDecoder = <S extends Schema.ConstraintDecoder<unknown>>(
  schema: S,
  fast: (u: unknown) => S["Type"] | typeof GIVE_UP,
) => {
  const slow = Schema.decodeUnknownResult(schema)

  return (u: unknown): Result.Result<S["Type"], BodyIssue> => {
    const decoded = fast(u)

    if (decoded !== GIVE_UP) {
      return Result.succeed(decoded)
    }

    return Result.mapError(slow(u), bodyIssue)
  }
}
