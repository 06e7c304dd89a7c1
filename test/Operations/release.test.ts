import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs"
import { get } from "node:http"
import { createServer } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { cleanEnv, fixturesCollection, projectRoot } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

const folder = makeTemporaryFolder("avalon-release-")
const target = join(folder.path, "srv")
const pidFile = join(folder.path, "avalon.pid")
const databaseUrl = `sqlite:///${join(folder.path, "avalon.sqlite")}`

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const run = (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const result = spawnSync(command, args, { cwd: projectRoot, env: cleanEnv(env), encoding: "utf8", timeout: 240_000 })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

/** A GET on a new connection each time: the server behind the URL is restarted between calls. */
const getText = (url: string) =>
  new Promise<string>((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resolve(body))
    }).on("error", reject)
  })

const stopServer = () => {
  if (!existsSync(pidFile)) return
  try {
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGTERM")
  } catch {
    // already gone
  }
}

afterAll(() => {
  stopServer()
  folder.remove()
})

describe("scripts/release and scripts/deploy", () => {
  let tarball = ""
  let port = 0
  let heartbeatUrl = ""
  const restartScript = join(folder.path, "restart.sh")

  beforeAll(async () => {
    // --no-build: other test files run dist/ at the same time; `npm test` has just built it.
    const release = run("scripts/release", ["--no-build", "--from-checkout", "--version", "1.0.0-test", "--out", join(folder.path, "out")])
    expect(release.status, release.output).toBe(0)
    tarball = release.output.trim().split("\n").at(-1)!
    port = await freePort()
    heartbeatUrl = `http://127.0.0.1:${port}/avalon/heartbeat`
    // What systemctl restart does, for a server run from DIR/current in the background.
    writeFileSync(restartScript, [
      "#!/bin/sh",
      `pidfile=${pidFile}`,
      "if [ -f \"$pidfile\" ]; then",
      "  pid=$(cat \"$pidfile\"); kill \"$pid\" 2>/dev/null || true",
      "  for _ in $(seq 50); do kill -0 \"$pid\" 2>/dev/null || break; sleep 0.1; done",
      "fi",
      `AVALON_DATABASE_URL=${databaseUrl} AVALON_PORT=${port} AVALON_STATSD_HOST= AVALON_RELOAD_INTERVAL=1 \\`,
      `  nohup ${process.execPath} ${join(target, "current", "bin", "avalon.js")} serve </dev/null >>${join(folder.path, "avalon.log")} 2>&1 &`,
      "echo $! > \"$pidfile\"",
      ""
    ].join("\n"))
    chmodSync(restartScript, 0o755)
  })

  const deployArgs = (timeout = 30) => ["--dir", target, "--restart", restartScript, "--heartbeat", heartbeatUrl, "--timeout", String(timeout)]
  const current = () => readlinkSync(join(target, "current"))
  const heartbeat = () => getText(heartbeatUrl)

  it("builds a versioned tarball of the program and its production dependencies", () => {
    expect(tarball).toBe(join(folder.path, "out", "avalon-1.0.0-test.tar.gz"))
    const entries = new Set(execFileSync("tar", ["-tzf", tarball], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).split("\n"))
    for (const entry of ["bin/avalon.js", "dist/avalon.js", "config/avalon.toml", "package.json", "package-lock.json", "VERSION", "node_modules/effect/package.json", "node_modules/better-sqlite3/build/Release/better_sqlite3.node"]) {
      expect(entries.has(`avalon-1.0.0-test/${entry}`), entry).toBe(true)
    }
    for (const devOnly of ["node_modules/vitest/", "node_modules/typescript/", "node_modules/esbuild/", "src/", "test/"]) {
      expect(entries.has(`avalon-1.0.0-test/${devOnly}`), devOnly).toBe(false)
    }
  })

  it("deploys locally: unpacks into releases/<version>, switches current, restarts, waits for the heartbeat", async () => {
    const deploy = run("scripts/deploy", ["--local", ...deployArgs(), tarball])
    expect(deploy.status, deploy.output).toBe(0)
    expect(deploy.output).toContain(`deploy: 1.0.0-test answers OKOKOK at ${heartbeatUrl}`)
    expect(current()).toBe("releases/1.0.0-test")
    expect(readFileSync(join(target, "current", "VERSION"), "utf8")).toBe("1.0.0-test\n")
    expect(await heartbeat()).toBe("OKOKOK")

    // The deployed release scans with its own dependencies, and the running server picks the scan up.
    const scan = run(process.execPath, [join(target, "current", "bin", "avalon.js"), "scan", "-q", "-d", databaseUrl, fixturesCollection])
    expect(scan.status, scan.output).toBe(0)
    const songs = async () => (JSON.parse(await getText(heartbeatUrl.replace("heartbeat", "songs"))) as { success: Array<unknown> }).success.length
    const deadline = Date.now() + 15_000
    while ((await songs()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await songs()).toBe(17)
  })

  it("rolls back to the previous release when the new one does not answer", async () => {
    const broken = join(folder.path, "broken", "avalon-1.0.1-broken")
    mkdirSync(join(broken, "bin"), { recursive: true })
    mkdirSync(join(broken, "dist"), { recursive: true })
    writeFileSync(join(broken, "bin", "avalon.js"), "process.exit(3)\n")
    writeFileSync(join(broken, "dist", "avalon.js"), "")
    const brokenTarball = join(folder.path, "avalon-1.0.1-broken.tar.gz")
    execFileSync("tar", ["-czf", brokenTarball, "-C", join(folder.path, "broken"), "avalon-1.0.1-broken"])

    const deploy = run("scripts/deploy", ["--local", ...deployArgs(3), brokenTarball])
    expect(deploy.status, deploy.output).toBe(1)
    expect(deploy.output).toContain("deploy: switching current from 1.0.0-test to 1.0.1-broken")
    expect(deploy.output).toContain("did not answer OKOKOK")
    expect(deploy.output).toContain("rolled back: 1.0.0-test is current again and answers")
    expect(current()).toBe("releases/1.0.0-test")
    expect(await heartbeat()).toBe("OKOKOK")
  })

  it("deploys over ssh with the same steps (ssh and scp replaced by local stand-ins that log their arguments)", async () => {
    const fakeBin = join(folder.path, "fake-bin")
    const sshLog = join(folder.path, "ssh.log")
    mkdirSync(fakeBin, { recursive: true })
    writeFileSync(join(fakeBin, "ssh"), [
      "#!/bin/sh",
      `printf 'ssh %s\\n' "$*" >> ${sshLog}`,
      "while [ \"$1\" = -o ]; do shift 2; done",
      "shift",
      "exec sh -c \"$1\"",
      ""
    ].join("\n"))
    writeFileSync(join(fakeBin, "scp"), [
      "#!/bin/sh",
      `printf 'scp %s\\n' "$*" >> ${sshLog}`,
      "while [ \"$1\" = -o ] || [ \"$1\" = -q ]; do if [ \"$1\" = -o ]; then shift; fi; shift; done",
      "exec cp \"$1\" \"${2#*:}\"",
      ""
    ].join("\n"))
    chmodSync(join(fakeBin, "ssh"), 0o755)
    chmodSync(join(fakeBin, "scp"), 0o755)
    // The same program, its node_modules a link to the deployed one's: unpacking 250 MB once per test run is enough.
    const thin = join(folder.path, "thin", "avalon-1.0.2-test")
    mkdirSync(thin, { recursive: true })
    for (const entry of ["bin", "dist", "config", "package.json", "VERSION"]) cpSync(join(target, "releases", "1.0.0-test", entry), join(thin, entry), { recursive: true })
    symlinkSync(join(target, "releases", "1.0.0-test", "node_modules"), join(thin, "node_modules"))
    const next = join(folder.path, "avalon-1.0.2-test.tar.gz")
    execFileSync("tar", ["-czf", next, "-C", join(folder.path, "thin"), "avalon-1.0.2-test"])

    const deploy = run("scripts/deploy", ["--host", "deploy@music.example", ...deployArgs(), next], { PATH: `${fakeBin}:${process.env.PATH}` })
    expect(deploy.status, deploy.output).toBe(0)
    expect(deploy.output).toContain("deploy: 1.0.2-test answers OKOKOK")
    expect(current()).toBe("releases/1.0.2-test")
    expect(await heartbeat()).toBe("OKOKOK")
    const log = readFileSync(sshLog, "utf8")
    expect(log).toContain(`scp -o BatchMode=yes -q ${next} deploy@music.example:${target}/incoming/avalon-1.0.2-test.tar.gz`)
    expect(log).toMatch(/ssh -o BatchMode=yes deploy@music\.example sh -s -- '--dir' '[^']+' '--tarball' '[^']+' '--restart' /)
    expect(existsSync(join(target, "incoming", "avalon-1.0.2-test.tar.gz"))).toBe(false)
    expect(existsSync(join(target, "releases", "1.0.0-test"))).toBe(true)
  })
})
