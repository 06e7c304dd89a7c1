// Writes the benchmark's synthetic collection (scripts/bench/generate.mjs) into an Avalon database and prints
// what a load needs to know about it as one JSON line on stdout: counts and the benchmark's picks.
//
//   node test/support/generateCatalog.mjs 100000 sqlite:////tmp/x/catalog.sqlite
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { generateCollection, writeCollection } from "../../scripts/bench/generate.mjs"

const [songs, url] = process.argv.slice(2)
if (songs === undefined || url === undefined) {
  process.stderr.write("usage: node test/support/generateCatalog.mjs SONGS DATABASE_URL\n")
  process.exit(2)
}
const collection = generateCollection(Number(songs))
await writeCollection({ collection, url, bin: join(fileURLToPath(new URL("../..", import.meta.url)), "bin", "avalon.js") })
process.stdout.write(`${JSON.stringify({ counts: collection.counts, picks: collection.picks })}\n`)
