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
  const names = new Map<string, string>()
  const socket: Socket = createSocket(isIPv6(options.address) ? "udp6" : "udp4")
  socket.on("error", () => {})
  socket.unref()
  let closed = false
  let queued: Array<string> = []
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
    queued = []
    queuedBytes = 0
    let packet = ""
    let packetBytes = 0
    for (const line of lines) {
      const lineBytes = Buffer.byteLength(line)
      if (packet !== "" && packetBytes + 1 + lineBytes > maxPacketBytes) {
        transmit(packet)
        packet = ""
      }
      packetBytes = packet === "" ? lineBytes : packetBytes + 1 + lineBytes
      packet = packet === "" ? line : `${packet}\n${line}`
    }
    transmit(packet)
  }

  return {
    send: (name, value, type) => {
      if (closed) return
      let metric = names.get(name)
      if (metric === undefined) names.set(name, (metric = prefix + sanitize(name)))
      const line = `${metric}:${value}|${type}`
      queued.push(line)
      queuedBytes += line.length + 1
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

// `:` `|` and line breaks would end the name early in the line protocol.
const sanitize = (name: string): string => name.replace(/[:|\n\r]/g, "_")
