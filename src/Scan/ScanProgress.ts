export type ProgressMode = "tty" | "lines" | "quiet"

export type ProgressSnapshot = { readonly found: number; readonly read: number; readonly toRead: number; readonly startedAt: number }

const formatRate = ({ read, startedAt }: ProgressSnapshot, now: number): number => read / Math.max((now - startedAt) / 1000, 0.001)

export const formatProgress = (snapshot: ProgressSnapshot, now: number): string => {
  const rate = formatRate(snapshot, now)
  const remaining = snapshot.toRead - snapshot.read
  const eta = rate > 0 ? Math.ceil(remaining / rate) : 0
  return `${snapshot.found} files found, ${snapshot.read}/${snapshot.toRead} read, ${Math.round(rate)} files/s, ETA ${eta} s`
}

/** A progress line redrawn on a terminal, or printed every few seconds to a log, or nothing at all. */
export const makeScanProgress = (mode: ProgressMode, write: (text: string) => void, intervalMs = mode === "tty" ? 200 : 5000) => {
  const snapshot = { found: 0, read: 0, toRead: 0, startedAt: Date.now() }
  let lastShown = 0
  let shownOnTty = false
  const show = (force: boolean) => {
    const now = Date.now()
    if (mode === "quiet" || (!force && now - lastShown < intervalMs)) return
    lastShown = now
    if (mode === "tty") {
      write(`\r\x1b[2K${formatProgress(snapshot, now)}`)
      shownOnTty = true
    } else {
      write(`${formatProgress(snapshot, now)}\n`)
    }
  }
  return {
    snapshot: snapshot as ProgressSnapshot,
    found(count: number) {
      snapshot.found = count
    },
    reading(count: number) {
      snapshot.toRead = count
      if (mode === "lines") write(`${snapshot.found} files found, ${count} to read\n`)
      snapshot.startedAt = Date.now()
      lastShown = snapshot.startedAt
    },
    readOne() {
      snapshot.read++
      show(false)
    },
    writing(songs: number, target: string) {
      if (mode === "lines") write(`writing ${songs} songs to ${target}\n`)
    },
    finish() {
      if (shownOnTty) write(`\r\x1b[2K${formatProgress(snapshot, Date.now())}\n`)
    }
  }
}
