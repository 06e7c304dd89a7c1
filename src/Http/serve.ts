import { Layer } from "effect"
import { CatalogLive } from "./CatalogLive.js"
import { HttpLive } from "./HttpLive.js"

/** The server: HTTP listening at once, the catalog loading beside it. Runs until interrupted (SIGINT/SIGTERM). */
export const ServerLive = HttpLive.pipe(Layer.provide(CatalogLive))

export const serve = Layer.launch(ServerLive)
