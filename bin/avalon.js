#!/usr/bin/env node
import { existsSync } from "node:fs"

// dist/avalon.js runs the bundle dist/avalon.cjs with its V8 code cache (see src/Launch/runBundle.ts).
const launcher = new URL("../dist/avalon.js", import.meta.url)
if (!existsSync(new URL("../dist/avalon.cjs", import.meta.url))) {
  process.stderr.write("avalon: the program is not built yet; run `npm run build` (npm ci does it for you)\n")
  process.exit(1)
}
await import(launcher.href)
