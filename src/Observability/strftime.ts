const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const
const monthNames = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December"
] as const

const pad = (value: number, width = 2, fill = "0"): string => String(value).padStart(width, fill)
const hour12 = (date: Date): number => date.getHours() % 12 || 12
const dayOfYear = (date: Date): number =>
  (Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) - Date.UTC(date.getFullYear(), 0, 1)) / 86_400_000 + 1

const utcOffset = (date: Date): string => {
  const minutes = -date.getTimezoneOffset()
  const abs = Math.abs(minutes)
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
}

const zoneNames = new Map<string, string>()
const zoneLocales = ["en-US", "en-GB", "en-AU", "en-IN"] as const

const zoneName = (date: Date): string => {
  const key = `${process.env.TZ ?? ""}|${date.getTimezoneOffset()}`
  const cached = zoneNames.get(key)
  if (cached !== undefined) return cached
  const names = zoneLocales.map((locale) =>
    new Intl.DateTimeFormat(locale, { timeZoneName: "short" }).formatToParts(date).find((part) => part.type === "timeZoneName")?.value ?? "")
  const name = names.find((n) => n !== "" && !/^GMT[+-]/.test(n)) ?? names[0] ?? utcOffset(date)
  zoneNames.set(key, name)
  return name
}

type Directive = (date: Date) => string

const shortDay: Directive = (d) => dayNames[d.getDay()]!.slice(0, 3)
const shortMonth: Directive = (d) => monthNames[d.getMonth()]!.slice(0, 3)
const time: Directive = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
const usDate: Directive = (d) => `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`

const directives: Readonly<Record<string, Directive>> = {
  a: shortDay,
  A: (d) => dayNames[d.getDay()]!,
  b: shortMonth,
  h: shortMonth,
  B: (d) => monthNames[d.getMonth()]!,
  C: (d) => pad(Math.floor(d.getFullYear() / 100)),
  c: (d) => `${shortDay(d)} ${shortMonth(d)} ${pad(d.getDate(), 2, " ")} ${time(d)} ${d.getFullYear()}`,
  d: (d) => pad(d.getDate()),
  D: usDate,
  e: (d) => pad(d.getDate(), 2, " "),
  f: (d) => pad(d.getMilliseconds() * 1000, 6),
  F: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  H: (d) => pad(d.getHours()),
  I: (d) => pad(hour12(d)),
  j: (d) => pad(dayOfYear(d), 3),
  k: (d) => pad(d.getHours(), 2, " "),
  l: (d) => pad(hour12(d), 2, " "),
  m: (d) => pad(d.getMonth() + 1),
  M: (d) => pad(d.getMinutes()),
  n: () => "\n",
  p: (d) => (d.getHours() < 12 ? "AM" : "PM"),
  R: (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`,
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => pad(d.getSeconds()),
  t: () => "\t",
  T: time,
  u: (d) => String(d.getDay() || 7),
  w: (d) => String(d.getDay()),
  x: usDate,
  X: time,
  y: (d) => pad(d.getFullYear() % 100),
  Y: (d) => String(d.getFullYear()),
  z: utcOffset,
  Z: zoneName,
  "%": () => "%"
}

export const strftimeDirectives: ReadonlyArray<string> = Object.keys(directives).map((c) => `%${c}`)

export type CompiledStrftime = {
  readonly render: (date: Date) => string
  /** Directives this implementation does not know, e.g. `%Q`; they are rendered literally. */
  readonly unknown: ReadonlyArray<string>
}

/** Parses a strftime format once (local time, C locale, like Python's `time.strftime`); `%-d` drops padding. */
export const compileStrftime = (format: string): CompiledStrftime => {
  const parts: Array<string | Directive> = []
  const unknown: Array<string> = []
  let literal = ""
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!
    if (char !== "%") {
      literal += char
      continue
    }
    const unpadded = format[i + 1] === "-"
    const name = format[i + (unpadded ? 2 : 1)]
    const directive = name === undefined ? undefined : directives[name]
    if (directive === undefined) {
      const text = format.slice(i, i + (unpadded ? 3 : 2))
      unknown.push(text)
      literal += text
      i += text.length - 1
      continue
    }
    if (literal !== "") parts.push(literal)
    literal = ""
    parts.push(unpadded ? (d: Date) => directive(d).replace(/^[0 ]+(?=.)/, "") : directive)
    i += unpadded ? 2 : 1
  }
  if (literal !== "") parts.push(literal)
  return {
    render: (date) => {
      let out = ""
      for (const part of parts) out += typeof part === "string" ? part : part(date)
      return out
    },
    unknown
  }
}

export const strftime = (format: string, date: Date): string => compileStrftime(format).render(date)
