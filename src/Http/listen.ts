import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import { Effect } from "effect"
import { ListenError } from "./ListenError.js"
import { headersTimeoutMs, maxHeaderSize, type ProtocolError, rawProtocolErrorResponse } from "./protocolErrors.js"

export type ListenOptions = {
  readonly host: string
  readonly port: number
  /** How long in-flight requests may take to finish on shutdown before their connections are cut. */
  readonly gracePeriodMs?: number
  /**
   * From connecting (on a kept-alive connection, from a request's first byte) to the end of the request, a
   * connection that sends nothing included; default 10 s. Requests have no body (one with a body is answered 413 at once), so the headers are the request.
   */
  readonly headersTimeoutMs?: number
  /** Idle time after an answer before a kept-alive connection is closed; default 5 s. */
  readonly keepAliveTimeoutMs?: number
}

/**
 * Node checks the headers and request timeouts only every `connectionsCheckingInterval` (30 s by default), so a
 * 10 s timeout really was 10 to 40 s: check often enough that a timeout fires within a quarter of it, at most 1 s late.
 */
const checkingInterval = (headersTimeoutMs: number): number => Math.max(250, Math.min(1000, headersTimeoutMs / 4))

const reasons: Record<string, string> = {
  EADDRINUSE: "the address is already in use",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "the address is not available on this machine",
  ENOTFOUND: "unknown host"
}

const clientErrors: Record<string, ProtocolError> = {
  HPE_HEADER_OVERFLOW: "headersTooLarge",
  ERR_HTTP_REQUEST_TIMEOUT: "timeout",
  HPE_HEADER_TIMEOUT: "timeout"
}

/** Malformed, oversized or too slow requests get the JSON envelope too, then the connection is closed. */
const answerClientError = (error: NodeJS.ErrnoException, socket: Duplex) => {
  if (socket.writable) {
    socket.end(rawProtocolErrorResponse(clientErrors[error.code ?? ""] ?? "badRequest"))
  } else {
    socket.destroy()
  }
}

const close = (server: Server, gracePeriodMs: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => server.closeAllConnections(), gracePeriodMs)
    server.close(() => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    server.closeIdleConnections()
  })

/** A bare `node:http` server (the fast path; see README "Design"), closed gracefully when the scope ends. */
export const listen = (handler: (request: IncomingMessage, response: ServerResponse) => void, options: ListenOptions) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Server; readonly port: number }, ListenError>((resume) => {
      const headersTimeout = options.headersTimeoutMs ?? headersTimeoutMs
      const server = createServer({
        maxHeaderSize,
        headersTimeout,
        requestTimeout: headersTimeout,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
        connectionsCheckingInterval: checkingInterval(headersTimeout)
      }, handler)
      server.on("clientError", answerClientError)
      server.once("error", (error: NodeJS.ErrnoException) => {
        const reason = reasons[error.code ?? ""] ?? error.message
        resume(Effect.fail(new ListenError({ message: `cannot listen on ${options.host}:${options.port}: ${reason}` })))
      })
      server.listen(options.port, options.host, () => {
        resume(Effect.succeed({ server, port: (server.address() as AddressInfo).port }))
      })
    }),
    ({ server }) => close(server, options.gracePeriodMs ?? 10_000)
  )
