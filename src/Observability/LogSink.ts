import { closeSync, openSync, writeSync } from "node:fs"
import { Either } from "effect"
import { ConfigError } from "../Config/ConfigError.js"

/** Where log lines go. `write` never throws: a line that cannot be written is dropped and counted. */
export type LogSink = {
  readonly write: (line: string) => void
  readonly close: () => void
  readonly dropped: () => number
}

const openReason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code
  return code === "ENOENT" ? "its folder does not exist"
    : code === "EACCES" || code === "EPERM" ? "permission denied"
    : code === "EISDIR" ? "it is a folder, not a file"
    : code === "EROFS" ? "read-only file system"
    : code === "ENOTDIR" ? "a part of the path is not a folder"
    : error instanceof Error ? error.message
    : String(error)
}

const warnOnce = (path: string, error: unknown): void => {
  try {
    process.stderr.write(`avalon: cannot write to log file ${path} (${openReason(error)}); dropping log lines\n`)
  } catch {
    // stderr is gone too: nothing left to tell
  }
}

/** Opens LOG_PATH for appending, or stderr when the path is "". Lines written after `close` go to stderr. */
export const openLogSink = (path: string): Either.Either<LogSink, ConfigError> => {
  let dropped = 0
  if (path === "") {
    const onError = () => {
      dropped++
    }
    process.stderr.on("error", onError)
    return Either.right({
      write: (line) => {
        try {
          process.stderr.write(line + "\n")
        } catch {
          dropped++
        }
      },
      close: () => {
        process.stderr.off("error", onError)
      },
      dropped: () => dropped
    })
  }
  let fd: number | undefined
  try {
    fd = openSync(path, "a")
  } catch (error) {
    return Either.left(new ConfigError({ message: `LOG_PATH ${path} cannot be opened for appending: ${openReason(error)}` }))
  }
  return Either.right({
    write: (line) => {
      try {
        if (fd === undefined) process.stderr.write(line + "\n")
        else writeSync(fd, line + "\n")
      } catch (error) {
        if (dropped++ === 0) warnOnce(path, error)
      }
    },
    close: () => {
      if (fd === undefined) return
      const open = fd
      fd = undefined
      try {
        closeSync(open)
      } catch {
        // already closed
      }
    },
    dropped: () => dropped
  })
}
