import { createSocket, type Socket } from "node:dgram"
import { isIPv6 } from "node:net"

export type StatsdSenderOptions = {
  /** An IP address (resolved beforehand: a send never waits for DNS). */
  readonly address: string
  readonly port: number
  /** Prepended to every metric name, followed by a dot unless empty. */
  readonly prefix: string
  /** Lines are packed into datagrams of at most this many bytes (default 1200: fits any path's MTU). */
  readonly maxPacketBytes?: number
  /** Lines wait at most this long before they are sent (default 100 ms). */
  readonly flushIntervalMs?: number
}

export type StatsdSender = {
  /** Queues `<prefix>.<name>:<value>|<type>`; never throws, never waits. */
  readonly send: (name: string, value: number, type: "ms" | "c") => void
  /** Sends what is queued, then closes the socket. */
  readonly close: () => Promise<void>
}

/**
 * Statsd lines over UDP, batched: a line costs a string and an array slot, a datagram goes out per
 * `maxPacketBytes` or `flushIntervalMs`. Send errors (no daemon listening) are dropped: metrics are best effort.
 */
export const makeStatsdSender = (options: StatsdSenderOptions): StatsdSender => {
  const maxPacketBytes = options.maxPacketBytes ?? 1200
  const flushIntervalMs = options.flushIntervalMs ?? 100
  const cleanPrefix = sanitize(options.prefix)
  const prefix = cleanPrefix === "" || cleanPrefix.endsWith(".") ? cleanPrefix : `${cleanPrefix}.`
  const names = new Map<string, { readonly metric: string; readonly bytes: number }>()
  const socket: Socket = createSocket(isIPv6(options.address) ? "udp6" : "udp4")
  socket.on("error", () => {})
  socket.unref()
  let closed = false
  let queued: Array<string> = []
  // Each queued line's UTF-8 length (only a prefix or name may be other than ASCII, and it is measured once).
  let queuedLineBytes: Array<number> = []
  let queuedBytes = 0
  let timer: NodeJS.Timeout | undefined
  let inFlight = 0
  let drained: (() => void) | undefined

  const sent = () => {
    inFlight--
    if (inFlight === 0) drained?.()
  }

  const transmit = (packet: string) => {
    try {
      inFlight++
      socket.send(packet, options.port, options.address, sent)
    } catch {
      // a closed or broken socket: metrics are best effort
      sent()
    }
  }

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    if (queued.length === 0) return
    const lines = queued
    const lineBytes = queuedLineBytes
    queued = []
    queuedLineBytes = []
    queuedBytes = 0
    let packet = ""
    let packetBytes = 0
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      const bytes = lineBytes[i]!
      if (packet !== "" && packetBytes + 1 + bytes > maxPacketBytes) {
        transmit(packet)
        packet = ""
      }
      packetBytes = packet === "" ? bytes : packetBytes + 1 + bytes
      packet = packet === "" ? line : `${packet}\n${line}`
    }
    transmit(packet)
  }

  return {
    send: (name, value, type) => {
      if (closed) return
      let known = names.get(name)
      if (known === undefined) {
        const metric = prefix + sanitize(name)
        names.set(name, (known = { metric, bytes: Buffer.byteLength(metric) }))
      }
      const line = `${known.metric}:${formatValue(value)}|${type}`
      const bytes = known.bytes + line.length - known.metric.length
      queued.push(line)
      queuedLineBytes.push(bytes)
      queuedBytes += bytes + 1
      if (queuedBytes >= maxPacketBytes * 8) flush()
      else if (timer === undefined) {
        timer = setTimeout(flush, flushIntervalMs)
        timer.unref()
      }
    },
    close: () => {
      if (closed) return Promise.resolve()
      flush()
      closed = true
      return new Promise<void>((resolve) => {
        if (inFlight === 0) resolve()
        else drained = resolve
      }).then(() => new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve())
        } catch {
          resolve()
        }
      }))
    }
  }
}

// ".001" to ".999" without trailing zeros ("" for none), by thousandths.
const thousandths = Array.from({ length: 1000 }, (_, i) => i === 0 ? "" : `.${String(i).padStart(3, "0").replace(/0+$/, "")}`)

/**
 * A value to a thousandth (a microsecond, for a timer in ms), written from two integers: V8's shortest
 * formatting of an arbitrary double was the costliest part of timing a request.
 */
export const formatValue = (value: number): string => {
  if (Number.isInteger(value) || !(value > 0 && value < 1e9)) return `${value}`
  const scaled = Math.round(value * 1000)
  return `${Math.floor(scaled / 1000)}${thousandths[scaled % 1000]!}`
}

// `:` `|` and line breaks would end the name early in the line protocol.
const sanitize = (name: string): string => name.replace(/[:|\n\r]/g, "_")
