import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { projectRoot } from "../support/avalon.js"
import { makeTemporaryFolder } from "../support/temporaryFolder.js"

// The example files are checked by the tools that read them, where those tools are installed.
const available = (command: string, ...args: Array<string>) => spawnSync(command, args).status === 0
const ops = join(projectRoot, "scripts", "ops")
const folder = makeTemporaryFolder()
afterAll(() => folder.remove())

describe("the example operations files", () => {
  it.skipIf(!available("systemd-analyze", "--version"))("are systemd units that systemd-analyze verify accepts", () => {
    const units = ["avalon.service", "avalon-scan.service", "avalon-scan.timer"].map((unit) => join(ops, unit))
    const result = spawnSync("systemd-analyze", ["verify", "--man=no", ...units], { encoding: "utf8" })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
  })

  it.skipIf(!available("nginx", "-v"))("hold an nginx snippet that nginx -t accepts", () => {
    const config = join(folder.path, "nginx.conf")
    writeFileSync(config, [
      `pid ${join(folder.path, "nginx.pid")};`,
      `error_log ${join(folder.path, "error.log")};`,
      "events {}",
      `http { access_log off; include ${join(ops, "nginx-avalon.conf")}; }`,
      ""
    ].join("\n"))
    const result = spawnSync("nginx", ["-t", "-c", config], { encoding: "utf8" })
    expect(result.stderr).toContain("syntax is ok")
    expect(result.status).toBe(0)
  })

  it("hold shell scripts that parse", () => {
    for (const [shell, script] of [["bash", "scripts/release"], ["bash", "scripts/deploy"], ["sh", "scripts/ops/activate-release"]] as const) {
      const result = spawnSync(shell, ["-n", join(projectRoot, script)], { encoding: "utf8" })
      expect(result.stderr, script).toBe("")
      expect(result.status, script).toBe(0)
    }
  })
})
