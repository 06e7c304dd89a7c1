import { connect } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fixturesCollection, runAvalon, type ServeProcess, startServer } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder("avalon-slow-")
const headersTimeoutMs = 1000
const keepAliveTimeoutMs = 1000
/** Generous: the timeouts fire within a second of being due; the defaults (10 s, and 30 s between Node's checks) exceed it. */
const closedWithinMs = 8000

let server: ServeProcess
beforeAll(async () => {
  const databaseUrl = `sqlite:///${join(folder.path, "fixtures.sqlite")}`
  expect(runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection]).status).toBe(0)
  server = await startServer({
    AVALON_DATABASE_URL: databaseUrl,
    AVALON_HEADERS_TIMEOUT: String(headersTimeoutMs / 1000),
    AVALON_KEEP_ALIVE_TIMEOUT: String(keepAliveTimeoutMs / 1000)
  })
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
  expect(server.output()).not.toMatch(/\[(ERROR|CRITICAL)\]/)
  folder.remove()
})

type Outcome = { readonly received: string; readonly closedAfterMs: number; readonly bytesSent: number }

/** A raw connection that sends `chunks` one every `intervalMs` (or all at once), then nothing; resolves once the server closes it. */
const rawClient = (chunks: ReadonlyArray<string>, intervalMs = 0) =>
  new Promise<Outcome>((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1")
    const startedAt = performance.now()
    let received = ""
    let bytesSent = 0
    let timer: NodeJS.Timeout | undefined
    const send = (index: number) => {
      if (index >= chunks.length || socket.destroyed) return
      socket.write(chunks[index]!)
      bytesSent += Buffer.byteLength(chunks[index]!)
      timer = setTimeout(() => send(index + 1), intervalMs)
    }
    socket.once("connect", () => send(0))
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()))
    socket.on("error", () => undefined) // a write racing the server's close; the close below still comes
    socket.once("close", () => {
      clearTimeout(timer)
      resolve({ received, closedAfterMs: performance.now() - startedAt, bytesSent })
    })
    setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server kept the connection open for ${closedWithinMs * 2} ms; it received ${JSON.stringify(received)}`))
    }, closedWithinMs * 2).unref()
  })

const timeoutAnswer = /^HTTP\/1\.1 408 Request Timeout\r\n[^]*\r\n\r\n\{"success":null,"errors":\[\{"code":9,"message":"The request took too long to arrive",[^]*\}$/

const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`

/** Another client meanwhile: sequential kept-alive requests until `stop`, counting answers and failures. */
const steadyClient = () => {
  let running = true
  let answered = 0
  const failures: Array<string> = []
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(server.url("/avalon/songs?limit=5"))
        const body = (await response.json()) as { success: Array<unknown> }
        if (response.status !== 200 || body.success.length !== 5) failures.push(`${response.status} ${JSON.stringify(body)}`)
        else answered++
      } catch (error) {
        failures.push(String(error))
      }
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return { answered, failures }
    }
  }
}

describe("slow and stalled clients", () => {
  it("a connection that sends nothing gets a 408 envelope and is closed after HEADERS_TIMEOUT", async () => {
    const outcome = await rawClient([])
    expect(outcome.received).toMatch(timeoutAnswer)
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(headersTimeoutMs - 50)
    expect(outcome.closedAfterMs).toBeLessThan(closedWithinMs)
  })

  it("headers sent a byte at a time are cut off at HEADERS_TIMEOUT, however steadily they come", async () => {
    const text = request("/avalon/heartbeat")
    const outcome = await rawClient([...text], 100)
    expect(outcome.bytesSent).toBeLessThan(text.length)
    expect(outcome.received).toMatch(timeoutAnswer)
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(headersTimeoutMs - 50)
    expect(outcome.closedAfterMs).toBeLessThan(closedWithinMs)
  })

  it("a client stopping in the middle of its headers gets a 408 after HEADERS_TIMEOUT", async () => {
    const outcome = await rawClient(["GET /avalon/songs HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc"])
    expect(outcome.received).toMatch(timeoutAnswer)
    expect(outcome.closedAfterMs).toBeLessThan(closedWithinMs)
  })

  it("a client stopping in the middle of a body is answered at once (requests have no body) and disconnected", async () => {
    const outcome = await rawClient(["POST /avalon/songs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc"])
    expect(outcome.received).toMatch(/^HTTP\/1\.1 413 [^]*"code":8,/)
    expect(outcome.received).toMatch(/\r\nconnection: close\r\n/i)
    expect(outcome.closedAfterMs).toBeLessThan(headersTimeoutMs)
  })

  it("an idle kept-alive connection is closed after KEEP_ALIVE_TIMEOUT, without an error answer", async () => {
    const outcome = await rawClient([request("/avalon/heartbeat")])
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nOKOKOK$/)
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(keepAliveTimeoutMs - 50)
    expect(outcome.closedAfterMs).toBeLessThan(closedWithinMs)
  })

  it("a slow start on a kept-alive connection is cut off too", async () => {
    const outcome = await rawClient([request("/avalon/heartbeat"), "GET /avalon/heart"])
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*OKOKOKHTTP\/1\.1 408 Request Timeout\r\n[^]*"code":9,[^]*$/)
    expect(outcome.closedAfterMs).toBeLessThan(closedWithinMs)
  })

  it("other clients are served while 200 slow ones hold connections", async () => {
    const steady = steadyClient()
    const outcomes = await Promise.all([
      ...Array.from({ length: 100 }, () => rawClient([])),
      ...Array.from({ length: 100 }, (_, i) => rawClient([...request(`/avalon/songs?limit=${i}`)], 50))
    ])
    const { answered, failures } = await steady.stop()
    expect(failures).toEqual([])
    expect(answered).toBeGreaterThan(10)
    for (const outcome of outcomes) {
      expect(outcome.received).toMatch(timeoutAnswer)
      expect(outcome.closedAfterMs).toBeLessThan(closedWithinMs)
    }
    expect(await (await fetch(server.url("/avalon/heartbeat"))).text()).toBe("OKOKOK")
  })
})
