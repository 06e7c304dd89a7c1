import { readFileSync } from "node:fs"
import { connect, createServer, type Server } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mallocTrimThreshold } from "../../src/Cluster/workerEnvironment.js"
import { fixturesCollection, runAvalon } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"
import { logLines, startServe, waitFor, type ServeProcess } from "./serveProcess.js"

const folder = makeTemporaryFolder()
const databaseUrl = `sqlite:///${join(folder.path, "workers.sqlite")}`
const env = { AVALON_DATABASE_URL: databaseUrl, AVALON_RELOAD_INTERVAL: "0" }

beforeAll(() => {
  const scan = runAvalon(["scan", "-q", "-d", databaseUrl, fixturesCollection])
  expect(scan.stderr).toBe("")
  expect(scan.status).toBe(0)
})
afterAll(() => folder.remove())

const heartbeat = async (server: ServeProcess) => (await fetch(server.url("/avalon/heartbeat"))).text()

describe("avalon serve --workers 2", () => {
  let server: ServeProcess
  beforeAll(async () => {
    server = await startServe(env, ["--port", "0", "--workers", "2"])
    await waitFor("both workers to listen", () => logLines(server.output(), /^listening on /).length === 2)
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  const workerPids = () => new Set(logLines(server.output(), /^listening on /).map((line) => line.pid))

  it("runs two workers on one port, and only the workers load the catalog", async () => {
    for (let i = 0; i < 4; i++) expect(await heartbeat(server)).toBe("OKOKOK")
    const loaders = logLines(server.output(), /^avalon \S+ started: /).map((line) => line.pid)
    expect(new Set(loaders)).toEqual(workerPids())
    expect(loaders).toHaveLength(2)
    expect(loaders).not.toContain(server.pid)
    expect(logLines(server.output(), /primary/).map((line) => line.pid)).toEqual([server.pid])
  })

  it("starts the workers with glibc's heap trim threshold set, the primary as it was started", () => {
    const environment = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")
    for (const pid of workerPids()) expect(environment(pid)).toContain(`MALLOC_TRIM_THRESHOLD_=${mallocTrimThreshold}`)
    expect(environment(server.pid).some((entry) => entry.startsWith("MALLOC_TRIM_THRESHOLD_="))).toBe(false)
  })

  it("reloads every worker on SIGHUP to the primary", async () => {
    server.signal("SIGHUP")
    await waitFor("two reloads", () => logLines(server.output(), /reloaded on SIGHUP/).length === 2)
    expect(new Set(logLines(server.output(), /reloaded on SIGHUP/).map((line) => line.pid))).toEqual(workerPids())
  })

  it("replaces a crashed worker after a back-off, while the other one keeps serving", async () => {
    const [victim] = [...workerPids()]
    process.kill(victim!, "SIGKILL")
    await waitFor("the primary to notice", () => /\(pid \d+\) was killed by SIGKILL; starting a new one in 1s/.test(server.output()))
    for (let i = 0; i < 6; i++) expect(await heartbeat(server)).toBe("OKOKOK")
    await waitFor("a new worker", () => logLines(server.output(), /^listening on /).length === 3)
    const replacement = logLines(server.output(), /^listening on /).at(-1)!.pid
    expect(replacement).not.toBe(victim)
    await waitFor("the new worker to load", () => logLines(server.output(), /^avalon \S+ started: /).some((line) => line.pid === replacement))
    for (let i = 0; i < 4; i++) expect(await heartbeat(server)).toBe("OKOKOK")
  })
})

/** Sends a request's first line and headers but not the blank line that ends them: the server counts it in flight. */
const startSlowRequest = (port: number) =>
  new Promise<{ readonly finish: () => Promise<string> }>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write("GET /avalon/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\n")
      resolve({
        finish: () =>
          new Promise((done) => {
            let answer = ""
            socket.on("data", (chunk) => (answer += chunk.toString()))
            socket.on("close", () => done(answer))
            socket.on("error", () => done(answer))
            socket.write("Connection: close\r\n\r\n")
          })
      })
    })
    socket.once("error", reject)
  })

describe.each([1, 2])("Ctrl-C with --workers %i", (workers) => {
  it("stops accepting, lets the in-flight request finish, and exits 0", async () => {
    const server = await startServe(env, ["--port", "0", "--workers", String(workers)])
    await waitFor("every worker to listen", () => logLines(server.output(), /^listening on /).length === workers)
    expect(await heartbeat(server)).toBe("OKOKOK")
    const slow = await startSlowRequest(server.port)
    await new Promise((resolve) => setTimeout(resolve, 100))
    // A terminal's Ctrl-C: SIGINT to every process of the group (workers get it twice, once forwarded).
    server.signalGroup("SIGINT")
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await expect(fetch(server.url("/avalon/heartbeat"))).rejects.toThrow()
    expect(server.process.exitCode).toBeNull()
    const answer = await slow.finish()
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(answer.endsWith("OKOKOK")).toBe(true)
    expect(await server.exited).toBe(0)
    if (workers > 1) expect(server.output()).toMatch(/all workers stopped/)
    expect(server.output()).not.toMatch(/killing it|while stopping/)
  })
})

describe("a worker that cannot listen", () => {
  let blocker: Server
  beforeAll(() => new Promise<void>((resolve) => {
    blocker = createServer().listen(0, "127.0.0.1", () => resolve())
  }))
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())))

  it("stops the primary with exit code 1 instead of a restart loop", async () => {
    const address = blocker.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    const result = runAvalon(["serve", "--port", String(port), "--workers", "2"], { ...env, AVALON_STATSD_HOST: "" })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`avalon: cannot listen on 127.0.0.1:${port}: the address is already in use`)
    expect(result.stderr).toMatch(/worker \d \(pid \d+\) exited with code 1 before any worker could listen; stopping/)
    expect(result.stderr).not.toMatch(/starting a new one/)
  })
})
