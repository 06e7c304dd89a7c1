import type { Answer } from "./answerRequest.js"

/** Envelope errors of the HTTP layer itself, beside api.md's codes (1–5, 100–102). */
const protocolErrors = {
  uriTooLong: { status: 414, code: 6, key: "avalon.service.error.uri_too_long", message: "The request URL is too long" },
  headersTooLarge: { status: 431, code: 7, key: "avalon.service.error.headers_too_large", message: "The request headers are too large" },
  bodyNotAllowed: { status: 413, code: 8, key: "avalon.service.error.body_not_allowed", message: "Requests to this API may not have a body" },
  timeout: { status: 408, code: 9, key: "avalon.service.error.request_timeout", message: "The request took too long to arrive" },
  badRequest: { status: 400, code: 10, key: "avalon.service.error.bad_request", message: "The request is not valid HTTP" }
} as const

export type ProtocolError = keyof typeof protocolErrors

export const protocolErrorNames = Object.keys(protocolErrors) as ReadonlyArray<ProtocolError>

export const maxUrlLength = 8 * 1024
export const maxHeaderSize = 16 * 1024
/** The default of HEADERS_TIMEOUT: the whole request (it has no body) must arrive within it. */
export const headersTimeoutMs = 10_000

export const protocolErrorAnswer = (error: ProtocolError): Answer => {
  const { code, key, message, status } = protocolErrors[error]
  return {
    status,
    contentType: "application/json; charset=utf-8",
    body: JSON.stringify({ success: null, errors: [{ code, message, message_key: key, payload: {} }], warnings: [] }),
    headers: { connection: "close" }
  }
}

const reasons: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 414: "URI Too Long", 431: "Request Header Fields Too Large" }

/** The raw HTTP/1.1 bytes of a protocol error, for sockets whose request never reached the handler. */
export const rawProtocolErrorResponse = (error: ProtocolError): string => {
  const answer = protocolErrorAnswer(error)
  const body = Buffer.from(answer.body)
  return `HTTP/1.1 ${answer.status} ${reasons[answer.status]}\r\ncontent-type: ${answer.contentType}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${answer.body}`
}

/** What causes each protocol error, for the API documentation. */
export const protocolErrorCauses: Record<ProtocolError, string> = {
  uriTooLong: `the URL is longer than ${maxUrlLength / 1024} KiB`,
  headersTooLarge: `the headers are larger than ${maxHeaderSize / 1024} KiB`,
  bodyNotAllowed: "the request has a body",
  timeout: `the request took longer than HEADERS_TIMEOUT (${headersTimeoutMs / 1000} s by default) to arrive, or nothing was sent`,
  badRequest: "the request is not valid HTTP"
}
