import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaIssue from "effect/SchemaIssue"
import { parseDateTime } from "./dateTime.ts"

/** The largest int32, the bound of every id in the contract. */
export const INT32_MAX = 2_147_483_647

/** An int32 id, at least 0. */
export const Id = Schema.Int.check(Schema.isInt32(), Schema.isGreaterThanOrEqualTo(0)).annotate({
  identifier: "Id",
  description: "an int32 id, at least 0",
})

/** An int32 count or percentage. */
export const Int32 = Schema.Int.check(Schema.isInt32())

/** Unknown fields of a response object, kept as they came. */
export const UnknownFields = [Schema.Record(Schema.String, Schema.Unknown)] as const

/** A response object: the fields the contract lists, and unknown ones kept as they came. */
export const responseObject = <const Fields extends Schema.Struct.Fields>(
  identifier: string,
  fields: Fields,
) => Schema.StructWithRest(Schema.Struct(fields), UnknownFields).annotate({ identifier })

/**
 * A string enum that grows between server versions: known values autocomplete, unknown ones decode
 * and are kept.
 */
export const openEnum = <const L extends ReadonlyArray<string>>(known: L) =>
  Schema.Union([Schema.Literals(known), Schema.StringForLiteralAutocomplete])

/**
 * An optional response field; `null` reads as absent, since servers built on Jackson may send
 * nulls for unset fields.
 */
export const optionalField = <S extends Schema.Top>(schema: S) =>
  Schema.optionalKey(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(Schema.optionalKey(Schema.toType(schema)), {
      decode: SchemaGetter.transformOptional((value) => Option.filter(value, (v) => v !== null)),
      encode: SchemaGetter.passthroughSupertype(),
    }),
  )

/**
 * A Codebeamer date-time: ISO 8601 with or without a zone offset; text without an offset is read
 * as UTC. Encodes as ISO 8601 in UTC.
 */
export const DateTimeFromString = Schema.String.pipe(
  Schema.decodeTo(Schema.Date, {
    decode: SchemaGetter.transformEffect((text: string, options) => {
      const date = parseDateTime(text)

      return date === undefined
        ? Effect.fail(
            new SchemaIssue.InvalidValue(
              { message: "Expected an ISO 8601 date-time" },
              text,
              options,
            ),
          )
        : Effect.succeed(date)
    }),
    encode: SchemaGetter.transform((date: Date) => date.toISOString()),
  }),
).annotate({ identifier: "DateTimeFromString" })
