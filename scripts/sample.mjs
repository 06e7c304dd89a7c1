// `npm run sample`: scan the bundled sample collection into a temporary SQLite file, then serve it.
import { spawnSync, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const avalon = join(root, "bin", "avalon.js")
const env = { ...process.env, AVALON_DATABASE_URL: `sqlite:///${join(tmpdir(), "avalon-sample.sqlite")}` }

const scan = spawnSync(process.execPath, [avalon, "scan", join(root, "test", "fixtures", "collection")], { env, stdio: "inherit" })
if (scan.status !== 0) process.exit(scan.status ?? 1)

const server = spawn(process.execPath, [avalon, "serve", ...process.argv.slice(2)], { env, stdio: "inherit" })
// Ctrl-C already reaches the server through the process group; forwarding it too would interrupt its drain.
process.on("SIGINT", () => {})
process.on("SIGTERM", () => server.kill("SIGTERM"))
server.on("exit", (code) => process.exit(code ?? 0))
