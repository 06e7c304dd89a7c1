import { spawn, type ChildProcess } from "node:child_process"
import { cpSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { avalonBin, cleanEnv, fixturesCollection } from "../support/avalon.js"

/** `avalon serve` in its own process group, so a test can send Ctrl-C to the whole group as a terminal does. */
export type ServeProcess = {
  readonly pid: number
  readonly port: number
  readonly url: (path: string) => string
  readonly process: ChildProcess
  readonly output: () => string
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string | null>
  readonly signal: (signal: NodeJS.Signals) => void
  readonly signalGroup: (signal: NodeJS.Signals) => void
  /** Stops it if still running and waits for it. */
  readonly stop: () => Promise<number | string | null>
}

export const startServe = (env: Record<string, string>, args: ReadonlyArray<string> = []): Promise<ServeProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [avalonBin, "serve", ...args], {
      env: cleanEnv({ AVALON_STATSD_HOST: "", ...env }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let output = ""
    const exited = new Promise<number | string | null>((done) => child.once("exit", (code, signal) => done(signal ?? code)))
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output)
      if (match === null || child.pid === undefined) return
      clearTimeout(timer)
      const port = Number(match[1])
      const pid = child.pid
      const running = () => child.exitCode === null && child.signalCode === null
      resolve({
        pid,
        port,
        url: (path) => `http://127.0.0.1:${port}${path}`,
        process: child,
        output: () => output,
        exited,
        signal: (signal) => void (running() && child.kill(signal)),
        signalGroup: (signal) => void (running() && process.kill(-pid, signal)),
        stop: () => {
          if (running()) child.kill("SIGTERM")
          return exited
        }
      })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${output}`))
    })
  })

/** Log lines `[time] [pid] [LEVEL] message` whose message matches, as pid and message. */
export const logLines = (output: string, pattern: RegExp): Array<{ readonly pid: number; readonly message: string }> =>
  output.split("\n").flatMap((line) => {
    const match = /^\[[^\]]*\] \[(\d+)\] \[[A-Z]+\] (.*)$/.exec(line)
    return match !== null && pattern.test(match[2]!) ? [{ pid: Number(match[1]), message: match[2]! }] : []
  })

export const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Copies some folders of the fixture collection into `target`, to build collections that differ. */
export const copyFixtures = (target: string, folders: ReadonlyArray<string>): void => {
  mkdirSync(target, { recursive: true })
  for (const folder of folders) cpSync(join(fixturesCollection, folder), join(target, folder), { recursive: true })
}

export type LoadResult = { readonly requests: number; readonly failures: ReadonlyArray<string>; readonly songCounts: ReadonlySet<number> }

/**
 * A small bounded load: `concurrency` loops each GET the url (then pause) until stopped, recording every failure
 * (a network error, a status other than 200, a body that is not the envelope).
 */
export const startLoad = (url: string, concurrency = 4, pauseMs = 5) => {
  let running = true
  let requests = 0
  const failures: Array<string> = []
  const songCounts = new Set<number>()
  const loop = async () => {
    while (running) {
      try {
        const response = await fetch(url)
        const text = await response.text()
        requests += 1
        if (response.status !== 200) failures.push(`status ${response.status}: ${text}`)
        else songCounts.add((JSON.parse(text) as { success: Array<unknown> }).success.length)
      } catch (error) {
        failures.push(String(error))
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
  }
  const loops = Array.from({ length: concurrency }, loop)
  return {
    stop: async (): Promise<LoadResult> => {
      running = false
      await Promise.all(loops)
      return { requests, failures, songCounts }
    }
  }
}

export const songCount = async (url: string): Promise<number> => {
  const response = await fetch(url)
  return ((await response.json()) as { success: Array<unknown> }).success.length
}

/** Runs `avalon …` without blocking the test's event loop (a load loop keeps running meanwhile). */
export const runAvalonAsync = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<{ readonly status: number | null; readonly stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [avalonBin, ...args], { env: cleanEnv(env), stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("exit", (status) => resolve({ status, stderr }))
  })
