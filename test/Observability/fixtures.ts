import { createSocket } from "node:dgram"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Either, Layer } from "effect"
import { AppConfig, resolveSettings } from "../../src/Config/AppConfig.js"
import type { Settings } from "../../src/Config/Settings.js"

export const testSettings = (overrides: Partial<Settings> = {}): Settings => ({
  ...Either.getOrThrow(resolveSettings({})),
  ...overrides
})

export const configLayer = (overrides: Partial<Settings> = {}): Layer.Layer<AppConfig> =>
  Layer.succeed(AppConfig, testSettings(overrides))

export type RecordedRequest = {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

const waitUntil = <A>(check: () => A | undefined, what: string, timeoutMs = 10_000): Effect.Effect<A> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const value = check()
      if (value !== undefined) return value
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

/** A real HTTP server on 127.0.0.1 (random port) answering 200 `{}` and remembering every request. */
export const httpRecorder = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly requests: Array<RecordedRequest>; readonly close: () => Promise<void> }>((resume) => {
    const requests: Array<RecordedRequest> = []
    const server = createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks) })
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        port: (server.address() as AddressInfo).port,
        requests,
        close: () => new Promise<void>((done) => server.close(() => done()))
      })))
  }),
  (recorder) => Effect.promise(recorder.close)
).pipe(Effect.map((recorder) => ({
  ...recorder,
  waitForRequests: (count: number, timeoutMs?: number) =>
    waitUntil(() => (recorder.requests.length >= count ? recorder.requests : undefined), `${count} HTTP request(s)`, timeoutMs)
})))

/** A real UDP socket bound on 127.0.0.1 (random port) collecting the metric lines of each datagram (statsd batches them). */
export const udpReceiver = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly packets: Array<string>; readonly close: () => void }>((resume) => {
    const socket = createSocket("udp4")
    const packets: Array<string> = []
    socket.on("message", (message) => packets.push(...message.toString("utf8").split("\n").filter((line) => line !== "")))
    socket.bind(0, "127.0.0.1", () =>
      resume(Effect.succeed({ port: socket.address().port, packets, close: () => socket.close() })))
  }),
  (receiver) => Effect.sync(receiver.close)
).pipe(Effect.map((receiver) => ({
  ...receiver,
  waitForPackets: (count: number) =>
    waitUntil(() => (receiver.packets.length >= count ? receiver.packets : undefined), `${count} metric line(s)`)
})))

/** A UDP port that was free a moment ago: nothing listens there. */
export const unusedUdpPort = Effect.async<number>((resume) => {
  const socket = createSocket("udp4")
  socket.bind(0, "127.0.0.1", () => {
    const { port } = socket.address()
    socket.close(() => resume(Effect.succeed(port)))
  })
})
