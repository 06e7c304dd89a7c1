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

export type RunningServer = {
  readonly port: number
  readonly url: (path: string) => string
  readonly process: ChildProcess
  readonly output: () => string
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Starts `avalon serve --port 0` and resolves once it logs the port it listens on. */
export const startServer = (env: Record<string, string>, args: ReadonlyArray<string> = []): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [avalonBin, "serve", "--port", "0", ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on http:\/\/[^:]+:(\d+)(\S*)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        const port = Number(match[1])
        resolve({
          port,
          url: (path) => `http://127.0.0.1:${port}${path}`,
          process: child,
          output: () => output,
          stop: (signal = "SIGTERM") => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal)
            return exited
          }
        })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${output}`))
    })
  })
