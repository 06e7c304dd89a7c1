import { spawn } from "node:child_process"
import { cpSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { avalonBin, cleanEnv, fixturesCollection } from "../support/avalon.js"

export { startServe, type ServeProcess } from "../support/avalon.js"

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
