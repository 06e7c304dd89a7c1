/** Every route, as the last segment of its path under REQUEST_PATH. */
export const routeNames = ["heartbeat", "version", "songs", "albums", "artists", "genres", "changes", "openapi.json", "docs"] as const

export type Route = (typeof routeNames)[number]

/** Routes whose answer never depends on the catalog: built once, served even before the catalog is loaded. */
export type StaticRoute = "openapi.json" | "docs"

export const isStaticRoute = (route: Route): route is StaticRoute => route === "openapi.json" || route === "docs"

/** The path prefix of every route: REQUEST_PATH, except that `/` means none. */
export const routePrefix = (basePath: string): string => basePath === "/" ? "" : basePath

/** The full path of every route under REQUEST_PATH (`/` means no prefix). */
export const makeRoutes = (basePath: string): ReadonlyMap<string, Route> => {
  const prefix = routePrefix(basePath)
  return new Map(routeNames.map((route) => [`${prefix}/${route}`, route]))
}
