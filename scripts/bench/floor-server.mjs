// The floor: a bare node:http server answering, from memory, the exact bytes and headers Avalon answered for
// each benchmarked URL. `node floor-server.mjs <manifest.json>`; prints `listening <port>` on stdout.
// The manifest maps "path?query" to { status, contentType, file } (the body captured from Avalon).
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"))
const answers = new Map()
for (const [url, entry] of Object.entries(manifest)) {
  const body = readFileSync(entry.file)
  answers.set(url, { status: entry.status, headers: { "content-type": entry.contentType, "content-length": body.length }, body })
}
const missing = Buffer.from("not benchmarked")

const server = createServer((request, response) => {
  const answer = answers.get(request.url)
  if (answer === undefined) {
    response.writeHead(404, { "content-type": "text/plain", "content-length": missing.length })
    response.end(missing)
    return
  }
  response.writeHead(answer.status, answer.headers)
  response.end(answer.body)
})
server.listen(Number(process.argv[3] ?? 0), "127.0.0.1", () => process.stdout.write(`listening ${server.address().port}\n`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
