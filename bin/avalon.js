#!/usr/bin/env node
import { existsSync } from "node:fs"

const bundle = new URL("../dist/avalon.js", import.meta.url)
if (!existsSync(bundle)) {
  process.stderr.write("avalon: the program is not built yet; run `npm run build` (npm ci does it for you)\n")
  process.exit(1)
}
await import(bundle.href)
