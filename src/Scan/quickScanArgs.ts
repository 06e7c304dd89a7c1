export type QuickScanArgs = { readonly root: string; readonly database: string | undefined; readonly quiet: boolean }

/**
 * The arguments of `avalon scan` (after the program's own path) when they hold nothing but the collection
 * folder, `-d`/`--database` and `-q`/`--quiet`, in any order, as the CLI accepts them; otherwise undefined, and
 * the CLI itself deals with them (help, `--full`, a mistake and its usage message).
 */
export const quickScanArgs = (args: ReadonlyArray<string>): QuickScanArgs | undefined => {
  if (args[0] !== "scan") return undefined
  let root: string | undefined
  let database: string | undefined
  let quiet = false
  for (let index = 1; index < args.length; index++) {
    const arg = args[index]!
    if (arg === "-q" || arg === "--quiet") {
      quiet = true
    } else if (arg === "-d" || arg === "--database") {
      const value = args[++index]
      if (value === undefined || value === "" || value.startsWith("-") || database !== undefined) return undefined
      database = value
    } else if (arg.startsWith("--database=")) {
      if (database !== undefined || arg === "--database=") return undefined
      database = arg.slice("--database=".length)
    } else if (arg === "" || arg.startsWith("-") || root !== undefined) {
      return undefined
    } else {
      root = arg
    }
  }
  return root === undefined ? undefined : { root, database, quiet }
}
