// Preloaded with `node --import` into a program under test: prints its peak RSS (all threads) on stderr at exit.
import { writeSync } from "node:fs"

process.on("exit", () => writeSync(2, `peak RSS ${process.resourceUsage().maxRSS} KB\n`))
