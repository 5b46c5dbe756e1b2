// Validates sandbox traffic against the contract, ../shared/api/background-jobs.openapi.yaml,
// with Ajv compiling the document's own component schemas: no schema is restated here.
import { readFileSync } from "node:fs"
import { Ajv, type ErrorObject } from "ajv"
import formats from "ajv-formats"
import { parse } from "yaml"

/** The contract, found beside the repository root (CI clones shared/ next to it). */
const documentUrl = new URL("../../../../shared/api/background-jobs.openapi.yaml", import.meta.url)

type Json = Record<string, unknown>

const document = parse(readFileSync(documentUrl, "utf8")) as {
  paths: Record<string, Record<string, Json>>
  components: { schemas: Record<string, Json> }
}

const documentId = "https://cbjobs.invalid/background-jobs.openapi.json"

/** The operations of the contract. */
export type OperationId = "getBackgroundJob" | "updateWorkingSet"

const withoutEnums = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutEnums)

  if (typeof value !== "object" || value === null) return value

  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "enum")
      .map(([key, inner]) => [key, withoutEnums(inner)]),
  )
}

/** An Ajv that knows RFC 3339 date-times only, as ajv-formats defines them. */
const rfc3339 = new Ajv({ strict: true })

formats.default(rfc3339, ["date-time"])

/** True when `value` is an RFC 3339 date-time (with a zone offset). */
export const isRfc3339DateTime = (value: string): boolean =>
  rfc3339.validate({ type: "string", format: "date-time" }, value)

const makeAjv = (schemas: Record<string, Json>): Ajv => {
  const ajv = new Ajv({ strict: true, allErrors: true })

  formats.default(ajv)

  // The document says `format: date-time`, yet Codebeamer sends date-times both with and
  // without a zone offset (2020-08-04T10:53:49.963), as the document's own comment and
  // codebeamer.md say, and the sandbox must produce both. RFC 3339 requires the offset, so the
  // stock format would reject real server output. This format accepts an RFC 3339 date-time, or
  // one that becomes RFC 3339 once "Z" is appended (an offset-less value read as UTC), and still
  // rejects anything else; a separate test proves the offset-less values fail plain RFC 3339.
  ajv.addFormat("date-time", {
    type: "string",
    validate: (value: string) =>
      isRfc3339DateTime(value) ||
      (!/[zZ]$|[+-]\d\d:\d\d$/.test(value) && isRfc3339DateTime(`${value}Z`)),
  })

  // OpenAPI 3.0 keywords that are not JSON Schema: `discriminator` only annotates (no schema
  // here uses it with oneOf), and `components` is the container the $refs point into.
  ajv.addKeyword({ keyword: "discriminator" })
  ajv.addKeyword({ keyword: "components" })
  ajv.addSchema({ $id: documentId, components: { schemas } })

  return ajv
}

const strictAjv = makeAjv(document.components.schemas)
const structuralAjv = makeAjv(withoutEnums(document.components.schemas) as Record<string, Json>)

const describe = (errors: ReadonlyArray<ErrorObject> | null | undefined): Array<string> =>
  (errors ?? []).map((error) => `${error.instancePath || "/"} ${error.keyword}: ${error.message}`)

/** Validates `value` against a component schema; returns the violations, empty when valid. */
export const checkSchema = (
  name: string,
  value: unknown,
  options: { readonly enums?: boolean } = {},
): Array<string> => {
  const ajv = options.enums === false ? structuralAjv : strictAjv
  const validate = ajv.getSchema(`${documentId}#/components/schemas/${name}`)

  if (validate === undefined) throw new Error(`no component schema ${name}`)

  return validate(value) ? [] : describe(validate.errors)
}

const operation = (operationId: OperationId): Json => {
  for (const methods of Object.values(document.paths)) {
    for (const candidate of Object.values(methods)) {
      if (candidate.operationId === operationId) return candidate
    }
  }

  throw new Error(`no operation ${operationId}`)
}

const refName = (schema: unknown): string => {
  const ref = (schema as { $ref?: unknown }).$ref

  if (typeof ref !== "string") throw new Error("response schemas are expected to be $refs")

  return ref.replace("#/components/schemas/", "")
}

/** The component schema the document gives for a response, if the document lists it. */
export const responseSchema = (
  operationId: OperationId,
  status: number,
  contentType: string | null,
): { readonly schema: string } | { readonly problem: string } => {
  const responses = operation(operationId).responses as Record<string, Json>
  const response = responses[String(status)]

  if (response === undefined) return { problem: `status ${status} is not documented` }

  const essence = (contentType ?? "").split(";")[0]!.trim().toLowerCase()
  const content = response.content as Record<string, { schema: unknown }>
  const media = content[essence] ?? content["*/*"]

  if (media === undefined) return { problem: `media type ${essence} is not documented` }

  return { schema: refName(media.schema) }
}

/**
 * Validates a response as received against the document: its status and media type must be
 * listed for the operation, its body must be JSON and match the listed schema. Returns the
 * violations, empty when the response is valid.
 */
export const checkResponse = (
  operationId: OperationId,
  response: { readonly status: number; readonly contentType: string | null; readonly text: string },
  options: { readonly enums?: boolean } = {},
): Array<string> => {
  const found = responseSchema(operationId, response.status, response.contentType)

  if ("problem" in found) return [found.problem]

  let body: unknown

  try {
    body = JSON.parse(response.text)
  } catch {
    return ["body is not JSON"]
  }

  return checkSchema(found.schema, body, options)
}

/** Validates a request body against the operation's documented request schema. */
export const checkRequest = (operationId: OperationId, body: unknown): Array<string> => {
  const requestBody = operation(operationId).requestBody as
    | { content: Record<string, { schema: unknown }> }
    | undefined
  const media = requestBody?.content["application/json"]

  if (media === undefined) throw new Error(`${operationId} takes no JSON body`)

  return checkSchema(refName(media.schema), body)
}
