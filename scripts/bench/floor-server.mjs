// The floor: a bare node:http server answering, from memory, the exact bytes and headers Avalon answered for
// each benchmarked request. `node floor-server.mjs <manifest.json>`; prints `listening <port>` on stdout.
// The manifest lists { url, acceptEncoding, ifNoneMatch, status, headers, file } (the answer captured from
// Avalon for that URL and those request headers); the floor picks the answer whose request headers match.
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"))
const answers = new Map()
for (const entry of manifest) {
  const body = readFileSync(entry.file)
  const variants = answers.get(entry.url) ?? []
  variants.push({ acceptEncoding: entry.acceptEncoding, ifNoneMatch: entry.ifNoneMatch, status: entry.status, headers: entry.headers, body })
  answers.set(entry.url, variants)
}
const missing = Buffer.from("not benchmarked")

const server = createServer((request, response) => {
  const variants = answers.get(request.url)
  const acceptEncoding = request.headers["accept-encoding"] ?? ""
  const ifNoneMatch = request.headers["if-none-match"] ?? ""
  const answer = variants?.find((variant) => variant.acceptEncoding === acceptEncoding && variant.ifNoneMatch === ifNoneMatch)
  if (answer === undefined) {
    response.writeHead(404, { "content-type": "text/plain", "content-length": missing.length })
    response.end(missing)
    return
  }
  response.writeHead(answer.status, answer.headers)
  response.end(answer.status === 304 ? undefined : answer.body)
})
server.listen(Number(process.argv[3] ?? 0), "127.0.0.1", () => process.stdout.write(`listening ${server.address().port}\n`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
