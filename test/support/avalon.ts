import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url))
export const avalonBin = fileURLToPath(new URL("../../bin/avalon.js", import.meta.url))
export const fixturesCollection = fileURLToPath(new URL("../fixtures/collection", import.meta.url))

/** The environment without any AVALON_* variable of the developer's shell. */
export const cleanEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("AVALON_") && value !== undefined) env[name] = value
  return { ...env, ...extra }
}

export type Completed = { readonly status: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }

/** Runs the built `avalon` program (compiled JavaScript, as users run it) to completion. */
export const runAvalon = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  user: { readonly uid?: number; readonly gid?: number } = {}
): Completed => {
  const result = spawnSync(process.execPath, [avalonBin, ...args], { env: cleanEnv(env), encoding: "utf8", timeout: 60_000, ...user })
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr }
}

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

/** `avalon serve --port 0`: resolves once it logs the port it listens on. */
export const startServer = (env: Record<string, string>, args: ReadonlyArray<string> = []): Promise<ServeProcess> =>
  startServe(env, ["--port", "0", ...args])

export type RunningServer = ServeProcess
