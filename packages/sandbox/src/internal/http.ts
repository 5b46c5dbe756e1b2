import { STATUS_CODES } from "node:http"

/** A response the sandbox is about to send. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Spring's JSON media type, as Codebeamer sends it. */
export const jsonType = "application/json;charset=UTF-8"

/** A JSON response. */
export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers: { "content-type": jsonType, ...headers },
  body: JSON.stringify(body),
})

/** A Codebeamer error body: `{ message, resourceUri }`. */
export const restError = (
  status: number,
  message: string,
  resourceUri: string,
  headers: Record<string, string> = {},
): Reply => json(status, { message, resourceUri }, headers)

/** The standard reason phrase of `status`, for bodies of forced statuses. */
export const reasonPhrase = (status: number): string => STATUS_CODES[status] ?? `Status ${status}`

/** True when an `Accept` header asks for JSON; Codebeamer 21.09 sent XML 429s otherwise. */
export const acceptsJson = (accept: string | undefined): boolean =>
  accept !== undefined && /json/i.test(accept)

/**
 * The 429 answer: the JSON body with `retryAfterSecond`, or the legacy `text/xml` body with
 * the bare text when the client did not ask for JSON (or the legacy form is forced).
 */
export const tooManyRequests = (
  resourceUri: string,
  retryAfterSecond: number,
  legacy: boolean,
  headers: Record<string, string> = {},
): Reply =>
  legacy
    ? {
        status: 429,
        headers: { "content-type": "text/xml;charset=UTF-8", ...headers },
        body: "Too many requests",
      }
    : json(429, { message: "Too many requests", resourceUri, retryAfterSecond }, headers)

/** The page a single-sign-on proxy answers with 200 instead of the API's JSON. */
export const loginPage = (): Reply => ({
  status: 200,
  headers: { "content-type": "text/html;charset=UTF-8" },
  body: [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8"><title>codebeamer - Login</title></head>',
    '<body><form method="post" action="/cb/login.spr">',
    '<label>User <input name="user"></label>',
    '<label>Password <input name="password" type="password"></label>',
    '<button type="submit">Login</button>',
    "</form></body></html>",
  ].join("\n"),
})

/** Breaks a JSON text so no parser accepts it: its first quote goes missing. */
export const malformed = (body: string): string => body.replace(/"/, "")

/** The first half of a JSON text, as a cut-off stream would leave it. */
export const truncated = (body: string): string => {
  const bytes = Buffer.from(body)

  return bytes.subarray(0, Math.floor(bytes.length / 2)).toString("utf8")
}
