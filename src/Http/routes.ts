import type { Endpoint } from "../Catalog/queryCatalog.js"

export type Route = "heartbeat" | "version" | "changes" | Endpoint

const routeNames: ReadonlyArray<Route> = ["heartbeat", "version", "songs", "albums", "artists", "genres", "changes"]

/** The full path of every route under REQUEST_PATH (`/` means no prefix). */
export const makeRoutes = (basePath: string): ReadonlyMap<string, Route> => {
  const prefix = basePath === "/" ? "" : basePath
  return new Map(routeNames.map((route) => [`${prefix}/${route}`, route]))
}
