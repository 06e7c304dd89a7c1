import { fileURLToPath } from "node:url"
import { runBundle } from "./runBundle.js"

// The worker asks for its cache to be saved once it has read its first files (see tagWorker.ts).
runBundle(fileURLToPath(new URL("./tagWorker.cjs", import.meta.url)), { cacheName: "worker" })
