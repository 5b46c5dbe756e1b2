/** Collapses whitespace so server text fits a one-line message; caps it at 300 characters. */
export const oneLine = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim()

  return line.length > 300 ? `${line.slice(0, 297)}...` : line
}

/** Milliseconds as people read them in a message: "30 s", "250 ms". */
export const formatMs = (ms: number): string => {
  if (ms >= 1000 && ms % 100 === 0) {
    return `${ms / 1000} s`
  }

  return `${Math.round(ms)} ms`
}
